"""Indexes that serve the API's pages (PostgreSQL): one election's protocols in id order, and its
candidacies in list order, come from their own indexes, not from walks past every other election's rows."""

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


def test_one_elections_candidacies_in_list_order_use_the_election_contest_index():
    from registry.models import Candidacy

    query = Candidacy.objects.filter(election_id=2).order_by("contest_id", "id").values("id")[:100]
    sql, params = query.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "candidacy_election_contest_id" in plan, plan
