"""Celery tasks of the results app: thin wrappers over results.aggregation (ids in, no rules here).

- `aggregate_contests(election_id, contest_ids)`: enqueued on commit when a protocol is certified
  or reopened (`enqueue_aggregation`): `results.aggregation.update`, which on PostgreSQL applies
  the election's pending deltas (every change the triggers queued, these contests' included) and
  elsewhere recomputes the contests; `contest_ids=None` recomputes the whole election from its
  protocols.
- `aggregate_all()`: Celery beat, nightly: one full `aggregate_contests` per open election.
- `create_due_protocols()`: Celery beat, hourly: the protocols of every election whose candidates
  became final (any kind: first round, runoff, repeat, by-election).

One run at a time per election (results.aggregation.locks). A run that finds the lock taken does
not wait and does not drop its contests: it retries itself with a countdown growing from 10 s to
2 minutes (up to LOCK_RETRIES times, about 4 hours); should all retries fail, the nightly full run
catches up. Time limits are the project's (CELERY_TASK_TIME_LIMIT, CELERY_TASK_SOFT_TIME_LIMIT).
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, transaction

from .aggregation import recompute_by_id, update_by_id
from .aggregation.locks import AggregationBusy
from .services import creation

logger = logging.getLogger(__name__)

LOCK_RETRY_COUNTDOWN = 10  # seconds before a skipped run first tries again; +10 s each retry
LOCK_RETRY_COUNTDOWN_MAX = 120
LOCK_RETRIES = 120
DB_RETRIES = 5


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=DB_RETRIES,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def aggregate_contests(self, election_id, contest_ids=None):
    """Bring the result tables of one election up to date: `contest_ids` changed (deltas on
    PostgreSQL), or None for a full recomputation."""
    try:
        summary = recompute_by_id(election_id) if contest_ids is None else update_by_id(election_id, contest_ids)
    except AggregationBusy:
        countdown = min(LOCK_RETRY_COUNTDOWN * (self.request.retries + 1), LOCK_RETRY_COUNTDOWN_MAX)
        logger.info("aggregation of election %s busy; retrying contests %s in %ss", election_id, contest_ids, countdown)
        raise self.retry(countdown=countdown, max_retries=LOCK_RETRIES) from None
    if summary is None:
        return None
    return summary.as_dict()


@shared_task(acks_late=True, soft_time_limit=5 * 60, time_limit=6 * 60)
def aggregate_all():
    """Nightly: enqueue a full recomputation for every open election (each under its own lock)."""
    from registry.models import Election

    ids = list(Election.objects.exclude(status=Election.Status.CLOSED).values_list("pk", flat=True))
    for election_id in ids:
        aggregate_contests.delay(election_id, None)
    return ids


def enqueue_aggregation(election_id, contest_ids):
    """After the current transaction commits, ask a worker to recompute these contests.

    A broker failure is logged and swallowed: certification has already committed, and the
    nightly full run catches up.
    """
    contest_ids = sorted({int(c) for c in contest_ids})
    if not contest_ids:
        return

    def send():
        try:
            aggregate_contests.apply_async(
                args=[election_id, contest_ids],
                retry=True,
                retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
            )
        except Exception:
            logger.exception(
                "could not enqueue the aggregation of election %s contests %s; the nightly run will catch up",
                election_id,
                contest_ids,
            )

    transaction.on_commit(send)


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    max_retries=DB_RETRIES,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def create_due_protocols():
    """Hourly: create the protocols of every election (first round, runoff, repeat, by-election)
    whose candidates became final (`results.services.creation.create_due_protocols`)."""
    return {str(k): v for k, v in creation.create_due_protocols(None).items()}
