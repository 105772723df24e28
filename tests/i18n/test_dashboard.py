"""The results dashboard in Russian and Kazakh: grouped thousands, units with their KATO code."""

import pytest
from django.urls import reverse

from core import clock
from results.aggregation import recompute
from results.services import certify_protocol, save_entry
from tests.results.factories import COUNTING

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(world):
    with clock.frozen(COUNTING):
        save_entry(world.protocol, world.clerk1, world.values(), finish=True)
        save_entry(world.protocol, world.clerk2, world.values(), finish=True)
        world.protocol.refresh_from_db()
        certify_protocol(world.protocol, world.tec)
        recompute(world.election)
    return world


@pytest.mark.parametrize(
    ("language", "heading", "turnout"),
    [
        (
            "kk",
            "Хаттамалар",
            "Сайлауға қатысу 75,00% (1\xa0000 сайлаушының 750); есепке алынған хаттамалар: 2 ішінен 1.",
        ),
        ("ru", "Протоколы", "Явка 75,00% (750 из 1\xa0000 избирателей); учтено протоколов: 1 из 2."),
        ("en", "Protocols", "Turnout 75.00% (750 of 1,000 voters); protocols counted 1 of 2."),
    ],
)
def test_dashboard_numbers_and_units_in_each_language(counted, in_language, language, heading, turnout):
    # Issue 23: the election's page sums up the country and lists its regions, each with its KATO code.
    client = in_language(language)
    client.force_login(counted.cec)
    e = counted.election.pk
    html = client.get(reverse("results_reports:election", args=[e])).content.decode()
    assert f"<h2>{heading}</h2>" in html
    assert f"<p>{turnout}</p>" in html
    region = reverse("results_reports:unit", args=[e, counted.region.pk])
    assert f'<a href="{region}">Карагандинская область (350000000)</a>' in html
    html = client.get(region).content.decode()
    district = reverse("results_reports:unit", args=[e, counted.district.pk])
    assert f'<a href="{district}">Абайский район (352000000)</a>' in html
