"""The clerk, supervisor and TEC pages: scoping (404), blind double entry, bad input, no N+1."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from results.models import ProtocolState
from results.services import certify_protocol

from .helpers import first_done, fresh, in_discrepancy, snapshot, verified

pytestmark = pytest.mark.django_db


def post_values(w, version, action="finish", **overrides):
    values = w.values(**overrides)
    data = {k: v for k, v in values.items() if k != "votes"}
    data.update({f"vote_{cid}": n for cid, n in values["votes"].items()})
    data.update({"version": str(version), "action": action})
    return data


def login(client, user):
    client.force_login(user)
    return client


def entry_url(p):
    return reverse("results:entry", args=[p.pk])


def test_login_page_and_redirect(client, world):
    response = client.get(reverse("results:my_stations"))
    assert response.status_code == 302 and reverse("results:login") in response["Location"]
    page = client.get(reverse("results:login"))
    assert page.status_code == 200 and b"autofocus" in page.content
    response = client.post(reverse("results:login"), {"username": "clerk1", "password": "pw", "next": "/entry/"})
    assert response.status_code == 302 and response["Location"] == "/entry/"


def test_my_stations_lists_only_mine(client, world, django_assert_max_num_queries):
    login(client, world.clerk1)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("results:my_stations"))
    assert response.status_code == 200
    assert list(response.context["protocols"]) == [world.protocol]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_protocol_outside_the_clerks_stations_is_404(client, world, method):
    login(client, world.clerk1)
    before = snapshot(world.other_protocol)
    if method == "get":
        response = client.get(entry_url(world.other_protocol))
    else:
        response = client.post(entry_url(world.other_protocol), post_values(world, 0))
    assert response.status_code == 404
    assert snapshot(world.other_protocol) == before


def test_the_form_is_laid_out_like_the_paper(client, world):
    login(client, world.clerk1)
    response = client.get(entry_url(world.protocol))
    html = response.content.decode()
    assert response.status_code == 200
    for code in ("V", "R", "Is", "Im", "S", "U", "Fs", "Fm", "N", "№ 1", "№ 2", "№ 3"):
        assert f'<span class="code">{code}</span>' in html
    assert (
        html.index('name="voters"') < html.index('name="found_stationary"') < html.index(f'name="vote_{world.c1.pk}"')
    )
    assert html.count("autofocus") == 1
    assert "<script>" not in html  # no inline script (CSP)


def test_finish_then_second_clerk_sees_a_blank_form(client, world):
    login(client, world.clerk1)
    response = client.post(entry_url(world.protocol), post_values(world, 0, spoiled="10"))
    assert response.status_code == 302
    assert fresh(world.protocol).state == ProtocolState.FIRST_ENTRY_DONE
    second = login(client, world.clerk2).get(entry_url(world.protocol))
    html = second.content.decode()
    assert 'name="voters" value=""' in html and 'value="700"' not in html
    # The first clerk is told to leave the second entry to someone else.
    again = login(client, world.clerk1).get(entry_url(world.protocol))
    assert again.context["may_enter"] is False


def test_draft_keeps_values_for_its_clerk_only(client, world):
    login(client, world.clerk1)
    client.post(entry_url(world.protocol), {"voters": "1000", "spoiled": "7", "version": "0", "action": "draft"})
    own = client.get(entry_url(world.protocol)).content.decode()
    assert 'value="7"' in own
    other = login(client, world.clerk2).get(entry_url(world.protocol))
    assert 'value="7"' not in other.content.decode() and other.context["may_enter"] is False


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"voters": ""}, "figure.missing"),
        ({"spoiled": "ten"}, "figure.not_integer"),
        ({"unused": "99999999"}, "figure.too_large"),
        ({"ballots_received": "999"}, "ballots.balance"),
    ],
)
def test_bad_input_shows_the_code_and_keeps_the_typed_figures_as_a_draft(client, world, overrides, code):
    login(client, world.clerk1)
    response = client.post(entry_url(world.protocol), post_values(world, 0, **overrides))
    assert response.status_code == 422
    html = response.content.decode()
    assert f'data-code="{code}"' in html
    ((name, typed),) = overrides.items()
    assert f'name="{name}" value="{typed}"' in html  # given back exactly as typed
    protocol = fresh(world.protocol)
    assert protocol.state == ProtocolState.FIRST_ENTRY_IN_PROGRESS  # not finished, kept as a draft
    assert f'name="version" value="{protocol.version}"' in html  # the form can be sent again


def test_a_forged_vote_for_another_contests_candidate_is_refused(client, world):
    login(client, world.clerk1)
    data = post_values(world, 0)
    data[f"vote_{world.foreign.pk}"] = "0"
    response = client.post(entry_url(world.protocol), data)
    assert response.status_code == 422 and b"candidate.unknown" in response.content
    protocol = fresh(world.protocol)
    assert protocol.state == ProtocolState.FIRST_ENTRY_IN_PROGRESS
    assert str(world.foreign.pk) not in protocol.entries.get().values["votes"]


def test_forged_extra_fields_have_no_effect(client, world):
    login(client, world.clerk1)
    data = post_values(world, 0)
    data.update({"state": "certified", "clerk": str(world.clerk2.pk), "cycle": "9", "official_entry": "1", "slot": "2"})
    client.post(entry_url(world.protocol), data)
    protocol = fresh(world.protocol)
    assert (protocol.state, protocol.cycle) == (ProtocolState.FIRST_ENTRY_DONE, 1)
    entry = protocol.entries.get()
    assert (entry.clerk, entry.slot) == (world.clerk1, 1)
    assert set(entry.values) == {
        "voters", "ballots_received", "issued_station", "issued_mobile", "spoiled", "unused",
        "found_stationary", "found_mobile", "invalid", "votes",
    }  # fmt: skip


def test_a_stale_form_is_refused_with_a_message(client, world):
    first_done(world)  # version moved on while clerk2 had version 0 open
    login(client, world.clerk2)
    before = snapshot(world.protocol)
    response = client.post(entry_url(world.protocol), post_values(world, 0), follow=True)
    assert any("Reload the page" in str(m) for m in response.context["messages"])
    assert snapshot(world.protocol) == before


def test_second_entry_by_the_first_clerk_via_post(client, world):
    protocol = first_done(world)
    login(client, world.clerk1)
    before = snapshot(world.protocol)
    response = client.post(entry_url(world.protocol), post_values(world, protocol.version), follow=True)
    assert any("different clerk" in str(m) for m in response.context["messages"])
    assert snapshot(world.protocol) == before


def test_entry_into_a_certified_protocol_via_post(client, world):
    verified(world)
    certify_protocol(world.protocol, world.tec)
    protocol = fresh(world.protocol)
    login(client, world.clerk3)
    before = snapshot(protocol)
    response = client.post(entry_url(protocol), post_values(world, protocol.version), follow=True)
    assert any("certified" in str(m) for m in response.context["messages"])
    assert snapshot(protocol) == before


def test_warning_acknowledgement_through_the_form(client, world):
    login(client, world.clerk1)
    data = post_values(world, 0, found_stationary="699", invalid="29")
    response = client.post(entry_url(world.protocol), data)
    assert response.status_code == 422 and b'name="ack_found.below_issued"' in response.content
    data.update({"ack_found.below_issued": "on", "why_found.below_issued": "a voter took the ballot away"})
    data["version"] = str(fresh(world.protocol).version)  # the refused finish saved a draft
    response = client.post(entry_url(world.protocol), data)
    assert response.status_code == 302
    assert fresh(world.protocol).entries.get().acknowledged == {"found.below_issued": "a voter took the ballot away"}


# --- supervisor --------------------------------------------------------------------------------


def test_discrepancy_pages_show_both_entries_and_highlight_differences(client, world, django_assert_max_num_queries):
    in_discrepancy(world)
    login(client, world.chair)
    with django_assert_max_num_queries(12):
        listing = client.get(reverse("results:discrepancies"))
    assert list(listing.context["protocols"]) == [world.protocol]
    page = client.get(reverse("results:discrepancy", args=[world.protocol.pk]))
    differ = [r["path"] for r in page.context["rows"] if r["differ"]]
    assert differ == ["spoiled", "unused"]
    assert page.content.decode().count('class="differ"') == 2


def test_no_side_by_side_view_before_both_entries_are_done(client, world):
    first_done(world)
    login(client, world.chair)
    assert client.get(reverse("results:discrepancy", args=[world.protocol.pk])).status_code == 404


def test_clerks_cannot_open_the_supervisor_pages(client, world):
    in_discrepancy(world)
    login(client, world.clerk1)
    assert client.get(reverse("results:discrepancy", args=[world.protocol.pk])).status_code == 403
    assert client.post(reverse("results:resolve", args=[world.protocol.pk]), {"choice": "keep_1"}).status_code == 403
    assert client.get(reverse("results:discrepancies")).context["protocols"] == []


def test_resolve_by_keeping_an_entry(client, world):
    protocol = in_discrepancy(world)
    login(client, world.chair)
    url = reverse("results:resolve", args=[protocol.pk])
    data = {"choice": "keep_2", "reason": "checked the paper", "version": protocol.version, "submission": "k" * 32}
    review = client.post(url, data)
    assert review.status_code == 200 and fresh(protocol).state == ProtocolState.IN_DISCREPANCY
    response = client.post(url, {**data, "confirm": "yes"}, follow=True)
    assert fresh(protocol).state == ProtocolState.VERIFIED and fresh(protocol).spoiled == 11
    assert [str(m) for m in response.context["messages"]] == [
        "Entry 2 by clerk2 kept: its figures are now the official ones."
    ]


def test_resolve_with_corrected_figures_needs_a_reason(client, world):
    protocol = in_discrepancy(world)
    login(client, world.chair)
    data = post_values(world, protocol.version, spoiled="12", unused="238")
    data.update({"choice": "correct", "reason": "", "confirm": "yes"})
    response = client.post(reverse("results:resolve", args=[protocol.pk]), data)
    assert response.status_code == 422
    assert fresh(protocol).state == ProtocolState.IN_DISCREPANCY
    data["reason"] = "recounted the spoiled ballots"
    client.post(reverse("results:resolve", args=[protocol.pk]), data)
    assert fresh(protocol).spoiled == 12


# --- TEC -----------------------------------------------------------------------------------------


def test_progress_counts_per_level(client, world):
    verified(world)
    login(client, world.tec)
    response = client.get(reverse("results:progress") + "?level=contest")
    rows = response.context["rows"]
    assert len(rows) == 1  # the Akmola contest is outside this district
    assert (rows[0]["total"], rows[0]["verified"], rows[0]["empty"]) == (2, 1, 1)
    national = login(client, world.cec).get(reverse("results:progress") + "?level=region").context["rows"]
    assert sum(r["total"] for r in national) == 3


def test_clerks_get_no_progress_page(client, world):
    login(client, world.clerk1)
    assert client.get(reverse("results:progress")).status_code == 403


def test_certify_and_reopen_through_the_pages(client, world):
    protocol = verified(world)
    login(client, world.tec)
    listing = client.get(reverse("results:tec_protocols") + "?state=verified")
    assert list(listing.context["protocols"]) == [protocol]
    client.post(reverse("results:certify", args=[protocol.pk]), {"version": protocol.version})
    protocol = fresh(protocol)
    assert protocol.state == ProtocolState.CERTIFIED
    client.post(reverse("results:reopen", args=[protocol.pk]), {"version": protocol.version, "reason": ""})
    assert fresh(protocol).state == ProtocolState.CERTIFIED
    client.post(reverse("results:reopen", args=[protocol.pk]), {"version": protocol.version, "reason": "court order"})
    assert fresh(protocol).state == ProtocolState.EMPTY
    assert AuditEvent.objects.filter(action="protocol.reopen", reason="court order").count() == 1


def test_chair_cannot_certify(client, world):
    protocol = verified(world)
    login(client, world.chair)
    assert client.post(reverse("results:certify", args=[protocol.pk]), {"version": protocol.version}).status_code == 403
    assert fresh(protocol).state == ProtocolState.VERIFIED


def test_progress_page_is_one_grouped_query(client, world, django_assert_max_num_queries):
    login(client, world.cec)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("results:progress") + "?level=district")
    assert response.status_code == 200 and response.context["totals"]["total"] == 3
