"""The protocol admin for a TEC: filters of its own territory, a list that fits, entries as labelled
tables (never before both are finished), reopen reasons and resolution notes, links to the TEC pages."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from results.services import certify_protocol, reopen_protocol, resolve_keep_entry

from .helpers import first_done, in_discrepancy, verified

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:results_protocol_changelist"


def staff(client, user):
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_protocol", "view_protocolentry"]))
    client.force_login(user)
    return client


def change_page(client, protocol):
    return client.get(reverse("admin:results_protocol_change", args=[protocol.pk]))


def _filter_choices(response, parameter):
    for spec in response.context["cl"].filter_specs:
        if getattr(spec, "parameter_name", None) == parameter:
            return [label for _value, label in spec.lookup_choices]
    return None


def test_a_district_tec_is_offered_no_unit_of_another_territory(client, world):
    staff(client, world.tec)
    response = client.get(reverse(CHANGELIST))
    html = response.content.decode()
    assert response.status_code == 200
    assert not _filter_choices(response, "region") and not _filter_choices(response, "district")  # no filter shown
    assert "Акмолинская область" not in html and "112000000" not in html


def test_the_cec_is_offered_every_region_and_district(client, world):
    staff(client, world.cec)
    response = client.get(reverse(CHANGELIST))
    assert _filter_choices(response, "region") == [
        "Акмолинская область (110000000)",
        "Карагандинская область (350000000)",
    ]
    assert _filter_choices(response, "district") == ["112000000 (112000000)", "Абайский район (352000000)"]
    filtered = client.get(reverse(CHANGELIST), {"district": world.other_district.pk})
    assert list(filtered.context["cl"].result_list) == [world.other_protocol]
    assert list(client.get(reverse(CHANGELIST), {"district": "x"}).context["cl"].result_list) == []


def test_the_list_columns_are_short(client, world):
    staff(client, world.tec)
    response = client.get(reverse(CHANGELIST))
    assert response.context["cl"].list_display == [
        "action_checkbox",
        "polling_station",
        "contest_unit",
        "district_name",
        "state",
        "turnout_percent",
        "state_changed_at",
    ]
    assert "— 25.07.2021" not in response.content.decode()  # not the contest's long label


def test_entries_are_labelled_tables_with_candidates_by_ballot_number(client, world, django_assert_max_num_queries):
    verified(world)
    staff(client, world.tec)
    with django_assert_max_num_queries(40):
        response = change_page(client, world.protocol)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<abbr title="Voters on the list">V</abbr> Voters on the list</th><td>1000</td>' in html
    assert '<th scope="row">1. Ахметов Test</th><td>400</td>' in html
    assert '<th scope="row">3. Садыков Test</th><td>120</td>' in html
    assert html.count('<table class="entry-figures">') == 2
    assert f'"{world.c1.pk}": 400' not in html and f"&quot;{world.c1.pk}&quot;" not in html  # no raw JSON


def test_the_first_entry_is_hidden_until_the_second_is_finished(client, world):
    first_done(world)
    staff(client, world.tec)
    html = change_page(client, world.protocol).content.decode()
    assert "hidden until both entries are finished" in html
    assert '<table class="entry-figures">' not in html
    assert "<td>400</td>" not in html


def test_reopen_reason_and_resolution_note_are_on_the_protocol_page(client, world):
    in_discrepancy(world)
    resolve_keep_entry(world.protocol, world.chair, 1, reason="Checked against the paper protocol")
    certify_protocol(world.protocol, world.tec)
    reopen_protocol(world.protocol, world.regional, reason="Recount ordered by the regional commission")
    staff(client, world.tec)
    html = change_page(client, world.protocol).content.decode()
    assert "discrepancy resolved: an entry kept" in html
    assert "Checked against the paper protocol" in html
    assert "reopened" in html and "Recount ordered by the regional commission" in html
    assert "tec-karaganda (secretary" in html


def test_no_reasons_shows_none(client, world):
    verified(world)
    staff(client, world.tec)
    html = change_page(client, world.protocol).content.decode()
    assert "Reopenings and resolutions" in html and '<table class="protocol-reasons">' not in html


@pytest.mark.parametrize("who", ["tec", "cec"])
def test_the_admin_home_links_to_the_tec_pages(client, world, who):
    client.force_login(getattr(world, who))
    html = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("results:tec_queue")}"' in html
    assert f'href="{reverse("results:progress")}"' in html
    assert f'href="{reverse("results:my_stations")}"' not in html  # certifiers do not enter
