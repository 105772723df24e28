"""One aggregation at a time per election: a lock bound to the writing transaction.

On PostgreSQL the lock is a transaction-level advisory lock (`pg_try_advisory_xact_lock`) taken
inside the transaction that rewrites the result tables. It is released at commit or rollback, and
by the server when the holding connection dies (a killed worker), so it can neither leak nor expire
while a long run is still writing (the risk of a Redis lock with a timeout). It needs no broker, so
the management command and the worker share it. Called inside an outer transaction (load_demo's
step), the lock lasts until that outer transaction ends.

On SQLite (development, eager tasks) writers are already serialised by IMMEDIATE transactions, so
the lock is always granted and a second writer simply waits for the first.
"""

from django.db import connection

# First key of the two-key advisory lock: a namespace so other advisory locks never collide.
NAMESPACE = 0x41474752  # "AGGR"


class AggregationBusy(Exception):
    """Another run holds the lock of this election; the caller retries later."""

    def __init__(self, election_id):
        super().__init__(f"aggregation of election {election_id} is already running")
        self.election_id = election_id


def lock_election(election_id, *, blocking=False, repeatable_read=False):
    """Take the election's aggregation lock for the current transaction; must run inside atomic().

    Returns True when held. With `blocking`, waits for the holder to finish instead of failing.
    `repeatable_read`: this is the transaction's first statement; make the transaction REPEATABLE
    READ in the same round trip (results.aggregation.run._run).
    """
    if connection.vendor != "postgresql":
        return True
    key = int(election_id) % 2**31
    prefix = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; " if repeatable_read else ""
    with connection.cursor() as cursor:
        if blocking:
            cursor.execute(f"{prefix}SELECT pg_advisory_xact_lock(%s, %s)", [NAMESPACE, key])
            return True
        cursor.execute(f"{prefix}SELECT pg_try_advisory_xact_lock(%s, %s)", [NAMESPACE, key])
        if prefix:
            cursor.cursor.nextset()
        return bool(cursor.fetchone()[0])
