"""The hook from certification to aggregation: ask for a recomputation once the change commits.

Delegates to `results.tasks.enqueue_aggregation` (which sends on commit and logs a broker
failure). Whatever goes wrong here (the task module missing or raising) is logged and
swallowed: a certification never fails because aggregation could not be scheduled; the
nightly full run catches up.
"""

import contextlib
import logging

logger = logging.getLogger(__name__)
_suppressed = 0


@contextlib.contextmanager
def suppressed():
    """Bulk loads (the demo) that aggregate once at the end schedule nothing per certification."""
    global _suppressed
    _suppressed += 1
    try:
        yield
    finally:
        _suppressed -= 1


def enqueue_aggregation(election_id, contest_ids):
    contest_ids = sorted({int(c) for c in contest_ids})
    if not contest_ids or _suppressed:
        return
    try:
        from results.tasks import enqueue_aggregation as enqueue

        enqueue(election_id, contest_ids)
    except Exception:
        logger.exception(
            "could not schedule the aggregation of election %s contests %s; the nightly run will catch up",
            election_id,
            contest_ids,
        )
