"""Creating the protocols of a contest: one per polling station serving the contest's unit or below.

Stations of a contest are those whose unit is the contest's unit or a unit inside it
(`AdminUnit.objects.within(contest.unit)`): a rural district's stations may serve the rural
district itself or one of its villages. Protocols are created once the candidates are final
(the withdrawal deadline has passed), idempotently: a second run creates nothing.
"""

from django.db import transaction

from core import audit, clock
from registry.models import Contest
from results.errors import CandidatesNotFinal
from results.models import Protocol
from results.permissions import Actor
from territory.models import AdminUnit, PollingStation


def stations_of(contest):
    return PollingStation.objects.filter(unit__in=AdminUnit.objects.within(contest.unit).values("pk"))


def candidates_final(contest, now=None):
    now = now or clock.now()
    return contest.status != Contest.Status.CANCELLED and now >= contest.election.withdrawal_deadline


def create_protocols_for_contest(contest, user):
    """Create the missing protocols of `contest`; returns the number created."""
    if not candidates_final(contest):
        raise CandidatesNotFinal(details={"contest": contest.pk})
    with transaction.atomic():
        existing = set(Protocol.objects.filter(contest=contest).values_list("polling_station_id", flat=True))
        now = clock.now()
        new = [
            Protocol(
                election_id=contest.election_id,
                contest=contest,
                polling_station_id=station.pk,
                region_id=station.region_id,
                district_id=station.district_id,
                state_changed_at=now,
                created_at=now,
            )
            for station in stations_of(contest).only("pk", "region_id", "district_id")
            if station.pk not in existing
        ]
        Protocol.objects.bulk_create(new, batch_size=1000)
        if new:
            actor = Actor(user) if user is not None else None
            audit.record(
                actor=user,
                action="protocol.created",
                obj=contest,
                to_state="empty",
                data={"created": len(new), "stations": [p.polling_station_id for p in new]},
                role=actor.role if actor else "system",
            )
        return len(new)


def create_protocols_for_election(election, user):
    """Every contest of the election whose candidates are final; returns the number created."""
    total = 0
    for contest in election.contests.exclude(status=Contest.Status.CANCELLED).select_related("unit", "election"):
        total += create_protocols_for_contest(contest, user)
    return total
