"""Issue 17, point 9: a draft no longer locks a protocol for ever. The precinct chair or a territorial
commission abandons another clerk's unfinished entry, with a reason, audited; nobody else may."""

import pytest
from django.urls import reverse

from core.errors import InvalidTransition, NotPermitted, OutOfScope
from core.models import AuditEvent
from core.text import TextNotStorable
from results.errors import ReasonRequired, ReasonTooLong, StaleForm
from results.models import ProtocolEntry, ProtocolState
from results.services import save_entry
from results.services.entry import MAX_ABANDON_REASON, abandon_draft_of_other

from .factories import member, user
from .helpers import actions, first_done, fresh, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world):
    save_entry(world.protocol, world.clerk1, {"voters": "1000"})
    return fresh(world.protocol)


def test_the_chair_abandons_a_clerks_draft_with_a_reason_audited(world, draft):
    protocol, entry = abandon_draft_of_other(draft, world.chair, reason="  clerk1 fell ill  ")
    assert protocol.state == ProtocolState.EMPTY
    assert entry.clerk == world.clerk1 and fresh(draft).entries.get().status == ProtocolEntry.Status.DISCARDED
    event = AuditEvent.objects.for_object(draft).order_by("id").last()
    assert event.action == "protocol.abandon_first"
    assert (event.actor, event.actor_role, event.reason) == (world.chair, "chair", "clerk1 fell ill")
    assert event.data["clerk"] == world.clerk1.pk and event.data["by_other"] is True
    assert event.data["values"]["voters"] == 1000
    # the protocol is free: another clerk enters it
    save_entry(world.protocol, world.clerk2, world.values(), finish=True)
    assert fresh(world.protocol).state == ProtocolState.FIRST_ENTRY_DONE


def test_the_district_tec_abandons_a_second_entry_draft(world):
    first_done(world)
    save_entry(world.protocol, world.clerk2, {"voters": "1000"})
    protocol, entry = abandon_draft_of_other(world.protocol, world.tec, reason="left the station")
    assert protocol.state == ProtocolState.FIRST_ENTRY_DONE and entry.clerk == world.clerk2
    assert actions(world.protocol)[-1] == "protocol.abandon_second"


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_without_a_reason_nothing_changes(world, draft, reason):
    before = snapshot(draft)
    with pytest.raises(ReasonRequired) as error:
        abandon_draft_of_other(draft, world.chair, reason=reason)
    assert error.value.code == "reason_required"
    assert snapshot(draft) == before


def test_a_reason_with_a_nul_or_too_long_is_refused(world, draft):
    before = snapshot(draft)
    with pytest.raises(TextNotStorable) as error:
        abandon_draft_of_other(draft, world.chair, reason="ill\x00")
    assert error.value.code == "text_has_nul"
    with pytest.raises(ReasonTooLong) as error:
        abandon_draft_of_other(draft, world.chair, reason="x" * (MAX_ABANDON_REASON + 1))
    assert "2001" in str(error.value.message) and "2000" in str(error.value.message)
    assert snapshot(draft) == before
    abandon_draft_of_other(draft, world.chair, reason="x" * MAX_ABANDON_REASON)  # the boundary itself
    assert fresh(draft).state == ProtocolState.EMPTY


@pytest.mark.parametrize("who", ["clerk2", "clerk3"])
def test_a_clerk_of_the_same_station_is_refused(world, draft, who):
    before = snapshot(draft)
    with pytest.raises(NotPermitted):
        abandon_draft_of_other(draft, getattr(world, who), reason="mine now")
    assert snapshot(draft) == before


def test_a_clerk_or_chair_of_another_station_is_refused(world, draft):
    before = snapshot(draft)
    other_clerk = member(user("p2-clerk"), world.precinct2, "clerk")
    other_chair = member(user("p2-chair"), world.precinct2, "chair")
    for who in (other_clerk, other_chair, world.outsider):
        with pytest.raises(OutOfScope):
            abandon_draft_of_other(draft, who, reason="not mine")
    assert snapshot(draft) == before


def test_a_tec_outside_its_territory_is_refused(world, draft):
    from territory.models import Commission

    akmola_tec = Commission.objects.create(kind="district", name="ТИК Акмола", unit=world.other_district)
    outsider_tec = member(user("akmola-district-tec", is_staff=True), akmola_tec, "chair")
    before = snapshot(draft)
    with pytest.raises(OutOfScope):
        abandon_draft_of_other(draft, outsider_tec, reason="not ours")
    assert snapshot(draft) == before


def test_no_draft_no_abandon_and_stale_versions_are_refused(world, draft):
    with pytest.raises(StaleForm):
        abandon_draft_of_other(draft, world.chair, reason="x", expected_version=draft.version - 1)
    with pytest.raises(InvalidTransition):
        abandon_draft_of_other(world.protocol2, world.tec, reason="x")  # empty: no draft


# --- the page ---------------------------------------------------------------------------------


def _url(protocol):
    return reverse("results:abandon_draft", args=[protocol.pk])


def test_the_page_shows_the_draft_and_abandons_it(client, world, draft):
    client.force_login(world.chair)
    page = client.get(_url(draft))
    assert page.status_code == 200 and "clerk1" in page.content.decode()
    response = client.post(_url(draft), {"reason": "ill", "version": str(draft.version)})
    assert response.status_code == 302
    assert fresh(draft).state == ProtocolState.EMPTY
    assert AuditEvent.objects.for_object(draft).order_by("id").last().reason == "ill"


def test_the_page_refuses_without_a_reason_or_with_a_nul(client, world, draft):
    client.force_login(world.chair)
    before = snapshot(draft)
    for reason in ("", "ill\x00"):
        response = client.post(_url(draft), {"reason": reason, "version": str(draft.version)})
        assert response.status_code == 400
    assert snapshot(draft) == before


@pytest.mark.parametrize("who", ["clerk2", "outsider", "nobody"])
def test_the_page_is_closed_to_clerks_and_outsiders(client, world, draft, who):
    client.force_login(getattr(world, who))
    before = snapshot(draft)
    get = client.get(_url(draft))
    post = client.post(_url(draft), {"reason": "x", "version": str(draft.version)})
    assert get.status_code in (403, 404) and post.status_code in (403, 404)
    assert snapshot(draft) == before


def test_the_tec_list_links_a_draft_to_its_abandon_page(client, world, draft):
    client.force_login(world.tec)
    page = client.get(reverse("results:tec_protocols") + "?state=first_entry_in_progress").content.decode()
    assert f'href="{_url(draft)}"' in page
