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
