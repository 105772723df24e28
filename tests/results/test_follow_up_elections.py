"""Follow-up elections end to end, through the services only: a first round with an absolute-majority
rule goes to a runoff (the top two carried over, plurality), which gets its protocols, double entry,
certification, aggregation and a winner whose term starts; a repeat election (too few candidates)
opens nomination again; a by-election follows an early termination. Bad input is refused with a
stable code and writes nothing."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from core import audit, clock
from core.models import AuditEvent
from registry.models import Candidacy, Contest, ContestFollowUp, Election, TermOfOffice
from registry.offices import services as offices
from registry.services import advance_election, create_contests, nominate, register, save_election_rules
from results import tasks, winners
from results.errors import CandidatesNotFinal
from results.models import Basis, ContestResult, Protocol
from results.services import create_protocols_for_election
from results.services.creation import create_due_protocols
from tests.registry import factories as rf

from .cycle_world import ALMATY, CycleWorld, at, d

pytestmark = pytest.mark.django_db


def everything():
    return (
        Election.objects.count(),
        Contest.objects.count(),
        Candidacy.objects.count(),
        Protocol.objects.count(),
        ContestFollowUp.objects.count(),
        TermOfOffice.objects.count(),
        AuditEvent.objects.count(),
    )


def refused(call, code):
    before = everything()
    with pytest.raises(Exception) as excinfo:
        call()
    assert getattr(excinfo.value, "code", None) == code, excinfo.value
    assert everything() == before
    return excinfo.value


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    return CycleWorld(winner_rule="absolute_majority")


def first_round(world, votes1=(300, 250, 170), votes2=(200, 200, 170)):
    """A first round of three candidates; by default nobody has a majority (500, 450, 340 of 1,290)."""
    election = world.call_election()
    contest = election.contests.get()
    cands = world.nominate_and_register(contest, 3, d(2021, 6, 10))
    created = world.run_election_day(election, {world.station1: list(votes1), world.station2: list(votes2)})
    return election, contest, cands, created


def walk_to_runoff_term(world):
    election, contest, cands, created = first_round(world)
    assert created == 2  # one protocol per station serving the rural district or its village
    result = ContestResult.objects.get(contest=contest, basis=Basis.OFFICIAL)
    assert (result.outcome, result.runoff) == ("runoff", [cands[0].pk, cands[1].pk])

    with clock.frozen(at(d(2021, 7, 28))):
        refused(lambda: winners.register_winner(world.tec, contest), "no_official_winner")
        refused(lambda: winners.call_runoff(world.tec, contest, candidacies=[cands[0], cands[2]]), "not_in_runoff_pair")
        runoff = winners.call_runoff(world.tec, contest)
        refused(lambda: winners.call_runoff(world.tec, contest), "runoff_already_called")
    assert (runoff.kind, runoff.origin_id, runoff.election_day) == ("runoff", election.pk, d(2021, 8, 8))
    assert (runoff.winner_rule, runoff.status) == ("plurality", "campaign")
    runoff_contest = runoff.contests.get()
    assert runoff_contest.registered_voters == 1800
    carried = list(runoff_contest.candidacies.order_by("pk"))
    assert [c.person_id for c in carried] == [cands[0].person_id, cands[1].person_id]
    with clock.frozen(at(d(2021, 7, 28))):
        refused(
            lambda: nominate(world.tec, contest=runoff_contest, person=cands[2].person, nomination_type="self"),
            "not_in_runoff_pair",
        )
        refused(lambda: create_protocols_for_election(runoff, world.cec), "candidates_not_final")

    # The runoff: the second candidate of the first round wins (740 to 550).
    created = world.run_election_day(runoff, {world.station1: [300, 420], world.station2: [250, 320]})
    assert created == 2
    result = ContestResult.objects.get(contest=runoff_contest, basis=Basis.OFFICIAL)
    assert (result.outcome, result.winner_id) == ("elected", carried[1].pk)
    with clock.frozen(at(d(2021, 8, 12))):
        term = winners.register_winner(world.tec, runoff_contest)
    assert (term.person_id, term.unit_id, term.election_id) == (cands[1].person_id, world.rural.pk, runoff.pk)
    assert (term.started_on, term.planned_end_on, term.term_number) == (d(2021, 8, 12), d(2025, 8, 12), 1)
    # A runoff's winner counts once toward the term limit: one term, the first round has none.
    assert TermOfOffice.objects.filter(person=cands[1].person).count() == 1
    assert ContestFollowUp.objects.get(contest=contest).action == "runoff"
    assert ContestFollowUp.objects.get(contest=runoff_contest).term == term
    return term


def test_first_round_to_runoff_to_term(world):
    walk_to_runoff_term(world)
    assert audit.verify_chain()[1] is None


@pytest.mark.postgres
def test_first_round_to_runoff_to_term_on_postgres(world):
    walk_to_runoff_term(world)
    checked, broken = audit.verify_chain()
    assert broken is None
    assert checked == AuditEvent.objects.count()


def test_runoff_refused_while_results_are_not_certified(world):
    election = world.call_election()
    contest = election.contests.get()
    world.nominate_and_register(contest, 3, d(2021, 6, 10))
    refused(lambda: winners.call_runoff(world.tec, contest), "results_not_certified")  # no protocols yet


def test_runoff_refused_for_a_contest_with_a_winner(world):
    # 900 of 1,290 valid votes: an absolute majority in the first round.
    election, contest, cands, _ = first_round(world, votes1=(500, 150, 70), votes2=(400, 100, 70))
    result = ContestResult.objects.get(contest=contest, basis=Basis.OFFICIAL)
    assert (result.outcome, result.winner_id) == ("elected", cands[0].pk)
    with clock.frozen(at(d(2021, 7, 28))):
        refused(lambda: winners.call_runoff(world.tec, contest), "contest_has_winner")


def test_runoff_refused_for_a_tie(world):
    # 500, 400, 400: no majority, and the second place is tied: the commission decides.
    election, contest, cands, _ = first_round(world, votes1=(300, 200, 220), votes2=(200, 200, 180))
    result = ContestResult.objects.get(contest=contest, basis=Basis.OFFICIAL)
    assert result.outcome == "tie"
    with clock.frozen(at(d(2021, 7, 28))):
        refused(lambda: winners.call_runoff(world.tec, contest), "runoff_not_due")


def test_runoff_refused_outside_the_territory(world):
    election, contest, _, _ = first_round(world)
    other_region = rf.unit("390000000", "region")
    outsider = rf.user_with_seat("outsider", "regional", other_region)
    with clock.frozen(at(d(2021, 7, 28))):
        refused(lambda: winners.call_runoff(outsider, contest), "out_of_scope")


def test_repeat_election_opens_nomination_again_and_runs_to_a_term(world):
    election = world.call_election()
    contest = election.contests.get()
    single = world.nominate_and_register(contest, 1, d(2021, 6, 10))
    world.run_election_day(election, {world.station1: [690], world.station2: [540]})
    with clock.frozen(at(d(2021, 7, 28))):
        refused(
            lambda: offices.call_repeat_election(world.tec, contest, election_day=d(2021, 10, 10)),
            "repeat_election_not_due",
        )
        action, _ = winners.act_on_outcome(world.tec, contest)
        assert action == "repeat_election"
        # At least 40 days between the call (28 July) and the vote: 5 September is a day short.
        refused(
            lambda: offices.call_repeat_election(world.tec, contest, election_day=d(2021, 9, 5)),
            "election_day_too_soon",
        )
        repeat = offices.call_repeat_election(world.tec, contest, election_day=d(2021, 9, 6))
        refused(
            lambda: offices.call_repeat_election(world.tec, contest, election_day=d(2021, 10, 10)),
            "repeat_election_already_called",
        )
    assert (repeat.kind, repeat.origin_id, repeat.status) == ("repeat", election.pk, "nomination")
    assert ContestFollowUp.objects.get(contest=contest).follow_up_election == repeat
    repeat_contest = repeat.contests.get()
    assert repeat_contest.candidacies.count() == 0  # nominated anew
    # The single candidate of the first round may stand again, with two new ones.
    with clock.frozen(at(d(2021, 8, 1))):
        again = nominate_again(world, repeat_contest, single[0].person)
    newcomers = world.nominate_and_register(repeat_contest, 1, d(2021, 8, 2))
    world.run_election_day(repeat, {world.station1: [300, 420], world.station2: [250, 320]})
    result = ContestResult.objects.get(contest=repeat_contest, basis=Basis.OFFICIAL)
    assert (result.outcome, result.winner_id) == ("elected", newcomers[0].pk)
    assert again.status == "registered"
    with clock.frozen(at(d(2021, 9, 10))):
        term = winners.register_winner(world.tec, repeat_contest)
    assert (term.election_id, term.term_number) == (repeat.pk, 1)
    assert audit.verify_chain()[1] is None


def nominate_again(world, contest, person):
    c = nominate(
        world.tec,
        contest=contest,
        person=person,
        nomination_type="self",
        signatures_submitted=60,
        signatures_valid=60,
        deposit_paid=True,
    )
    return register(world.tec, c)


def test_by_election_after_an_early_termination_runs_to_a_term(world):
    election, contest, cands, _ = first_round(world, votes1=(500, 150, 70), votes2=(400, 100, 70))
    with clock.frozen(at(d(2021, 7, 28))):
        term = winners.register_winner(world.tec, contest)
        refused(
            lambda: offices.call_by_election(world.tec, world.rural, vacated_on=d(2021, 7, 28), term=term),
            "term_not_ended",
        )
    with clock.frozen(at(d(2022, 3, 1))):
        term = offices.terminate_term(world.tec, term, reason="resignation", ended_on=d(2022, 3, 1))
    by_election = term.by_election
    assert (by_election.kind, by_election.election_day, by_election.winner_rule) == (
        "by_election",
        d(2022, 5, 10),
        "absolute_majority",
    )
    with clock.frozen(at(d(2022, 3, 11))):
        advance_election(world.cec, by_election, "nomination")
    by_contest = by_election.contests.get()
    cands = world.nominate_and_register(by_contest, 2, d(2022, 3, 15))
    created = world.run_election_day(by_election, {world.station1: [300, 420], world.station2: [250, 320]})
    assert created == 2
    result = ContestResult.objects.get(contest=by_contest, basis=Basis.OFFICIAL)
    assert (result.outcome, result.winner_id) == ("elected", cands[1].pk)
    with clock.frozen(at(d(2022, 5, 13))):
        new_term = winners.register_winner(world.tec, by_contest)
    assert (new_term.election_id, new_term.started_on) == (by_election.pk, d(2022, 5, 13))
    assert audit.verify_chain()[1] is None


def test_protocols_count_the_stations_of_units_in_existence_on_election_day(world):
    election = world.call_election()
    contest = election.contests.get()
    world.nominate_and_register(contest, 2, d(2021, 6, 10))
    # The village was merged away before election day: its station no longer serves the contest.
    world.village.active_to = d(2021, 7, 1)
    world.village.save()
    with clock.frozen(datetime.datetime(2021, 7, 24, 17, 59, 59, tzinfo=ALMATY)), pytest.raises(CandidatesNotFinal):
        create_protocols_for_election(election, world.cec)
    with clock.frozen(datetime.datetime(2021, 7, 24, 18, 0, tzinfo=ALMATY)):
        assert create_protocols_for_election(election, world.cec) == 1
        assert create_protocols_for_election(election, world.cec) == 0
    assert list(Protocol.objects.filter(contest=contest).values_list("polling_station", flat=True)) == [
        world.station1.pk
    ]


def test_due_protocols_are_created_for_every_election_whose_candidates_are_final(world):
    election = world.call_election()
    contest = election.contests.get()
    world.nominate_and_register(contest, 2, d(2021, 6, 10))
    with clock.frozen(at(d(2021, 7, 20))):
        advance_election(world.cec, election, "registration")
        advance_election(world.cec, election, "campaign")
    # The eve of election day: 17:59:59 nothing is due, at 18:00 the candidates are final.
    with clock.frozen(datetime.datetime(2021, 7, 24, 17, 59, 59, tzinfo=ALMATY)):
        assert create_due_protocols(None) == {}
    with clock.frozen(datetime.datetime(2021, 7, 24, 18, 0, tzinfo=ALMATY)):
        assert tasks.create_due_protocols() == {str(election.pk): 2}
        assert create_due_protocols(None) == {}  # nothing left to create
    assert Protocol.objects.filter(contest=contest).count() == 2


def test_create_protocols_command(world):
    election = world.call_election()
    world.nominate_and_register(election.contests.get(), 2, d(2021, 6, 10))
    out = io.StringIO()
    with clock.frozen(at(d(2021, 7, 20))), pytest.raises(CommandError, match="candidates_not_final"):
        call_command("create_protocols", election=election.pk, stdout=out)
    with clock.frozen(at(d(2021, 7, 25))):
        call_command("create_protocols", election=election.pk, stdout=out)
        assert f"election {election.pk}: 2 protocols created" in out.getvalue()
        with pytest.raises(CommandError, match="no election 999999"):
            call_command("create_protocols", election=999999, stdout=out)
        call_command("create_protocols", stdout=out)
    assert out.getvalue().endswith("no election is due\n")


def test_a_runoff_winner_counts_once_toward_the_term_limit(world):
    term = walk_to_runoff_term(world)
    person = term.person
    # The next regular election in the same post, with a limit of one term: the runoff's term counts,
    # once (the first round's contest recorded the runoff, not a term).
    rules = dict(world.rules, name_en="Next election", election_day=d(2025, 7, 27), term_limit=1)
    with clock.frozen(at(d(2025, 6, 1))):
        nxt = save_election_rules(world.cec, Election(**rules), changed=list(rules))
        advance_election(world.cec, nxt, "nomination")
        create_contests(world.cec, nxt, under=world.district)
        candidacy = nominate(
            world.tec,
            contest=nxt.contests.get(),
            person=person,
            nomination_type="self",
            signatures_submitted=60,
            signatures_valid=60,
            deposit_paid=True,
        )
        error = refused(lambda: register(world.tec, candidacy), "not_eligible")
    failures = {f["code"]: f for f in error.details["failures"]}
    assert set(failures) == {"term_limit_reached"}
    values = failures["term_limit_reached"]["values"]
    assert (values["terms"], values["term_limit"]) == (1, 1)
    assert values["terms_held"] == [["2021-08-12", None]]
