"""The entry benchmark (devtools.bench.entry) on PostgreSQL: worker processes enter new protocols
through the services and through raw INSERTs; every protocol ends certified, the chains verify."""

import pytest

from core.audit import verify_chain
from devtools.bench import builder, entry
from devtools.bench.presets import PRESETS
from results.models import Protocol, ProtocolState

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_services_and_baseline_enter_every_protocol_with_worker_processes():
    election = builder.build(PRESETS["tiny"], seed=5, say=lambda m: None)
    user = builder.bench_user()
    before = Protocol.objects.filter(election=election, state=ProtocolState.CERTIFIED).count()
    out = entry.measure(election, user, per_worker=3, worker_counts=(1, 3), runs=1, say=lambda m: None)
    for key in (("services", 1), ("services", 3), ("baseline", 1), ("baseline", 3)):
        assert out[key]["errors"] == 0, out[key]["first_error"]
        assert out[key]["rate"] > 0
    # 3 + 9 protocols through each path, all certified (the baseline's through its own UPDATEs).
    after = Protocol.objects.filter(election=election, state=ProtocolState.CERTIFIED).count()
    assert after - before == 2 * (3 + 9)
    assert verify_chain()[1] is None


def test_a_failing_worker_is_counted_not_hidden():
    election = builder.build(PRESETS["tiny"], seed=6, say=lambda m: None)
    plan = entry.empty_protocols(election, 4, seed=1)

    def work(item):
        if item[0] == plan[1][0]:
            raise ValueError("refused")

    seconds, errors, first = entry._run(2, plan, work)
    assert errors == 1 and first == "ValueError: refused" and seconds > 0


def test_the_runs_of_services_and_baseline_alternate(monkeypatch):
    """Alternating runs: both kinds see the same drift of a shared machine's load."""
    order = []

    def fake(kind):
        def run(election, plan, workers, certifier):
            order.append((kind, workers))
            return {"seconds": 1.0, "rate": 1.0, "errors": 0, "first_error": None}

        return run

    monkeypatch.setattr(entry, "close_old_connections", lambda: None)
    monkeypatch.setattr(entry, "empty_protocols", lambda *args, **kwargs: [])
    monkeypatch.setattr(entry, "through_services", fake("services"))
    monkeypatch.setattr(entry, "raw_inserts", fake("baseline"))
    out = entry.measure(None, None, per_worker=1, worker_counts=(1, 8), runs=2, say=lambda m: None)
    assert order == [
        ("services", 1),
        ("baseline", 1),
        ("services", 1),
        ("baseline", 1),
        ("services", 8),
        ("baseline", 8),
        ("services", 8),
        ("baseline", 8),
    ]
    assert set(out) == {("services", 1), ("baseline", 1), ("services", 8), ("baseline", 8)}


def test_the_clerks_sit_on_the_commissions_of_the_current_plan_only():
    from territory.models import Membership

    election = builder.build(PRESETS["tiny"], seed=6, say=lambda m: None)
    user = builder.bench_user()
    entry.empty_protocols(election, 4, 1, actor=user)
    plan = entry.empty_protocols(election, 3, 2, actor=user)
    for clerk in entry.clerks():
        stations = set(Membership.objects.filter(user=clerk).values_list("commission__polling_station", flat=True))
        assert stations == {Protocol.objects.get(pk=pid).polling_station_id for pid, _ in plan}
