"""Contests and elections: create contests for the units of a kind, extend nomination, move the
election through its stages (one at a time, or to the next), save an election's rules and dates."""

import datetime

from django.db import transaction
from django.db.models import Sum

from core import audit, clock
from core.audit import record_many
from territory import kato
from territory.models import AdminUnit, PollingStation

from .. import errors, selectors
from ..models import Contest, Election
from .common import NOMINATION_STAGES, check_actor, check_before, check_stage, role_of

ES = Election.Status
STAGE_ORDER = selectors.STAGE_ORDER


def voters_by_unit(units):
    """{unit pk: registered voters of the polling stations serving it or any unit below it}."""
    units = list(units)
    if not units:
        return {}
    totals = dict.fromkeys((u.pk for u in units), 0)
    levels = {u.pk: kato.LEVEL[u.kind] for u in units}
    by_level = {}
    for pk, level in levels.items():
        by_level.setdefault(level, set()).add(pk)
    for level, pks in by_level.items():
        stations = PollingStation.objects.all()
        if level == 1:
            rows = stations.filter(region_id__in=pks).values_list("region_id").annotate(n=Sum("registered_voters"))
        elif level == 2:
            rows = stations.filter(district_id__in=pks).values_list("district_id").annotate(n=Sum("registered_voters"))
        else:
            own = stations.filter(unit_id__in=pks).values_list("unit_id").annotate(n=Sum("registered_voters"))
            rows = list(own)
            if level == 3:
                rows += list(
                    stations.filter(unit__parent_id__in=pks)
                    .values_list("unit__parent_id")
                    .annotate(n=Sum("registered_voters"))
                )
        for pk, n in rows:
            totals[pk] += n or 0
    return totals


def create_contests(actor, election, *, under, kind=None):
    """Create the missing contests of `election` for every unit of `kind` (default: the election's office
    type) within `under` (a region or district). Idempotent: returns (created, already existing)."""
    kind = kind or election.office_type
    with transaction.atomic():
        election = Election.objects.select_for_update(of=("self",)).get(pk=election.pk)
        check_actor(actor, under)
        check_stage(election, NOMINATION_STAGES)
        if kind != election.office_type:
            raise errors.UnitKindMismatch(details={"kind": kind, "office_type": election.office_type})
        units = list(AdminUnit.objects.within(under).of_kind(kind).active_on(election.election_day))
        existing = set(Contest.objects.filter(election=election, unit__in=units).values_list("unit_id", flat=True))
        missing = [u for u in units if u.pk not in existing]
        voters = voters_by_unit(missing)
        contests = [
            Contest(election=election, unit=u, registered_voters=voters[u.pk] or (u.registered_voters or 0))
            for u in missing
        ]
        Contest.objects.bulk_create(contests, batch_size=1000)
        record_many(
            [
                {
                    "action": "registry.create_contest",
                    "obj": c,
                    "to_state": Contest.Status.OPEN,
                    "data": {"election": election.pk, "unit": c.unit.kato, "registered_voters": c.registered_voters},
                }
                for c in contests
            ],
            actor=actor,
            role=role_of(actor),
        )
    return len(contests), len(existing)


def extend_nomination(actor, contest, *, reason=""):
    """Extend nomination in a contest that has fewer than the minimum number of candidates when
    nomination closes, by the election's extension days (once)."""
    with transaction.atomic():
        contest = Contest.objects.select_for_update(of=("self",)).select_related("election", "unit").get(pk=contest.pk)
        election = contest.election
        check_actor(actor, contest.unit)
        check_stage(election, NOMINATION_STAGES)
        if contest.status == Contest.Status.CANCELLED:
            raise errors.ContestCancelled()
        if contest.nomination_extended_until is not None:
            raise errors.AlreadyExtended(details={"until": contest.nomination_extended_until.isoformat()})
        if clock.now() < election.nomination_deadline:
            raise errors.NominationStillOpen(details={"deadline": election.nomination_deadline.isoformat()})
        check_before(election.registration_deadline, errors.RegistrationDeadlinePassed)
        active = selectors.active_in_contest(contest).count()
        if active >= election.min_candidates:
            raise errors.ExtensionNotNeeded(details={"candidates": active, "minimum": election.min_candidates})
        until = election.day_at_offset(election.nomination_end_offset_days) + datetime.timedelta(
            days=election.nomination_extension_days
        )
        previous = contest.status
        contest.nomination_extended_until = until
        contest.status = Contest.Status.NOMINATION_EXTENDED
        contest.save(update_fields=["nomination_extended_until", "status"])
        audit.record(
            actor=actor,
            action="registry.extend_nomination",
            obj=contest,
            from_state=previous,
            to_state=contest.status,
            reason=reason,
            role=role_of(actor),
            data={"until": until.isoformat(), "candidates": active, "minimum": election.min_candidates},
        )
    return contest


# What must hold before the election enters a stage.
def _stage_ready(election, to_status):
    now = clock.now()
    if to_status == ES.CAMPAIGN and now < election.registration_deadline:
        return {"registration_deadline": election.registration_deadline.isoformat()}
    if to_status in (ES.VOTING, ES.COUNTING) and now.astimezone(election.zone).date() < election.election_day:
        return {"election_day": election.election_day.isoformat()}
    return None


def advance_election(actor, election, to_status, *, reason=""):
    """Move the election to its next stage (CEC only), in order, when the calendar allows it."""
    with transaction.atomic():
        election = Election.objects.select_for_update(of=("self",)).get(pk=election.pk)
        if actor is not None and not selectors.registry_scope_for(actor).national:
            raise errors.NotPermitted(message=errors.NotPermitted.default_message, code="cec_only")
        current = STAGE_ORDER.index(election.status)
        if to_status not in STAGE_ORDER or STAGE_ORDER.index(to_status) != current + 1:
            raise errors.ElectionWrongState(details={"status": election.status, "requested": to_status})
        blocked = _stage_ready(election, to_status)
        if blocked:
            raise errors.ElectionWrongState(
                message=errors.ElectionWrongState.default_message, code="election_stage_too_early", details=blocked
            )
        previous = election.status
        election.status = to_status
        if to_status == ES.RESULTS_ESTABLISHED:  # the office register dates terms from it
            election.results_established_on = selectors.local_today(election)
        election.save(update_fields=["status", "results_established_on"])
        audit.record(
            actor=actor,
            action="registry.advance_election",
            obj=election,
            from_state=previous,
            to_state=to_status,
            reason=reason,
            role=role_of(actor),
        )
    return election


def advance_to_next_stage(actor, election, *, reason=""):
    """Move the election to the stage after its current one (`advance_election`'s checks apply).

    Raises ElectionClosed when the election is at its last stage.
    """
    to_status = selectors.next_stage(election)
    if to_status is None:
        raise errors.ElectionClosed(details={"status": election.status})
    return advance_election(actor, election, to_status, reason=reason)


def save_election_rules(actor, election, *, changed):
    """Save an election's rules and dates as edited (CEC only) with its audit record; `changed`: the edited fields.

    The status moves only through `advance_election`: a changed `status` is refused.
    """
    if actor is not None and not selectors.registry_scope_for(actor).national:
        raise errors.NotPermitted(message=errors.NotPermitted.default_message, code="cec_only")
    adding = election.pk is None
    with transaction.atomic():
        if not adding:
            stored = Election.objects.select_for_update(of=("self",)).get(pk=election.pk)
            if stored.status != election.status:
                raise errors.ElectionWrongState(details={"status": stored.status, "requested": election.status})
        election.full_clean()
        election.save()
        audit.record(
            actor=actor,
            action="admin.registry.election." + ("added" if adding else "changed"),
            obj=election,
            role=role_of(actor),
            data={"changed": list(changed)},
        )
    return election
