"""Indexes that serve the API's pages of protocols (PostgreSQL): one election's protocols in id order
come from the (election, id) index, not from a walk of the primary key past every other election's."""

import pytest
from django.db import connection, transaction

from results.models import Protocol

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_one_elections_protocols_in_id_order_use_the_election_id_index():
    query = Protocol.objects.filter(election_id=2).order_by("id").values("id")[:101]
    sql, params = query.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # Tiny test tables would be read whole; forbid that so the planner shows its index choice.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "protocol_election_id" in plan, plan
