"""Builders for results tests: a small territory, an election with contests and candidates, users."""

import datetime
import itertools

from django.contrib.auth import get_user_model

from registry import iin
from registry.models import Candidacy, Contest, Election, Person
from territory.models import AdminUnit, Commission, Membership, PollingStation

ELECTION_DAY = datetime.date(2021, 7, 25)
# After the withdrawal deadline and election day: candidates are final, counting is on.
COUNTING = datetime.datetime(2021, 7, 25, 21, 0, tzinfo=datetime.UTC)

_serial = itertools.count(1)


def unit(kato, kind, parent=None, name=None):
    return AdminUnit.objects.create(kato=kato, kind=kind, parent=parent, name_ru=name or kato, name_kk=name or kato)


def station(unit_, number, voters=1000):
    return PollingStation.objects.create(unit=unit_, number=number, registered_voters=voters)


def user(username, **kw):
    return get_user_model().objects.create_user(username, password="pw", **kw)


def member(user_, commission, role):
    Membership.objects.create(user=user_, commission=commission, role=role)
    return user_


def election(**kw):
    kw.setdefault("name_ru", "Выборы акимов сельских округов")
    kw.setdefault("name_kk", "Ауыл әкімдерінің сайлауы")
    return Election.objects.create(office_type="rural_district", election_day=ELECTION_DAY, **kw)


def candidacy(contest, surname, status=Candidacy.Status.REGISTERED):
    serial = next(_serial) * 11  # build_next_iin tries up to 10 serials: never overlap
    code, _used = iin.build_next_iin(datetime.date(1980, 1, 1), iin.MALE, serial)
    person = Person.objects.create(iin=code, surname=surname, given_name="Test", education="higher")
    return Candidacy.objects.create(
        person=person, contest=contest, nomination_type="self", status=status, nominated_on=datetime.date(2021, 7, 1)
    )


class World:
    """Karaganda (35) with one district, one rural district (two stations), and Akmola (11) with one
    station outside the clerks' territory; an election with one contest per rural district."""

    def __init__(self, against_all=False):
        self.region = unit("350000000", "region", name="Карагандинская область")
        self.district = unit("352000000", "district", self.region, "Абайский район")
        self.rural = unit("352030000", "rural_district", self.district, "Сельский округ А")
        self.village = unit("352030100", "village", self.rural, "Село А")
        self.station = station(self.rural, 1, voters=1000)
        self.station2 = station(self.village, 2, voters=800)
        self.other_region = unit("110000000", "region", name="Акмолинская область")
        self.other_district = unit("112000000", "district", self.other_region)
        self.other_rural = unit("112030000", "rural_district", self.other_district)
        self.other_station = station(self.other_rural, 1, voters=500)

        self.election = election(against_all=against_all)
        self.contest = Contest.objects.create(election=self.election, unit=self.rural)
        self.other_contest = Contest.objects.create(election=self.election, unit=self.other_rural)
        self.c1 = candidacy(self.contest, "Ахметов")
        self.c2 = candidacy(self.contest, "Бекова")
        self.c3 = candidacy(self.contest, "Садыков")
        self.withdrawn = candidacy(self.contest, "Отозванный", status=Candidacy.Status.WITHDRAWN)
        self.foreign = candidacy(self.other_contest, "Чужой")

        self.cec_commission = Commission.objects.create(kind="cec", name="ЦИК")
        self.regional_tec = Commission.objects.create(kind="regional", name="ТИК 35", unit=self.region)
        self.district_tec = Commission.objects.create(kind="district", name="ТИК района", unit=self.district)
        self.precinct = Commission.objects.create(kind="precinct", name="УИК 1", polling_station=self.station)
        self.precinct2 = Commission.objects.create(kind="precinct", name="УИК 2", polling_station=self.station2)
        self.other_precinct = Commission.objects.create(
            kind="precinct", name="УИК Акмола", polling_station=self.other_station
        )

        self.clerk1 = member(user("clerk1"), self.precinct, "clerk")
        self.clerk2 = member(user("clerk2"), self.precinct, "clerk")
        self.clerk3 = member(user("clerk3"), self.precinct, "member")
        self.chair = member(user("chair1"), self.precinct, "chair")
        self.tec = member(user("tec-district", is_staff=True), self.district_tec, "chair")
        self.regional = member(user("tec-karaganda", is_staff=True), self.regional_tec, "secretary")
        self.cec = member(user("cec", is_staff=True), self.cec_commission, "member")
        self.outsider = member(user("akmola-clerk"), self.other_precinct, "clerk")
        self.outsider_tec = member(user("akmola-tec", is_staff=True), self.other_precinct, "chair")
        self.nobody = user("nobody")

    def candidacies(self):
        return {self.c1.pk: "Ахметов", self.c2.pk: "Бекова", self.c3.pk: "Садыков"}

    def values(self, **overrides):
        """A consistent protocol for station 1 (V=1000), as a form would send it (strings)."""
        values = {
            "voters": "1000",
            "ballots_received": "1000",
            "issued_station": "700",
            "issued_mobile": "50",
            "spoiled": "10",
            "unused": "240",
            "found_stationary": "700",
            "found_mobile": "50",
            "invalid": "30",
            "votes": {str(self.c1.pk): "400", str(self.c2.pk): "200", str(self.c3.pk): "120"},
        }
        if self.election.against_all:
            values["invalid"] = "20"
            values["against_all"] = "10"
        values.update(overrides)
        return values
