"""The TEC pages in kk, ru and en (issue 19): units by their names of the election day, in the page's
language (the progress page read the Russian name, else the Kazakh one, whatever the language)."""

import re

import pytest
from django.urls import reverse

from core import clock
from results.services import save_entry
from tests.results.factories import COUNTING

from .test_exports_language import NAMES, assert_one_language, rename_after_the_election

pytestmark = pytest.mark.django_db

LANGUAGES = ("kk", "ru", "en")


@pytest.fixture
def verified(world):
    rename_after_the_election(world)
    with clock.frozen(COUNTING):
        save_entry(world.protocol, world.clerk1, world.values(), finish=True)
        save_entry(world.protocol, world.clerk2, world.values(), finish=True)
    return world


def main(response):
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<main id="main">') : html.index("</main>")]


def visible(html):
    return re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("level", "unit"), [("region", "region"), ("district", "district"), ("contest", "rural")]
)  # fmt: skip
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_progress_page_names_units_in_the_language(verified, in_language, language, level, unit):
    client = in_language(language)
    client.force_login(verified.tec)
    html = main(client.get(reverse("results:progress"), {"level": level}))
    kato = {"region": "350000000", "district": "352000000", "rural": "352030000"}[unit]
    assert f"<td>{NAMES[unit][language]} <small>{kato}</small></td>" in html
    assert "New name" not in html and "Новое название" not in html and "Жаңа атау" not in html
    assert_one_language(visible(html), language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_certification_queue_names_units_in_the_language(verified, in_language, language):
    client = in_language(language)
    client.force_login(verified.tec)
    html = main(client.get(reverse("results:tec_queue")))
    row = html[html.index(f'id="row-{verified.protocol.pk}"') :]
    assert f"<td>{NAMES['district'][language]}<br><strong>№ 1</strong><br>{NAMES['rural'][language]}<br>" in row
    assert_one_language(visible(row[: row.index("</tr>")]), language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_confirmation_and_the_protocol_list_name_units_in_the_language(verified, in_language, language):
    client = in_language(language)
    client.force_login(verified.tec)
    pk = verified.protocol.pk
    confirm = main(client.post(reverse("results:certify_selected"), {"protocol": [str(pk)]}))
    assert f"<td>{NAMES['district'][language]}<br><strong>№ 1</strong><br>{NAMES['rural'][language]}<br>" in confirm
    listed = main(client.get(reverse("results:tec_protocols"), {"state": "verified"}))
    assert f"<td>{NAMES['district'][language]}</td><td>№ 1</td><td>{NAMES['rural'][language]}</td>" in listed
