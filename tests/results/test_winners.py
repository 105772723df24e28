"""results.winners: from a contest's official outcome to the office register (winner registered as
akim, runoff called, repeat election or tie flagged). Official outcomes are real: protocols in the
database, aggregated by results.aggregation. Unhappy paths first; a refusal writes nothing."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from core import clock
from core.models import AuditEvent
from registry.models import Candidacy, ContestFollowUp, Election, TermOfOffice
from registry.offices import services as offices
from registry.services import advance_election
from results import winners
from results.aggregation import recompute
from results.models import ProtocolState
from tests.registry.factories import user_with_seat

from . import aggregation_data as data

pytestmark = pytest.mark.django_db
ALMATY = ZoneInfo("Asia/Almaty")
d = datetime.date


def at(day, hour, minute=0, second=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute, second), tzinfo=ALMATY)


ESTABLISHED = at(d(2021, 7, 27), 12)
REGISTRATION = at(d(2021, 8, 2), 10)


def everything():
    return (
        TermOfOffice.objects.count(),
        ContestFollowUp.objects.count(),
        Election.objects.count(),
        Candidacy.objects.count(),
        AuditEvent.objects.count(),
    )


def refused(call, code):
    before = everything()
    with pytest.raises(Exception) as excinfo:
        call()
    assert getattr(excinfo.value, "code", None) == code, excinfo.value
    assert everything() == before
    return excinfo.value


class World:
    def __init__(self, **rules):
        self.region = data.region()
        self.district = data.district(self.region)
        self.election = data.election(**rules)
        self.tec = user_with_seat("tec", "regional", self.region)
        self.other_region = data.region("Other")
        self.outsider = user_with_seat("outsider", "regional", self.other_region)

    def contest(self, votes, *, state=ProtocolState.CERTIFIED, voters=1000, invalid=0):
        unit = data.rural_district(self.district)
        contest, cands, stations = data.contest(self.election, unit, candidates=len(votes), voters=voters)
        data.simple_protocol(contest, stations[0], cands, votes, state=state, voters=voters, invalid=invalid)
        return contest, cands

    def establish(self):
        recompute(self.election, wait=True)
        with clock.frozen(ESTABLISHED):
            advance_election(None, self.election, Election.Status.RESULTS_ESTABLISHED)
        self.election.refresh_from_db()


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def registration_day():
    with clock.frozen(REGISTRATION) as moment:
        yield moment


def test_no_winner_before_the_results_are_established(world, registration_day):
    contest, _cands = world.contest([600, 300])
    recompute(world.election, wait=True)
    refused(lambda: winners.register_winner(world.tec, contest), "results_not_established")
    refused(lambda: winners.act_on_election(world.tec, world.election), "results_not_established")


def test_no_winner_without_an_official_outcome(world, registration_day):
    verified_only, _ = world.contest([600, 300], state=ProtocolState.VERIFIED)
    world.establish()
    error = refused(lambda: winners.register_winner(world.tec, verified_only), "no_official_winner")
    assert error.details["outcome"] == "incomplete"
    refused(lambda: winners.act_on_outcome(world.tec, verified_only), "outcome_incomplete")


def test_no_winner_for_a_contest_never_aggregated(world, registration_day):
    world.establish()
    contest, _ = world.contest([600, 300])  # protocols certified after the last aggregation
    error = refused(lambda: winners.register_winner(world.tec, contest), "no_official_winner")
    assert error.details["outcome"] is None


def test_no_winner_outside_the_actors_territory(world, registration_day):
    contest, _ = world.contest([600, 300])
    world.establish()
    refused(lambda: winners.register_winner(world.outsider, contest), "out_of_scope")


def test_deadline_is_the_cut_off_seven_days_after_the_results(world):
    contest, cands = world.contest([600, 300])
    world.establish()
    assert winners.registration_deadline(world.election) == at(d(2021, 8, 3), 18)
    with clock.frozen(at(d(2021, 8, 3), 18)):
        refused(lambda: winners.register_winner(world.tec, contest), "winner_registration_deadline_passed")
    with clock.frozen(at(d(2021, 8, 3), 17, 59, 59)):
        term = winners.register_winner(world.tec, contest)
    assert term.started_on == d(2021, 8, 3)


def test_deadline_is_a_rule_of_the_election(registration_day):
    world = World(winner_registration_days=3)
    contest, _ = world.contest([600, 300])
    world.establish()
    refused(lambda: winners.register_winner(world.tec, contest), "winner_registration_deadline_passed")


def test_term_cannot_start_before_the_results_were_established(world, registration_day):
    contest, _ = world.contest([600, 300])
    world.establish()
    refused(
        lambda: winners.register_winner(world.tec, contest, started_on=d(2021, 7, 26)), "term_starts_before_results"
    )


def test_winner_registered_as_akim(world, registration_day):
    contest, cands = world.contest([300, 600])
    world.establish()
    term = winners.register_winner(world.tec, contest)
    assert (term.person, term.unit, term.candidacy) == (cands[1].person, contest.unit, cands[1])
    assert (term.started_on, term.planned_end_on, term.term_number) == (d(2021, 8, 2), d(2025, 8, 2), 1)
    assert (term.election, term.office_type) == (world.election, "rural_district")
    follow_up = ContestFollowUp.objects.get(contest=contest)
    assert (follow_up.action, follow_up.outcome, follow_up.term) == ("winner_registered", "elected", term)
    assert AuditEvent.objects.for_object(term).get().actor_name == "tec"
    # once acted on, never twice
    refused(lambda: winners.register_winner(world.tec, contest), "outcome_already_acted_on")
    refused(lambda: winners.act_on_outcome(world.tec, contest), "outcome_already_acted_on")


def test_no_second_open_term_for_the_unit(world, registration_day):
    contest, _ = world.contest([600, 300])
    world.establish()
    sitting = offices.open_term_of_office(
        None, person=data.person(), unit=contest.unit, office_type="rural_district", started_on=d(2017, 8, 1)
    )
    error = refused(lambda: winners.register_winner(world.tec, contest), "unit_has_akim_in_office")
    assert error.details["term"] == sitting.pk
    offices.complete_term(None, sitting, ended_on=d(2021, 8, 1))
    assert winners.register_winner(world.tec, contest).started_on == d(2021, 8, 2)


def test_fewer_than_two_candidates_is_flagged_for_a_repeat_election(world, registration_day):
    contest, _ = world.contest([700])
    world.establish()
    error = refused(lambda: winners.register_winner(world.tec, contest), "no_official_winner")
    assert (error.details["outcome"], error.details["flags"]) == ("elected", ["few_candidates"])
    action, follow_up = winners.act_on_outcome(world.tec, contest)
    assert (action, follow_up.action, follow_up.flags) == ("repeat_election", "repeat_election", ["few_candidates"])
    assert not TermOfOffice.objects.exists()


def test_invalid_contest_is_flagged_for_a_repeat_election(registration_day):
    world = World(min_turnout_percent=50)
    contest, _ = world.contest([200, 100], voters=1000)  # turnout 30%
    world.establish()
    refused(lambda: winners.register_winner(world.tec, contest), "no_official_winner")
    action, follow_up = winners.act_on_outcome(world.tec, contest)
    assert (action, follow_up.outcome, follow_up.flags) == ("repeat_election", "invalid_turnout", ["invalid"])


def test_tie_is_flagged_for_the_commission(world, registration_day):
    contest, _ = world.contest([400, 400])
    world.establish()
    refused(lambda: winners.register_winner(world.tec, contest), "no_official_winner")
    action, follow_up = winners.act_on_outcome(world.tec, contest)
    assert (action, follow_up.outcome) == ("tie", "tie")


def test_runoff_outcome_creates_the_runoff_contest(registration_day):
    world = World(winner_rule="absolute_majority", min_age=30)
    contest, cands = world.contest([400, 350, 250])
    world.establish()
    refused(lambda: winners.register_winner(world.tec, contest), "no_official_winner")
    action, runoff = winners.act_on_outcome(world.tec, contest)
    assert action == "runoff"
    assert (runoff.kind, runoff.origin, runoff.election_day) == ("runoff", world.election, d(2021, 8, 8))
    # Same rules as the first round, except that the runoff's two candidates need only a plurality.
    assert (runoff.winner_rule, runoff.min_age, runoff.status) == ("plurality", 30, "campaign")
    runoff_contest = runoff.contests.get()
    assert runoff_contest.unit == contest.unit
    pair = runoff_contest.candidacies.order_by("pk")
    assert [c.person for c in pair] == [cands[0].person, cands[1].person]
    assert {c.status for c in pair} == {"registered"}
    assert ContestFollowUp.objects.get(contest=contest).follow_up_election == runoff


def test_act_on_election_reports_every_contest(world, registration_day):
    won, _ = world.contest([600, 300])
    single, _ = world.contest([500])
    pending, _ = world.contest([600, 300], state=ProtocolState.VERIFIED)
    world.establish()
    report = winners.act_on_election(world.tec, world.election, started_on=d(2021, 8, 2))
    assert [row[0] for row in report.registered] == [won.unit.kato]
    assert report.repeat_elections == [(single.unit.kato, "elected", ["few_candidates"])]
    assert report.pending == [(pending.unit.kato, "incomplete", ["incomplete"])]
    assert "winners registered as akims: 1" in report.lines()[0]
    before = everything()
    again = winners.act_on_election(world.tec, world.election)
    assert (again.registered, again.repeat_elections) == ([], [])
    assert everything() == before


def test_act_on_election_refuses_rows_outside_the_territory(world, registration_day):
    world.contest([600, 300])
    world.contest([500])
    world.establish()
    before = everything()
    report = winners.act_on_election(world.outsider, world.election)
    assert sorted(code for _kato, code, _msg in report.refused) == ["out_of_scope", "out_of_scope"]
    assert (report.registered, report.repeat_elections) == ([], [])
    assert everything() == before


def test_act_on_election_leaves_out_a_unit_with_an_akim_in_office(world, registration_day):
    sitting_unit, _ = world.contest([600, 300])
    other, cands = world.contest([200, 700])
    world.establish()
    offices.open_term_of_office(
        None, person=data.person(), unit=sitting_unit.unit, office_type="rural_district", started_on=d(2017, 8, 1)
    )
    report = winners.act_on_election(world.tec, world.election)
    assert report.refused == [(sitting_unit.unit.kato, "unit_has_akim_in_office", [report.refused[0][2][0]])]
    assert [row[0] for row in report.registered] == [other.unit.kato]
    term = TermOfOffice.objects.get(candidacy=cands[1])
    assert (term.started_on, term.planned_end_on, term.term_number) == (d(2021, 8, 2), d(2025, 8, 2), 1)
    assert AuditEvent.objects.for_object(term).get().action == "registry.open_term_of_office"
    assert not ContestFollowUp.objects.filter(contest=sitting_unit).exists()


def test_act_on_election_after_the_deadline_flags_but_registers_nobody(world):
    world.contest([600, 300])
    single, _ = world.contest([500])
    world.establish()
    with clock.frozen(at(d(2021, 8, 4), 10)):
        report = winners.act_on_election(world.tec, world.election)
    assert [code for _kato, code, _msg in report.refused] == ["winner_registration_deadline_passed"]
    assert [row[0] for row in report.repeat_elections] == [single.unit.kato]
    assert not TermOfOffice.objects.exists()


def test_act_on_election_calls_runoffs(registration_day):
    world = World(winner_rule="absolute_majority")
    contest, _ = world.contest([400, 350, 250])
    world.establish()
    report = winners.act_on_election(world.tec, world.election)
    assert report.runoffs == [(contest.unit.kato, "runoff", ["runoff"])]
    assert Election.objects.filter(kind="runoff", origin=world.election).count() == 1
