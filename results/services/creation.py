"""Creating the protocols of an election: one per (polling station, contest), for any kind of
election (regular, runoff, repeat, by-election), once its candidates are final.

Stations of a contest are those whose unit is the contest's unit or a unit inside it
(`AdminUnit.objects.within(contest.unit)`), among the units in existence on the election's day
(`active_on`): a rural district's stations may serve the rural district itself or one of its
villages, and a runoff held after a village was merged away counts the stations as they are then.
Protocols are created once the candidates are final (the withdrawal deadline has passed),
idempotently: a second run creates nothing.

The registry does not know the results app: protocols are created by this service, which the
commission triggers (`manage.py create_protocols --election ID`) and which Celery beat runs
hourly for every election whose candidates became final (`create_due_protocols`).
"""

from django.db import transaction

from core import audit, clock
from registry.models import Contest, Election
from results.errors import CandidatesNotFinal
from results.models import Protocol
from results.permissions import Actor
from territory.models import AdminUnit, PollingStation

# Elections whose protocols may be due: candidates final from the eve of election day to the count.
OPEN_STAGES = (Election.Status.CAMPAIGN, Election.Status.VOTING, Election.Status.COUNTING)


def stations_of(contest, day=None):
    """The polling stations serving `contest`'s unit or any unit below it, as of `day` (default:
    the contest's election day)."""
    day = day or contest.election.election_day
    units = AdminUnit.objects.within(contest.unit).active_on(day)
    return PollingStation.objects.filter(unit__in=units.values("pk"))


def candidates_final(contest, now=None):
    now = now or clock.now()
    return contest.status != Contest.Status.CANCELLED and now >= contest.election.withdrawal_deadline


def _record(user, contest, created):
    actor = Actor(user) if user is not None else None
    return {
        "action": "protocol.created",
        "obj": contest,
        "to_state": "empty",
        "data": {"created": len(created), "stations": [p.polling_station_id for p in created]},
        "role": actor.role if actor else "system",
    }


def _new_protocols(contest, existing, now):
    return [
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


def create_protocols_for_contest(contest, user):
    """Create the missing protocols of `contest`; returns the number created."""
    if not candidates_final(contest):
        raise CandidatesNotFinal(details={"contest": contest.pk})
    with transaction.atomic():
        existing = set(Protocol.objects.filter(contest=contest).values_list("polling_station_id", flat=True))
        new = _new_protocols(contest, existing, clock.now())
        Protocol.objects.bulk_create(new, batch_size=1000)
        if new:
            entry = _record(user, contest, new)
            audit.record(actor=user, **entry)
        return len(new)


def create_protocols_for_election(election, user):
    """Create the missing protocols of every contest of `election` (any kind); returns the number
    created. Refused (`candidates_not_final`) before the election's withdrawal deadline."""
    election = Election.objects.get(pk=election.pk)
    if clock.now() < election.withdrawal_deadline:
        raise CandidatesNotFinal(
            details={"election": election.pk, "withdrawal_deadline": election.withdrawal_deadline.isoformat()}
        )
    now = clock.now()
    with transaction.atomic():
        contests = list(
            election.contests.exclude(status=Contest.Status.CANCELLED).select_related("unit", "election").order_by("pk")
        )
        existing = {}
        for contest_id, station_id in Protocol.objects.filter(election=election).values_list(
            "contest_id", "polling_station_id"
        ):
            existing.setdefault(contest_id, set()).add(station_id)
        new, entries = [], []
        for contest in contests:
            created = _new_protocols(contest, existing.get(contest.pk, set()), now)
            if created:
                new.extend(created)
                entries.append(_record(user, contest, created))
        Protocol.objects.bulk_create(new, batch_size=1000)
        if entries:
            role = entries[0]["role"]
            audit.record_many([{k: v for k, v in e.items() if k != "role"} for e in entries], actor=user, role=role)
    return len(new)


def elections_due(now=None):
    """Elections in an open stage whose candidates are final and which have a contest without protocols."""
    now = now or clock.now()
    due = []
    candidates = (
        Election.objects.filter(status__in=OPEN_STAGES)
        .exclude(contests__isnull=True)
        .distinct()
        .order_by("election_day", "pk")
    )
    for election in candidates:
        if now < election.withdrawal_deadline:
            continue
        if election.contests.exclude(status=Contest.Status.CANCELLED).filter(protocols__isnull=True).exists():
            due.append(election)
    return due


def create_due_protocols(user=None):
    """Create the protocols of every election whose candidates became final; returns {election id: created}."""
    return {election.pk: create_protocols_for_election(election, user) for election in elections_due()}
