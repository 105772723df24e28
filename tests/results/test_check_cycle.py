"""manage.py check_cycle: a contest is stuck when its next step is due and has not happened; the
command lists those and exits 1, and 0 when none is."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from core import clock
from registry.models import Election
from registry.services import advance_election
from results import winners
from results.aggregation import recompute
from results.cycle import contest_states
from results.models import Basis, ContestResult, Protocol
from results.services import certify_protocols, create_protocols_for_election, save_entry

from .cycle_world import ALMATY, CycleWorld, at, d, figures

pytestmark = pytest.mark.django_db
ES = Election.Status


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def check(election):
    out = io.StringIO()
    try:
        call_command("check_cycle", election=election.pk, stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def state(election):
    return [s.state for s in contest_states(election)]


def test_a_contest_through_the_cycle(db):
    world = CycleWorld()
    election = world.call_election()
    contest = election.contests.get()
    cands = world.nominate_and_register(contest, 2, d(2021, 6, 10))
    with clock.frozen(at(d(2021, 7, 20))):
        advance_election(world.cec, election, ES.REGISTRATION)
        advance_election(world.cec, election, ES.CAMPAIGN)
    with clock.frozen(datetime.datetime(2021, 7, 24, 17, 59, 59, tzinfo=ALMATY)):
        assert check(election)[0] == 0
        assert state(election) == ["awaiting_candidates"]
    with clock.frozen(datetime.datetime(2021, 7, 24, 18, 0, tzinfo=ALMATY)):
        code, out = check(election)
        assert code == 1
        assert "STUCK 352030000 Rural district A: no_protocols" in out
        assert "1 contests, 1 stuck" in out
    with clock.frozen(at(d(2021, 7, 25), 21)):
        create_protocols_for_election(election, world.cec)
        advance_election(world.cec, election, ES.VOTING)
        advance_election(world.cec, election, ES.COUNTING)
        assert state(election) == ["counting"]
        for station, votes in ((world.station1, [500, 220]), (world.station2, [400, 170])):
            protocol = Protocol.objects.get(election=election, polling_station=station)
            values = figures(station.registered_voters, votes) | {
                "votes": {str(c.pk): str(n) for c, n in zip(cands, votes, strict=True)}
            }
            save_entry(protocol, world.clerk1, values, finish=True)
            save_entry(protocol, world.clerk2, values, finish=True)
        certify_protocols(Protocol.objects.filter(election=election), world.tec)
        code, out = check(election)
        assert (code, state(election)) == (1, ["no_result"])
        assert "no_result" in out
    with clock.frozen(at(d(2021, 7, 26))):
        recompute(election, wait=True)
        assert check(election)[0] == 0
        assert state(election) == ["awaiting_establishment"]
        # A result computed before the last certification (a lost aggregation message) is stuck.
        result = ContestResult.objects.filter(contest=contest, basis=Basis.OFFICIAL)
        computed_at = result.get().computed_at
        result.update(computed_at=at(d(2021, 7, 25), 20))
        assert (check(election)[0], state(election)) == (1, ["result_outdated"])
        result.update(computed_at=computed_at)
    with clock.frozen(at(d(2021, 7, 27))):
        advance_election(world.cec, election, ES.RESULTS_ESTABLISHED)
        code, out = check(election)
        assert code == 1
        assert "no_follow_up (results established but nothing done with the official outcome) elected" in out
        winners.act_on_outcome(world.tec, contest)
        code, out = check(election)
    assert code == 0
    assert "1 contests, 0 stuck: done 1" in out
    out = io.StringIO()
    call_command("check_cycle", election=election.pk, show_all=True, stdout=out)
    assert "ok 352030000 Rural district A: done (followed up) winner registered as akim" in out.getvalue()


def test_unknown_election():
    with pytest.raises(CommandError, match="No election with id 999999"):
        call_command("check_cycle", election=999999)
