"""The load test, small: gunicorn (production settings, 2 workers) on the test PostgreSQL database,
6 clerks entering 12 protocols (two clerks each) through the real pages while 2 auditors read the
API; no request fails, every acknowledged entry is in the database, every protocol verifies, the
audit chain is intact. The full run is `manage.py loadtest` (docs/PERFORMANCE.md, "Load test").
"""

import pytest
from django.db import connection

from devtools.loadtest import runner, seed, server

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_small_load_has_no_errors_and_loses_no_entry(tmp_path):
    plan = seed.seed(pairs=3, protocols_per_pair=4, auditors=2)
    # CONN_MAX_AGE=0: no server connection outlives the test (the test database is dropped at the end).
    with server.gunicorn(tmp_path, workers=2, extra_env={"CONN_MAX_AGE": "0"}) as port:
        stats = runner.run(plan, port, max_seconds=120, auditor_requests=30)
    connection.close()
    summary = stats.summary()
    counted = runner.count(plan, stats)

    assert summary["errors"] == 0, summary["error_examples"]
    assert summary["by_kind"]["login_post"]["requests"] == 6
    assert summary["by_kind"]["api_get"]["requests"] > 0
    assert counted["entries_acknowledged"] == 24
    assert counted["entries_in_database"] == 24
    assert counted["lost"] == 0
    assert counted["protocol_states"] == {"verified": 12}
    assert counted["audit_chain"] == "intact"


def test_the_load_test_refuses_a_database_with_elections(tmp_path):
    seed.seed(pairs=1, protocols_per_pair=1, auditors=0)
    with pytest.raises(RuntimeError, match="scratch database"):
        seed.seed(pairs=1, protocols_per_pair=1, auditors=0)
