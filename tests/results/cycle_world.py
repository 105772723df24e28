"""A small world for follow-up elections, driven through the services only: a district TEC, a rural
district served by two polling stations (one in the rural district, one in its village), a CEC user,
two clerks and a first-round election with its own rules. `run_election_day` takes an election from
its campaign to results established: protocols created, entered twice, certified, aggregated."""

import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from core import clock
from registry.models import Candidacy, Election
from registry.services import advance_election, create_contests, nominate, register, save_election_rules
from results.aggregation import recompute
from results.models import Protocol
from results.services import certify_protocols, create_protocols_for_election, save_entry
from territory.kato import Kind
from territory.models import Commission, Membership
from tests.registry import factories as rf

ALMATY = ZoneInfo("Asia/Almaty")
d = datetime.date
ES = Election.Status


def at(day, hour=10):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ALMATY)


def figures(voters, votes, *, invalid=30, mobile=40):
    """Protocol figures as a form sends them: every issued ballot found, found = invalid + votes."""
    found = sum(votes) + invalid
    return {
        "voters": str(voters),
        "ballots_received": str(voters),
        "issued_station": str(found - mobile),
        "issued_mobile": str(mobile),
        "spoiled": "10",
        "unused": str(voters - found - 10),
        "found_stationary": str(found - mobile),
        "found_mobile": str(mobile),
        "invalid": str(invalid),
    }


class CycleWorld:
    def __init__(self, **rules):
        self.region = rf.unit("350000000", Kind.REGION, name="Karaganda")
        self.district = rf.unit("352000000", Kind.DISTRICT, self.region, name="Abay district")
        self.rural = rf.unit("352030000", Kind.RURAL_DISTRICT, self.district, name="Rural district A")
        self.village = rf.unit("352030100", Kind.VILLAGE, self.rural, name="Village A")
        self.station1 = rf.station(self.rural, 1, 1000)
        self.station2 = rf.station(self.village, 2, 800)
        self.cec = rf.user_with_seat("cec", "cec", role="member")
        self.tec = rf.user_with_seat("tec", "district", self.district, role="chair")
        self.clerk1 = get_user_model().objects.create_user("clerk1", password="pw")
        self.clerk2 = get_user_model().objects.create_user("clerk2", password="pw")
        for station in (self.station1, self.station2):
            commission = Commission.objects.create(
                kind="precinct", name=f"PEC {station.number}", polling_station=station
            )
            for clerk in (self.clerk1, self.clerk2):
                Membership.objects.create(user=clerk, commission=commission, role="clerk")
        self.rules = {
            "name_kk": "Сайлау",
            "name_ru": "Выборы",
            "name_en": "Election",
            "office_type": Kind.RURAL_DISTRICT,
            "election_day": d(2021, 7, 25),
            "minimum_wage": 42500,
            **rules,
        }

    def call_election(self):
        with clock.frozen(at(d(2021, 6, 1))):
            election = save_election_rules(self.cec, Election(**self.rules), changed=list(self.rules))
            advance_election(self.cec, election, ES.NOMINATION)
            create_contests(self.cec, election, under=self.district)
        return election

    def nominate_and_register(self, contest, n, on):
        """`n` new people nominated (self) and registered in `contest` on day `on`."""
        cands = []
        with clock.frozen(at(on)):
            for _ in range(n):
                person = rf.person()
                c = nominate(
                    self.tec,
                    contest=contest,
                    person=person,
                    nomination_type=Candidacy.NominationType.SELF,
                    signatures_submitted=60,
                    signatures_valid=60,
                    deposit_paid=True,
                )
                cands.append(register(self.tec, c))
        return cands

    def run_election_day(self, election, votes_by_station):
        """Campaign -> voting (protocols created) -> double entry of `votes_by_station` ({station:
        [votes in candidacy pk order]}) -> certified -> aggregated -> results established."""
        election.refresh_from_db()
        day = election.election_day
        if election.status == ES.NOMINATION:
            with clock.frozen(at(day - datetime.timedelta(days=12))):
                advance_election(self.cec, election, ES.REGISTRATION)
        if election.status in (ES.NOMINATION, ES.REGISTRATION):
            with clock.frozen(at(day - datetime.timedelta(days=5))):
                advance_election(self.cec, election, ES.CAMPAIGN)
        with clock.frozen(at(day, 20)):
            advance_election(self.cec, election, ES.VOTING)
            created = create_protocols_for_election(election, self.cec)
            advance_election(self.cec, election, ES.COUNTING)
        with clock.frozen(at(day, 22)):
            for station, votes in votes_by_station.items():
                protocol = Protocol.objects.get(election=election, polling_station=station)
                cands = list(protocol.contest.candidacies.filter(status="registered").order_by("pk"))
                values = figures(station.registered_voters, votes) | {
                    "votes": {str(c.pk): str(n) for c, n in zip(cands, votes, strict=True)}
                }
                save_entry(protocol, self.clerk1, values, finish=True)
                save_entry(protocol, self.clerk2, values, finish=True)
        with clock.frozen(at(day + datetime.timedelta(days=1))):
            certify_protocols(Protocol.objects.filter(election=election), self.tec)
            recompute(election, wait=True)
        with clock.frozen(at(day + datetime.timedelta(days=2))):
            advance_election(self.cec, election, ES.RESULTS_ESTABLISHED)
        election.refresh_from_db()
        return created
