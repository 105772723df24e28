"""Official outcomes in the admin: scoped list, and the action that registers the elected akim (or
flags the contest) through results.winners; a refusal is shown with its code and writes nothing."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from core.models import AuditEvent
from registry.models import ContestFollowUp, TermOfOffice
from results.models import ContestResult, ProtocolState

from .test_winners import World, everything

pytestmark = pytest.mark.django_db
LIST = "admin:results_contestresult_changelist"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def world(db, registration_day):
    w = World()
    w.won, w.cands = w.contest([300, 600])
    w.single, _ = w.contest([500])
    w.pending, _ = w.contest([600, 300], state=ProtocolState.VERIFIED)
    w.establish()
    return w


@pytest.fixture
def registration_day():
    from core import clock

    from .test_winners import REGISTRATION

    with clock.frozen(REGISTRATION) as moment:
        yield moment


def act(client, results):
    return client.post(
        reverse(LIST),
        {"action": "act_on_selected", "_selected_action": [r.pk for r in results]},
        follow=True,
        **EN,
    )


def test_outsider_sees_no_outcome_and_cannot_act(client, world):
    client.force_login(world.outsider)
    response = client.get(reverse(LIST), **EN)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    before = everything()
    act(client, ContestResult.objects.filter(basis="official"))
    assert everything() == before


def test_tec_registers_the_winner_and_flags_the_rest(client, world):
    client.force_login(world.tec)
    response = client.get(reverse(LIST), **EN)
    assert {r.contest_id for r in response.context["cl"].result_list} == {
        world.won.pk,
        world.single.pk,
        world.pending.pk,
    }
    official = ContestResult.objects.filter(basis="official")
    response = act(client, official)
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("outcome_incomplete" in m for m in messages)  # the pending contest: refused, named
    term = TermOfOffice.objects.get()
    assert (term.person, term.unit) == (world.cands[1].person, world.won.unit)
    assert AuditEvent.objects.for_object(term).get().actor_name == "tec"
    assert ContestFollowUp.objects.get(contest=world.single).action == "repeat_election"
    assert not ContestFollowUp.objects.filter(contest=world.pending).exists()
    # acting again changes nothing and says why
    before = everything()
    response = act(client, official.filter(contest=world.won))
    assert any("outcome_already_acted_on" in str(m) for m in get_messages(response.wsgi_request))
    assert everything() == before
    listed = client.get(reverse(LIST) + "?follow_up=none", **EN).context["cl"].result_list
    assert [r.contest_id for r in listed] == [world.pending.pk]
