"""A second demo election, of district akims, with rules other than 2021's (a `load_demo` step).

SYNTHETIC: the people, the votes and the date are invented for the demo (names marked "демо"); only
the territory is the demo's. The seed announces direct elections of the akims of 45 districts: the
contests are the 45 districts of four regions (Mangystau, North Kazakhstan, West Kazakhstan, East
Kazakhstan), one contest per district, with the stations and voters of the territory demo.

Rules (differing from 2021): absolute majority with a runoff, "against all" on the ballot (the
election is void if it leads), a minimum turnout of 50%, three candidates per contest.

Everything goes through the services, as in production: the election's rules, contests, people,
nominations and registrations (registry), protocols created once candidates are final, two
independent entries per protocol, certification, aggregation, results established, the outcomes
acted on (results.winners). By construction four contests go to a runoff, one is void for turnout
(flagged for a repeat election), one has a tie for second place (flagged for the commission), and
the others elect an akim. The runoffs are then held the same way (protocols, double entry,
certification, aggregation), and their winners enter the office register.

Deterministic (fixed seed, frozen clock) and idempotent: a second run finds the election and stops.
"""

import datetime
import random
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils.translation import gettext

from core import clock
from core.commands import number
from registry import eligibility, iin
from registry.models import Candidacy, Education, Election, Person
from registry.models.election import AgainstAllEffect, ElectionKind, WinnerRule
from registry.services import advance_election, create_contests, nominate, register, save_election_rules
from registry.services.people import create_person
from results import aggregation_hook, winners
from results.aggregation import recompute
from results.models import Protocol
from results.selectors import candidacies_of
from results.services import certify_protocols, create_protocols_for_election
from results.services.bulk_entry import Submission, finish_entries
from territory.kato import Kind
from territory.models import AdminUnit, Commission, Membership, PollingStation

SEED = 2024_11_17
ALMATY = ZoneInfo("Asia/Almaty")
ELECTION_DAY = datetime.date(2024, 11, 17)
NAME_EN = "District akims (demo, synthetic figures)"
REGIONS = ("470000000", "590000000", "270000000", "630000000")  # 5 + 13 + 12 + 15 = 45 districts
ENTRY_CLERKS = ("demo-district-entry-a", "demo-district-entry-b")
CANDIDATES = 3
# Which contest (by position in KATO order) ends how; the others elect an akim in the first round.
RUNOFF_AT = (3, 11, 19, 27)
VOID_AT = 33  # turnout below the minimum
TIE_AT = 40  # no majority, second place tied
SURNAMES = ("Әбдіров", "Серікбаев", "Нұрланова", "Қасымов", "Омарова", "Жұмабеков", "Төлегенова", "Бекенов")
GIVEN = ("Асқар", "Динара", "Ерлан", "Гүлнар", "Марат", "Әсел", "Нұрлан", "Жанар")


def at(day, hour=10, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ALMATY)


def existing_election():
    return Election.objects.filter(
        election_day=ELECTION_DAY, office_type=Kind.DISTRICT, kind=ElectionKind.REGULAR, name_en=NAME_EN
    ).first()


def _rules():
    return Election(
        name_kk="Аудан әкімдерінің сайлауы (демо, синтетикалық деректер)",
        name_ru="Выборы акимов районов (демо, синтетические данные)",
        name_en=NAME_EN,
        office_type=Kind.DISTRICT,
        election_day=ELECTION_DAY,
        called_on=ELECTION_DAY - datetime.timedelta(days=60),
        winner_rule=WinnerRule.ABSOLUTE_MAJORITY,
        against_all=True,
        against_all_effect=AgainstAllEffect.INVALIDATES_IF_LEADS,
        min_turnout_percent=50,
        minimum_wage=85000,
        min_candidates=2,
    )


def _clerks(stations):
    User = get_user_model()
    clerks = []
    commissions = list(
        Commission.objects.filter(kind=Commission.Kind.PRECINCT, polling_station__in=stations).values_list(
            "pk", flat=True
        )
    )
    for username in ENTRY_CLERKS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": "Demo", "last_name": "data-entry clerk (demo)"}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        have = set(Membership.objects.filter(user=user).values_list("commission_id", flat=True))
        Membership.objects.bulk_create(
            [
                Membership(user=user, commission_id=pk, role=Membership.Role.CLERK)
                for pk in commissions
                if pk not in have
            ],
            batch_size=1000,
        )
        clerks.append(user)
    return clerks


def _person(rng, n):
    birth = datetime.date(1965, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 28))
    sex = iin.FEMALE if n % 4 == 1 else iin.MALE
    serial = 7000 + n * 11
    code, _ = iin.build_next_iin(birth, sex, serial)
    while Person.objects.filter(iin=code).exists():
        serial += 11
        code, _ = iin.build_next_iin(birth, sex, serial)
    return create_person(
        None,
        iin=code,
        surname=f"{SURNAMES[n % len(SURNAMES)]} (демо)",
        given_name=GIVEN[(n // len(SURNAMES)) % len(GIVEN)],
        education=Education.HIGHER,
        qualification=Person.Qualification.PASSED,
        qualification_checked_on=ELECTION_DAY - datetime.timedelta(days=50),
        qualification_checked_by="demo",
        is_synthetic=True,
    )


def _candidates(rng, election, contests):
    n = 0
    with clock.frozen(at(ELECTION_DAY - datetime.timedelta(days=40))):
        for contest in contests:
            required = eligibility.signatures_required(contest.registered_voters, election.signature_threshold_percent)
            for _ in range(CANDIDATES):
                person = _person(rng, n)
                n += 1
                candidacy = nominate(
                    None,
                    contest=contest,
                    person=person,
                    nomination_type=Candidacy.NominationType.SELF,
                    signatures_submitted=required + 40,
                    signatures_valid=required + 20,
                    deposit_paid=True,
                )
                register(None, candidacy)
    return n


def _values(rng, protocol, cands, shares, *, turnout, tie=False):
    """Consistent figures for one protocol: `shares` of the valid votes per candidate (pk order)."""
    voters = protocol.polling_station.registered_voters
    issued = int(voters * rng.uniform(turnout - 0.04, turnout + 0.04))
    mobile = int(issued * rng.uniform(0.02, 0.05))
    spoiled = rng.randint(0, 4)
    received = voters + rng.randint(0, 20)
    invalid = int(issued * rng.uniform(0.005, 0.015))
    against = int(issued * rng.uniform(0.01, 0.03))
    valid = issued - invalid - against
    jitter = [max(0.01, s + rng.uniform(-0.02, 0.02)) for s in shares]
    parts = [int(valid * s / sum(jitter)) for s in jitter]
    if tie:  # the second and third candidates get the same votes everywhere: tied for second place
        parts[2] = parts[1]
    parts[0] = valid - sum(parts[1:])
    return {
        "voters": voters,
        "ballots_received": received,
        "issued_station": issued - mobile,
        "issued_mobile": mobile,
        "spoiled": spoiled,
        "unused": received - issued - spoiled,
        "found_stationary": issued - mobile,
        "found_mobile": mobile,
        "invalid": invalid,
        "against_all": against,
        "votes": {str(c): n for c, n in zip(cands, parts, strict=True)},
    }


def _plan(position):
    """(shares, turnout, tie) of the first round of the contest at `position`."""
    if position in RUNOFF_AT:
        return (0.42, 0.34, 0.24), 0.62, False
    if position == VOID_AT:
        return (0.55, 0.30, 0.15), 0.40, False
    if position == TIE_AT:
        return (0.40, 0.30, 0.30), 0.64, True
    return (0.60, 0.25, 0.15), 0.66, False


def _hold(election, clerks, cec, rng, plans):
    """Election day to results established: protocols, two entries each, certification, aggregation."""
    day = election.election_day
    with clock.frozen(at(day, 20)):
        advance_election(None, election, Election.Status.VOTING)
        create_protocols_for_election(election, None)
        advance_election(None, election, Election.Status.COUNTING)
    protocols = list(
        Protocol.objects.filter(election=election)
        .select_related("polling_station", "contest__unit")
        .order_by("contest__unit__kato", "polling_station__number")
    )
    candidacies = {}
    for c in Candidacy.objects.registered().filter(election=election).order_by("contest_id", "pk"):
        candidacies.setdefault(c.contest_id, []).append(c.pk)
    # The entry form's candidates, read once per contest (the same mapping save_entry reads).
    on_ballot = {contest_id: candidacies_of(contest_id) for contest_id in candidacies}
    clerk_a, clerk_b = clerks
    night = at(day, 21, 30)
    with aggregation_hook.suppressed():
        submissions = []
        for protocol in protocols:
            shares, turnout, tie = plans[protocol.contest_id]
            values = _values(rng, protocol, candidacies[protocol.contest_id], shares, turnout=turnout, tie=tie)
            submissions += [Submission(protocol.pk, clerk_a, values), Submission(protocol.pk, clerk_b, values)]
        # Two equal entries per protocol, checked and written as save_entry would, in one bulk call.
        with clock.frozen(night):
            finish_entries(submissions, candidacies=on_ballot)
        with clock.frozen(at(day + datetime.timedelta(days=1), 12)):
            refused = [(pid, e.code) for pid, e in certify_protocols([p.pk for p in protocols], cec) if e is not None]
    if refused:
        raise RuntimeError(f"district demo: certification refused: {refused[:5]}")
    with clock.frozen(at(day + datetime.timedelta(days=1), 14)):
        recompute(election, wait=True)
    with clock.frozen(at(day + datetime.timedelta(days=2), 12)):
        advance_election(None, election, Election.Status.RESULTS_ESTABLISHED, reason="Results established (demo).")
    with clock.frozen(at(day + datetime.timedelta(days=4), 10)):
        return winners.act_on_election(None, election, started_on=day + datetime.timedelta(days=4))


def load(stdout=None):
    """Load the district election (needs the territory demo). A second run changes nothing."""

    def say(message):
        if stdout is not None:
            stdout.write(message)

    if existing_election() is not None:
        say(gettext("district election demo: already loaded"))
        return existing_election()
    regions = list(AdminUnit.objects.filter(kato__in=REGIONS).order_by("kato"))
    if len(regions) != len(REGIONS):
        say(gettext("district election demo: no territory (load the territory demo first)"))
        return None
    cec = get_user_model().objects.get(username="cec")
    rng = random.Random(SEED)

    with clock.frozen(at(ELECTION_DAY - datetime.timedelta(days=60))):
        election = save_election_rules(None, _rules(), changed=["*"])
        advance_election(None, election, Election.Status.NOMINATION)
        for region in regions:
            create_contests(None, election, under=region)
    contests = list(election.contests.select_related("unit", "election").order_by("unit__kato"))
    people = _candidates(rng, election, contests)
    with clock.frozen(at(ELECTION_DAY - datetime.timedelta(days=13))):
        advance_election(None, election, Election.Status.REGISTRATION)
    with clock.frozen(at(ELECTION_DAY - datetime.timedelta(days=10))):
        advance_election(None, election, Election.Status.CAMPAIGN)

    clerks = _clerks(PollingStation.objects.filter(region__kato__in=REGIONS))
    plans = {contest.pk: _plan(position) for position, contest in enumerate(contests)}
    report = _hold(election, clerks, cec, rng, plans)
    for line in report.lines():
        say(gettext("district election demo: first round: %(line)s") % {"line": line})

    runoffs = list(Election.objects.filter(kind=ElectionKind.RUNOFF, origin=election).order_by("pk"))
    for runoff in runoffs:
        runoff_plans = {c.pk: ((0.44, 0.56), 0.58, False) for c in runoff.contests.all()}
        runoff_report = _hold(runoff, clerks, cec, rng, runoff_plans)
        say(
            gettext("district election demo: %(election)s: %(line)s")
            % {"election": runoff.name, "line": runoff_report.lines()[0]}
        )
    say(
        gettext(
            "district election demo (synthetic): election %(id)s, %(contests)s contests, %(people)s candidates, "
            "%(runoffs)s runoffs held"
        )
        % {
            "id": election.pk,
            "contests": number(len(contests)),
            "people": number(people),
            "runoffs": number(len(runoffs)),
        }
    )
    election.refresh_from_db()
    return election
