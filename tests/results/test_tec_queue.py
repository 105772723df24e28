"""The TEC's certification queue: verified protocols of the user's territory with figures, warnings and
explanations; certifying one or a checked set after a confirmation that shows the count and figures."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from results.models import Protocol, ProtocolState
from results.services import certify_protocols, reopen_protocol, save_entry
from results.services.certification import certify_protocol

from .factories import member, user
from .helpers import fresh, in_discrepancy, snapshot, verified

pytestmark = pytest.mark.django_db

QUEUE = "results:tec_queue"
CERTIFY = "results:certify_selected"


def _clerks_of_station2(w):
    if not hasattr(w, "s2_clerks"):
        w.s2_clerks = [member(user(name), w.precinct2, "clerk") for name in ("s2-clerk-a", "s2-clerk-b")]
    return w.s2_clerks


def _station2(w, *, finish_second=True):
    a, b = _clerks_of_station2(w)
    values = w.values(voters="800", unused="40", ballots_received="800")
    save_entry(w.protocol2, a, values, finish=True)
    if finish_second:
        save_entry(w.protocol2, b, values, finish=True)
    return fresh(w.protocol2)


def _both_verified(w):
    verified(w)
    assert _station2(w).state == ProtocolState.VERIFIED
    return fresh(w.protocol), fresh(w.protocol2)


def _with_warning(w):
    """Station 1 verified with every valid vote for one candidate: a warning both clerks explained."""
    values = w.values(votes={str(w.c1.pk): "720", str(w.c2.pk): "0", str(w.c3.pk): "0"})
    save_entry(w.protocol, w.clerk1, values, finish=True, acknowledged={"votes.single_candidate": "Recounted twice."})
    save_entry(
        w.protocol, w.clerk2, values, finish=True, acknowledged={"votes.single_candidate": "Only one campaigned."}
    )
    return fresh(w.protocol)


@pytest.mark.parametrize("username", ["clerk1", "chair1", "akmola-clerk", "nobody"])
def test_not_for_precinct_members_or_users_without_a_territorial_seat(client, world, username):
    from django.contrib.auth import get_user_model

    verified(world)
    client.force_login(get_user_model().objects.get(username=username))
    assert client.get(reverse(QUEUE)).status_code == 403
    before = snapshot(world.protocol)
    response = client.post(reverse(CERTIFY), {"protocol": [world.protocol.pk], "confirm": "1"})
    assert response.status_code == 403
    assert snapshot(world.protocol) == before


def test_anonymous_goes_to_the_login_page(client, world):
    response = client.get(reverse(QUEUE))
    assert response.status_code == 302 and response["Location"].startswith(reverse("results:login"))


def test_the_queue_lists_verified_protocols_of_the_territory_with_figures_and_candidates(
    client, world, django_assert_max_num_queries
):
    verified(world)
    _station2(world, finish_second=False)  # not verified: not in the queue
    client.force_login(world.tec)
    with django_assert_max_num_queries(14):
        response = client.get(reverse(QUEUE))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.protocol.pk for row in rows] == [world.protocol.pk]
    html = response.content.decode()
    assert "1 verified protocol awaits certification." in html
    # Figures labelled by their paper code, candidates by ballot number and name (not candidacy ids).
    assert '<abbr title="Voters on the list">V</abbr> 1000' in html
    assert '<abbr title="Spoiled ballots">S</abbr> 10' in html
    assert "1. Ахметов Test: <strong>400</strong>" in html
    assert "2. Бекова Test: <strong>200</strong>" in html
    assert "3. Садыков Test: <strong>120</strong>" in html
    assert f"votes.{world.c1.pk}" not in html
    assert '<td class="num">75.00</td>' in html  # (700 + 50) / 1000


def test_the_queue_shows_warnings_with_both_clerks_explanations(client, world):
    _with_warning(world)
    client.force_login(world.tec)
    html = client.get(reverse(QUEUE)).content.decode()
    assert "received every valid vote (720)" in html
    assert "first entry (clerk1): Recounted twice." in html
    assert "second entry (clerk2): Only one campaigned." in html


def test_no_query_per_row(client, world, django_assert_max_num_queries):
    _both_verified(world)
    client.force_login(world.tec)
    with django_assert_max_num_queries(14):
        response = client.get(reverse(QUEUE))
    assert len(response.context["rows"]) == 2


def test_another_territory_is_not_listed_and_its_filter_is_ignored(client, world):
    verified(world)
    client.force_login(world.outsider_tec)  # chair of the Akmola precinct only: no TEC pages
    assert client.get(reverse(QUEUE)).status_code == 403
    client.force_login(world.tec)
    # A forged district filter outside the territory is ignored (the whole territory is shown).
    response = client.get(reverse(QUEUE), {"district": world.other_district.pk})
    assert response.context["district"] is None
    assert [row.protocol.pk for row in response.context["rows"]] == [world.protocol.pk]


def test_filters_list_only_the_users_territory(client, world):
    verified(world)
    client.force_login(world.tec)
    response = client.get(reverse(QUEUE))
    assert response.context["regions"] == [] and response.context["districts"] == []  # one district: no filter
    assert "Акмолинская область" not in response.content.decode()
    client.force_login(world.cec)
    response = client.get(reverse(QUEUE))
    assert [u.kato for u in response.context["regions"]] == ["110000000", "350000000"]
    assert [u.kato for u in response.context["districts"]] == ["112000000", "352000000"]
    response = client.get(reverse(QUEUE), {"district": world.other_district.pk})
    assert response.context["rows"] == []
    response = client.get(reverse(QUEUE), {"district": world.district.pk})
    assert [row.protocol.pk for row in response.context["rows"]] == [world.protocol.pk]


def test_the_confirmation_shows_count_and_figures_and_changes_nothing(client, world):
    p1, p2 = _both_verified(world)
    client.force_login(world.tec)
    before = (snapshot(p1), snapshot(p2))
    data = {"protocol": [p1.pk, p2.pk], f"version-{p1.pk}": p1.version, f"version-{p2.pk}": p2.version}
    response = client.post(reverse(CERTIFY), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "You are about to certify 2 protocols with the figures below." in html
    assert "Certify 2 protocols" in html
    assert '<abbr title="Voters on the list">V</abbr> 800' in html
    assert '<abbr title="Voters on the list">V</abbr> 1000' in html
    assert (snapshot(p1), snapshot(p2)) == before


def test_one_rows_button_confirms_that_protocol_alone(client, world):
    p1, p2 = _both_verified(world)
    client.force_login(world.tec)
    response = client.post(reverse(CERTIFY), {"protocol": [p1.pk, p2.pk], "only": p2.pk})
    assert "You are about to certify 1 protocol with the figures below." in response.content.decode()
    assert [row.protocol.pk for row in response.context["rows"]] == [p2.pk]


def test_confirming_certifies_each_with_its_audit_record(client, world):
    p1, p2 = _both_verified(world)
    client.force_login(world.tec)
    data = {
        "protocol": [p1.pk, p2.pk],
        f"version-{p1.pk}": p1.version,
        f"version-{p2.pk}": p2.version,
        "confirm": "1",
    }
    response = client.post(reverse(CERTIFY), data, follow=True)
    assert "2 protocol(s) certified." in response.content.decode()
    for p in (p1, p2):
        p = fresh(p)
        assert (p.state, p.certified_by) == (ProtocolState.CERTIFIED, world.tec)
        event = AuditEvent.objects.for_object(p).get(action="protocol.certify")
        assert (event.actor, event.actor_role) == (world.tec, "chair")
    assert list(response.context["rows"]) == []


def test_a_protocol_changed_after_the_confirmation_page_is_refused_the_others_certified(client, world):
    p1, p2 = _both_verified(world)
    client.force_login(world.tec)
    seen = {f"version-{p1.pk}": p1.version, f"version-{p2.pk}": p2.version}
    # Meanwhile p1 is reopened and entered again with other figures: verified, at a later version.
    reopen_protocol(p1, world.regional, reason="Recount ordered")
    save_entry(p1, world.clerk1, world.values(spoiled="11", unused="239"), finish=True)
    save_entry(p1, world.clerk2, world.values(spoiled="11", unused="239"), finish=True)
    assert fresh(p1).state == ProtocolState.VERIFIED
    before = snapshot(p1)
    response = client.post(reverse(CERTIFY), {"protocol": [p1.pk, p2.pk], **seen, "confirm": "1"}, follow=True)
    html = response.content.decode()
    assert "1 protocol(s) certified." in html
    assert f"Not certified: Protocol of station 1, {world.rural.name}: Someone changed this protocol" in html
    assert snapshot(p1)[:5] == before[:5]  # p1 untouched (the audit count grew by p2's certification)
    assert not AuditEvent.objects.for_object(p1).filter(action="protocol.certify").exists()
    assert fresh(p2).state == ProtocolState.CERTIFIED


def test_refusals_name_the_protocol_and_the_reason(client, world):
    in_discrepancy(world)
    p2 = _station2(world)
    client.force_login(world.tec)
    data = {
        "protocol": [world.protocol.pk, p2.pk, world.other_protocol.pk, 999999],
        f"version-{p2.pk}": p2.version,
        "confirm": "1",
    }
    html = client.post(reverse(CERTIFY), data, follow=True).content.decode()
    assert "1 protocol(s) certified." in html
    assert "Not certified: Protocol of station 1" in html and "is in discrepancy" in html
    # Outside the territory or unknown: only the number, never the name.
    assert f"Not certified: #{world.other_protocol.pk}:" in html and "Not certified: #999999:" in html
    assert "Akmola" not in html and fresh(world.other_protocol).state == ProtocolState.EMPTY


def test_the_confirmation_leaves_out_what_is_no_longer_verified(client, world):
    p1, p2 = _both_verified(world)
    certify_protocol(p1, world.tec)
    client.force_login(world.tec)
    response = client.post(reverse(CERTIFY), {"protocol": [p1.pk, p2.pk, world.other_protocol.pk]})
    html = response.content.decode()
    assert "You are about to certify 1 protocol with the figures below." in html
    assert "2 selected protocols are no longer verified in your territory and are left out." in html


@pytest.mark.parametrize("data", [{}, {"protocol": ["x", "-1", ""]}, {"protocol": ["1" * 20]}])
def test_nothing_selected_or_junk_returns_to_the_queue_with_a_message(client, world, data):
    client.force_login(world.tec)
    response = client.post(reverse(CERTIFY), {**data, "confirm": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(QUEUE)
    assert "Select at least one protocol to certify." in response.content.decode()


def test_get_on_the_certify_address_is_refused(client, world):
    client.force_login(world.tec)
    assert client.get(reverse(CERTIFY)).status_code == 405


def test_the_bulk_service_reports_each_failure_with_its_code(world):
    p1, p2 = _both_verified(world)
    outcome = dict(certify_protocols([p1.pk, p2.pk, world.other_protocol.pk], world.tec, expected_versions={p1.pk: 0}))
    assert outcome[p1.pk].code == "stale_form"
    assert outcome[p2.pk] is None
    assert outcome[world.other_protocol.pk].code == "out_of_scope"
    assert fresh(p1).state == ProtocolState.VERIFIED and fresh(p2).state == ProtocolState.CERTIFIED
    assert Protocol.objects.filter(state=ProtocolState.CERTIFIED).count() == 1


def test_the_queue_pages_by_fifty(client, world, monkeypatch):
    from results.views import tec

    monkeypatch.setattr(tec, "QUEUE_PAGE_SIZE", 1)
    _both_verified(world)
    client.force_login(world.tec)
    first = client.get(reverse(QUEUE))
    second = client.get(reverse(QUEUE), {"page": "2"})
    assert [r.protocol.pk for r in first.context["rows"]] == [world.protocol.pk]
    assert [r.protocol.pk for r in second.context["rows"]] == [world.protocol2.pk]
    assert "Page 1 of 2" in first.content.decode()
    assert tec.MAX_SELECTED == 500
