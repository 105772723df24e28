"""Test data for the aggregation tests: territory, an election with contests, candidacies and
protocols in any state with consistent figures (built straight through the ORM: aggregation only
reads protocols, so the entry workflow is not needed here)."""

import datetime
import itertools

from django.utils import timezone

from registry import iin
from registry.models import Candidacy, Contest, Election, Person
from results.models import Protocol, ProtocolState, ProtocolVote
from results.outcomes import Figures
from territory.models import AdminUnit, PollingStation

_seq = itertools.count(1)
_MOMENT = datetime.datetime(2021, 7, 25, 20, 0, tzinfo=datetime.UTC)


def region(name="Region"):
    n = next(_seq)
    code = 10 + n % 89
    # Regions need unique 2-digit prefixes; tests create few, so walk the free ones.
    while AdminUnit.objects.filter(kato=f"{code:02d}0000000").exists():
        code = 10 + (code + 1) % 89
    return AdminUnit.objects.create(kato=f"{code:02d}0000000", kind="region", name_kk=name, name_ru=name)


def district(parent, name="District"):
    prefix = parent.kato[:2]
    used = set(AdminUnit.objects.filter(kato__startswith=prefix, kind="district").values_list("kato", flat=True))
    kato = next(f"{prefix}{i:02d}00000" for i in range(10, 100) if f"{prefix}{i:02d}00000" not in used)
    return AdminUnit.objects.create(kato=kato, kind="district", parent=parent, name_kk=name, name_ru=name)


def rural_district(parent, name="Rural district"):
    prefix = parent.kato[:4]
    used = set(AdminUnit.objects.filter(kato__startswith=prefix, kind="rural_district").values_list("kato", flat=True))
    kato = next(f"{prefix}{i:02d}000" for i in range(10, 100) if f"{prefix}{i:02d}000" not in used)
    return AdminUnit.objects.create(kato=kato, kind="rural_district", parent=parent, name_kk=name, name_ru=name)


def election(**rules):
    fields = {
        "name_kk": "Сайлау",
        "name_ru": "Выборы",
        "office_type": "rural_district",
        "election_day": datetime.date(2021, 7, 25),
        "status": Election.Status.COUNTING,
    }
    fields.update(rules)
    return Election.objects.create(**fields)


def person(sex=iin.MALE):
    n = next(_seq)
    code, _ = iin.build_next_iin(datetime.date(1980, 1, 1) + datetime.timedelta(days=n % 3000), sex, n % 9000)
    while Person.objects.filter(iin=code).exists():
        n = next(_seq)
        code, _ = iin.build_next_iin(datetime.date(1980, 1, 1) + datetime.timedelta(days=n % 3000), sex, n % 9000)
    return Person.objects.create(iin=code, surname=f"Synthetic{n}", given_name="Test", education="higher")


def candidacy(contest, *, sex=iin.MALE, status=Candidacy.Status.REGISTERED):
    return Candidacy.objects.create(
        person=person(sex),
        contest=contest,
        nomination_type=Candidacy.NominationType.SELF,
        status=status,
        nominated_on=datetime.date(2021, 7, 1),
    )


def contest(election_, unit, *, candidates=2, stations=1, voters=1000):
    c = Contest.objects.create(election=election_, unit=unit, registered_voters=voters * stations)
    cands = [candidacy(c) for _ in range(candidates)]
    start = (
        PollingStation.objects.filter(district=unit.district)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    ) + 1
    station_list = [
        PollingStation.objects.create(number=start + i, unit=unit, registered_voters=voters) for i in range(stations)
    ]
    return c, cands, station_list


def figures(voters, issued_station, issued_mobile, invalid, votes, against_all=None, *, spoiled=0, unused=0):
    """Consistent protocol figures: every issued ballot found, found = invalid + votes + against all."""
    found_mobile = issued_mobile
    found_stationary = issued_station
    assert found_stationary + found_mobile == invalid + sum(votes) + (against_all or 0)
    return {
        "voters": voters,
        "ballots_received": issued_station + issued_mobile + spoiled + unused,
        "issued_station": issued_station,
        "issued_mobile": issued_mobile,
        "spoiled": spoiled,
        "unused": unused,
        "found_stationary": found_stationary,
        "found_mobile": found_mobile,
        "invalid": invalid,
        "against_all": against_all,
    }


def protocol(contest_, station, state=ProtocolState.EMPTY, figs=None, votes=None, certified_by=None):
    """A protocol in `state`; with `votes` ({candidacy: n} or a list in candidacy order) and figures."""
    fields = {
        "election_id": contest_.election_id,
        "contest": contest_,
        "polling_station": station,
        "region_id": station.region_id,
        "district_id": station.district_id,
        "state": state,
        "state_changed_at": _MOMENT,
        "created_at": _MOMENT,
    }
    if figs:
        fields.update(figs)
    if state == ProtocolState.CERTIFIED:
        fields["certified_at"] = _MOMENT
        fields["certified_by"] = certified_by or _certifier()
    p = Protocol.objects.create(**fields)
    if votes:
        ProtocolVote.objects.bulk_create(ProtocolVote(protocol=p, candidacy=c, votes=n) for c, n in votes.items())
    return p


def _certifier():
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="certifier")
    return user


def simple_protocol(
    contest_, station, cands, votes, *, state=ProtocolState.CERTIFIED, invalid=0, mobile=0, voters=1000
):
    """A protocol whose ballots are exactly the votes plus invalid (mobile ballots taken from the total)."""
    total = sum(votes) + invalid
    figs = figures(voters, total - mobile, mobile, invalid, votes)
    return protocol(contest_, station, state, figs, dict(zip(cands, votes, strict=True)))


def now():
    return timezone.now()


def outcome_figures(votes, *, issued=None, registered=1000, against_all=0, counted=3, expected=3):
    """A contest's results.outcomes.Figures: `votes` {candidacy: n}; ballots issued default to the
    votes plus 'against all', and 3 of 3 protocols counted."""
    if issued is None:
        issued = sum(votes.values()) + against_all
    return Figures(
        registered_voters=registered,
        ballots_issued=issued,
        votes=votes,
        against_all=against_all,
        protocols_counted=counted,
        protocols_expected=expected,
    )
