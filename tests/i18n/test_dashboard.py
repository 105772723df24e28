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
    ("language", "heading", "voters"),
    [("kk", "Сайлауға қатысу", "1\xa0000"), ("ru", "Явка", "1\xa0000"), ("en", "Turnout", "1,000")],
)
def test_dashboard_numbers_and_units_in_each_language(counted, in_language, language, heading, voters):
    client = in_language(language)
    client.force_login(counted.cec)
    html = client.get(reverse("results_reports:election", args=[counted.election.pk])).content.decode()
    assert f"<h2>{heading}</h2>" in html
    # The region's row: its name with the KATO code, the voters of the counted station grouped.
    assert f"<td>Карагандинская область (350000000)</td><td>{voters}</td><td>750</td>" in html
    assert "<td>Сельский округ А (352030000)</td><td>Абайский район (352000000)</td>" in html
