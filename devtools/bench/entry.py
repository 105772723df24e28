"""Entry throughput: protocols entered through the services (first entry, second entry equal to it,
certification) by 1 and by N concurrent workers, against raw INSERT transactions of the same rows.

Workers are processes (see `_run`), each with its own database connection, as gunicorn's workers
are. The protocols are new, empty ones of new polling stations in the bench election's contests
(stations written by results.bulk, protocols loaded by results.fixtures), so every run starts
alike. Certification requests no aggregation (aggregation_hook.suppressed): aggregation is measured on
its own.

The baseline writes, for other new empty protocols, the rows the services write, in the same three
transactions per protocol: (1) the first entry, the protocol's state, two audit rows; (2) the
second entry, the protocol's official figures and state, its vote counts, two audit rows; (3) the
certification and one audit row. Audit rows go to a scratch copy of the audit table (the real one
is a hash chain the baseline would break), without the chain's lock or hashing.
"""

import datetime
import json
import multiprocessing
import random
import time

from django.contrib.auth import get_user_model
from django.db import close_old_connections, connection, connections, transaction
from django.utils.translation import gettext

from core import clock
from core.commands import number
from registry.models import Candidacy, Contest
from results import aggregation_hook
from results.bulk import copy_rows, reserve_ids
from results.fixtures import FixtureProtocol, load_protocols
from results.models import Protocol, ProtocolEntry, ProtocolState
from territory.models import AdminUnit, Commission, Membership, PollingStation

from .builder import LOAD_REASON, MOMENT, _figures, bench_user

CLERKS = ("bench-clerk-a", "bench-clerk-b")
NIGHT = datetime.datetime(2021, 7, 25, 16, 30, tzinfo=datetime.UTC)


def clerks():
    """The two bench clerks. They sit on the precinct commissions of the stations they enter (made by
    `empty_protocols`), never on a commission that certifies: whoever may certify may not enter."""
    users = []
    for username in CLERKS:
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        users.append(user)
    # A seat an older bench gave them on the CEC would forbid entry now.
    Membership.objects.filter(user__in=users).exclude(commission__kind=Commission.Kind.PRECINCT).delete()
    return users


def empty_protocols(election, count, seed, *, actor=None):
    """`count` new empty protocols of new stations, spread over the election's contests (loaded by
    `results.fixtures` in the name of `actor`, the bench's CEC member by default); returns
    [(protocol id, {candidacy id: votes}, figures)] with the figures each will be entered with."""
    actor = actor or bench_user()
    rng = random.Random(seed)
    contests = list(Contest.objects.filter(election=election).order_by("pk").values_list("pk", "unit_id"))
    unit_rows = {
        pk: (district, region)
        for pk, district, region in AdminUnit.objects.filter(pk__in=[u for _, u in contests]).values_list(
            "pk", "district_id", "region_id"
        )
    }
    cands = {}
    for pk, contest_id in Candidacy.objects.filter(election=election).order_by("pk").values_list("pk", "contest_id"):
        cands.setdefault(contest_id, []).append(pk)
    numbers = {}
    first_station, first_protocol = reserve_ids(PollingStation, count), reserve_ids(Protocol, count)
    stations, protocols, plan = [], [], []
    for i in range(count):
        contest_id, unit_id = contests[rng.randrange(len(contests))]
        district, region = unit_rows[unit_id]
        if district not in numbers:
            numbers[district] = (
                PollingStation.objects.filter(district_id=district).order_by("-number").values_list("number", flat=True)
            ).first() or 0
        numbers[district] += 1
        figures, parts = _figures(rng, [1 / len(cands[contest_id])] * len(cands[contest_id]))
        stations.append((first_station + i, numbers[district], unit_id, district, region, "", figures[0]))
        protocols.append(
            FixtureProtocol(first_protocol + i, contest_id, first_station + i, region, district, ProtocolState.EMPTY)
        )
        names = ("voters", "ballots_received", "issued_station", "issued_mobile", "spoiled", "unused")
        names += ("found_stationary", "found_mobile", "invalid")
        values = dict(zip(names, figures, strict=False))
        values["votes"] = {str(c): n for c, n in zip(cands[contest_id], parts, strict=True)}
        plan.append((first_protocol + i, values))
    with transaction.atomic():
        copy_rows(
            PollingStation, ("id", "number", "unit", "district", "region", "address", "registered_voters"), stations
        )
        load_protocols(election, protocols, actor=actor, at=MOMENT, reason=LOAD_REASON)
        commissions = Commission.objects.bulk_create(
            [
                Commission(
                    kind=Commission.Kind.PRECINCT,
                    name=f"bench precinct {row[0]}",
                    unit_id=row[2],
                    polling_station_id=row[0],
                )
                for row in stations
            ]
        )
        # The clerks sit on this plan's commissions only: each worker reads its users' memberships
        # (as every request does), and thousands left by earlier runs (13,400 each after a few
        # benches) cost each worker a second before its first protocol, a cost of the bench's
        # reuse of two users, not of entry (a clerk sits on one commission).
        users = clerks()
        Membership.objects.filter(user__in=users, commission__kind=Commission.Kind.PRECINCT).delete()
        Membership.objects.bulk_create(
            [Membership(user=u, commission=c, role=Membership.Role.CLERK) for c in commissions for u in users]
        )
    return plan


def _run(workers, plan, work):
    """Run `work(item)` over `plan` by `workers` processes; returns (seconds, errors, first error).

    Processes, not threads: entry in production is served by separate processes (gunicorn's
    workers), each with its own interpreter and database connection. Threads of one process would
    share one interpreter lock, so the services' Python work (the ORM, the controls) would run one
    thread at a time whatever the database allowed, and the figure would measure the lock, not the
    system. The workers are forked once the parent's connections are closed (each child opens its
    own) and start together at a barrier; the time runs from the barrier to the last one's end.
    """
    context = multiprocessing.get_context("fork")
    parts = [plan[i::workers] for i in range(workers)]
    barrier = context.Barrier(workers + 1)
    results = context.SimpleQueue()
    connections.close_all()

    def worker(items):
        errors, first = 0, None
        try:
            barrier.wait()
            for item in items:
                try:
                    work(item)
                except Exception as error:  # counted and reported: the figure says how many failed
                    errors += 1
                    first = first or f"{type(error).__name__}: {error}"
        finally:
            connections.close_all()
            results.put((errors, first))

    processes = [context.Process(target=worker, args=(p,), daemon=True) for p in parts]
    for process in processes:
        process.start()
    barrier.wait(timeout=120)
    start = time.perf_counter()
    outcomes = [results.get() for _ in processes]
    seconds = time.perf_counter() - start
    for process in processes:
        process.join(timeout=30)
    errors = sum(e for e, _ in outcomes) + sum(1 for p in processes if p.exitcode not in (0, None))
    return seconds, errors, next((f for _, f in outcomes if f), None)


def through_services(election, plan, workers, certifier):
    from results.services import certify_protocol, save_entry

    a, b = clerks()
    users = []

    def work(item):
        protocol_id, values = item
        if not users:
            # Each worker its own user objects (the permission helpers cache memberships on them).
            users.extend(get_user_model().objects.get(pk=u.pk) for u in (a, b, certifier))
        ua, ub, uc = users
        save_entry(protocol_id, ua, values, finish=True)
        save_entry(protocol_id, ub, values, finish=True)
        certify_protocol(protocol_id, uc)

    # The clock is frozen (and aggregation requests suppressed) before the workers fork: they inherit both.
    with aggregation_hook.suppressed(), clock.frozen(NIGHT):
        seconds, errors, first = _run(workers, plan, work)
    done = Protocol.objects.filter(pk__in=[p for p, _ in plan], state=ProtocolState.CERTIFIED).count()
    return {"seconds": seconds, "rate": done / seconds, "errors": errors + len(plan) - done, "first_error": first}


def _audit_scratch():
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_audit")
        cursor.execute("CREATE TABLE bench_audit AS SELECT * FROM core_auditevent WITH NO DATA")


def raw_inserts(election, plan, workers, certifier):
    """The baseline: the same rows in the same transactions, as plain INSERT/UPDATE statements."""
    _audit_scratch()
    a, b = clerks()
    now = connection.ops.adapt_datetimefield_value(NIGHT)
    entry_sql = (
        f"INSERT INTO {ProtocolEntry._meta.db_table} (protocol_id, cycle, slot, kind, status, clerk_id, values, "
        "acknowledged, reason, submission, started_at, updated_at, finished_at) "
        "VALUES (%s, 1, %s, %s, 'finished', %s, %s, '{}', '', '', %s, %s, %s) RETURNING id"
    )
    audit_sql = (
        "INSERT INTO bench_audit (created_at, actor_id, actor_name, actor_role, commission, action, object_type, "
        "object_id, from_state, to_state, reason, data, prev_hash, hash) "
        "VALUES (%s, %s, %s, 'clerk', 'precinct', %s, 'results.protocol', %s, %s, %s, '', %s, %s, %s)"
    )

    def audit(cursor, user, action, pid, old, new, data):
        cursor.execute(audit_sql, [now, user.pk, user.username, action, str(pid), old, new, data, "0" * 64, "0" * 64])

    def work(item):
        pid, values = item
        text = json.dumps(values)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(entry_sql, [pid, 1, "first", a.pk, text, now, now, now])
            cursor.execute(
                "UPDATE results_protocol SET state = 'first_entry_done', version = version + 2 WHERE id = %s", [pid]
            )
            audit(cursor, a, "protocol.start_first", pid, "empty", "first_entry_in_progress", "{}")
            audit(cursor, a, "protocol.finish_first", pid, "first_entry_in_progress", "first_entry_done", text)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(entry_sql, [pid, 2, "second", b.pk, text, now, now, now])
            entry_id = cursor.fetchone()[0]
            names = ("voters", "ballots_received", "issued_station", "issued_mobile", "spoiled", "unused")
            names += ("found_stationary", "found_mobile", "invalid")
            cursor.execute(
                f"UPDATE results_protocol SET state = 'verified', version = version + 2, official_entry_id = %s, "
                f"{', '.join(f'{n} = %s' for n in names)} WHERE id = %s",
                [entry_id, *(values[n] for n in names), pid],
            )
            votes = list(values["votes"].items())
            cursor.execute(
                "INSERT INTO results_protocolvote (protocol_id, candidacy_id, votes) VALUES "
                + ", ".join(["(%s, %s, %s)"] * len(votes)),
                [v for cid, n in votes for v in (pid, int(cid), n)],
            )
            audit(cursor, b, "protocol.start_second", pid, "first_entry_done", "second_entry_in_progress", "{}")
            audit(cursor, b, "protocol.finish_second_equal", pid, "second_entry_in_progress", "verified", text)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE results_protocol SET state = 'certified', version = version + 1, certified_at = %s, "
                "certified_by_id = %s WHERE id = %s",
                [now, certifier.pk, pid],
            )
            audit(cursor, certifier, "protocol.certify", pid, "verified", "certified", text)

    seconds, errors, first = _run(workers, plan, work)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_audit")
    return {"seconds": seconds, "rate": len(plan) / seconds, "errors": errors, "first_error": first}


def measure(election, certifier, *, per_worker=40, worker_counts=(1, 8), runs=3, seed=7, say=print):
    """Protocols/s through the services and for the baseline, per worker count: medians of `runs`."""
    close_old_connections()
    out = {}
    kinds = (("services", through_services), ("baseline", raw_inserts))
    for workers in worker_counts:
        # The runs of the two kinds alternate (services, baseline, services, ...): on a shared machine
        # the load drifts over minutes, and a ratio of medians taken minutes apart measured the drift.
        results = {kind: [] for kind, _ in kinds}
        for r in range(runs):
            for kind, fn in kinds:
                plan = empty_protocols(election, per_worker * workers, seed * 1000 + workers * 10 + r, actor=certifier)
                results[kind].append(fn(election, plan, workers, certifier))
        for kind, _ in kinds:
            results_of_kind = results[kind]
            rates = sorted(x["rate"] for x in results_of_kind)
            out[(kind, workers)] = {
                "rate": rates[len(rates) // 2],
                "errors": sum(x["errors"] for x in results_of_kind),
                "first_error": next((x["first_error"] for x in results_of_kind if x["first_error"]), None),
                "protocols": per_worker * workers * runs,
            }
            say(
                gettext("bench: entry %(kind)s x%(workers)s: %(rate)s protocols/s")
                % {"kind": kind, "workers": workers, "rate": number(out[(kind, workers)]["rate"], 1)}
            )
    return out
