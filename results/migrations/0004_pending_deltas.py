"""Pending deltas: every change of counted figures is queued, grouped, for delta aggregation.

PostgreSQL only (SQLite keeps recomputing contests from their protocols). Statement-level AFTER
triggers with transition tables on results_protocol, results_protocolvote and registry_candidacy
write into results_pendingdelta one row per (election, contest, candidacy or none, basis) and
statement: the signed difference between the counted figures after and before the statement.
A COPY of 200,000 vote counts adds one grouped INSERT, not one row per vote. Bases (as
results.aggregation.BASIS_STATES): official = certified, preliminary = verified or certified.

- Protocol rows (insert, update of the state, contest or figures, delete): contest figures
  (voters, ballots issued and found, invalid, against all, protocols counted, protocols expected)
  and, for the protocols whose counting changed, their vote counts as they are now.
- Vote rows (insert, update, delete): the votes of the counted protocols, read with their protocol
  row locked FOR SHARE: a concurrent state change of the protocol waits for this transaction (or
  this statement reads the state it committed), so a vote change and a state change of the same
  protocol by two transactions are counted once each. Writers run at READ COMMITTED (Django's
  default), where each statement of the trigger reads the latest committed rows.
- Candidacy rows (insert, delete, update of status, contest or election): a `rebuild` marker for
  the contests involved (registered candidacies with no votes have rows in the results).

The data step queues a `rebuild` for every contest that has results already: they were written
before the triggers existed, so their deltas since then are unknown.
"""

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = (
    "election_id, contest_id, candidacy_id, basis, rebuild, votes, registered_voters, ballots_issued, "
    "ballots_found, invalid, against_all, protocols_counted, protocols_expected"
)
BASES = "(VALUES ('official'), ('preliminary')) AS b(basis)"


def counted(state):
    """SQL: the protocol with `state` counts on basis b.basis."""
    return f"({state} = 'certified' OR (b.basis = 'preliminary' AND {state} = 'verified'))"


PROTOCOL_COLUMNS = (
    "id, election_id, contest_id, state, voters, issued_station, issued_mobile, found_stationary, "
    "found_mobile, invalid, against_all"
)
PROTOCOL_KEY = (
    "election_id, contest_id, state, voters, issued_station, issued_mobile, found_stationary, "
    "found_mobile, invalid, against_all"
)


def changed_rows(columns, key):
    """SQL of the statement's rows with a sign (-1 before, +1 after), per operation. An UPDATE
    keeps only the rows whose `key` columns changed (a version bump alone queues nothing)."""
    cols = ", ".join(c.strip() for c in columns.split(","))

    def row(alias):
        return ", ".join(f"{alias}.{c.strip()}" for c in columns.split(","))

    def keys(alias):
        return ", ".join(f"{alias}.{c.strip()}" for c in key.split(","))

    changed = f"({keys('o')}) IS DISTINCT FROM ({keys('n')})"
    return {
        "INSERT": f"SELECT 1 AS sign, {cols} FROM new_rows",
        "DELETE": f"SELECT -1 AS sign, {cols} FROM old_rows",
        "UPDATE": (
            f"SELECT -1 AS sign, {row('o')} FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {changed} "
            f"UNION ALL SELECT 1, {row('n')} FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {changed}"
        ),
    }


def protocol_statement(source):
    figures = {
        "registered_voters": "ch.voters",
        "ballots_issued": "ch.issued_station + ch.issued_mobile",
        "ballots_found": "ch.found_stationary + ch.found_mobile",
        "invalid": "ch.invalid",
        "against_all": "COALESCE(ch.against_all, 0)",
        "protocols_counted": "1",
    }
    sums = ", ".join(f"SUM(CASE WHEN ch.counted THEN ch.sign * ({e}) ELSE 0 END) AS {n}" for n, e in figures.items())
    names = [*figures, "protocols_expected"]
    return (
        f"WITH ch AS (SELECT ch.*, b.basis, {counted('ch.state')} AS counted FROM ({source}) ch CROSS JOIN {BASES}), "
        f"contest AS (SELECT election_id, contest_id, basis, {sums}, SUM(ch.sign) AS protocols_expected "
        "FROM ch GROUP BY election_id, contest_id, basis) "
        f"INSERT INTO results_pendingdelta ({COLUMNS}) "
        f"SELECT election_id, contest_id, NULL::bigint, basis, false, 0, {', '.join(names)} FROM contest "
        f"WHERE ({', '.join(names)}) <> ({', '.join(['0'] * len(names))}) "
        # The vote counts of the protocols (as they are now) whose counting changed.
        "UNION ALL SELECT ch.election_id, ch.contest_id, v.candidacy_id, ch.basis, false, SUM(ch.sign * v.votes), "
        "0, 0, 0, 0, 0, 0, 0 FROM ch JOIN results_protocolvote v ON v.protocol_id = ch.id WHERE ch.counted "
        "GROUP BY ch.election_id, ch.contest_id, v.candidacy_id, ch.basis "
        "HAVING SUM(ch.sign * v.votes) <> 0 OR SUM(ch.sign) <> 0"
    )


def vote_statement(source):
    k = counted("p.state")
    return (
        f"WITH ch AS ({source}), "
        # Lock the protocols read (in id order): their state cannot change under this statement.
        "p AS (SELECT id, election_id, contest_id, state FROM results_protocol "
        "WHERE id IN (SELECT protocol_id FROM ch) ORDER BY id FOR SHARE) "
        f"INSERT INTO results_pendingdelta ({COLUMNS}) "
        "SELECT p.election_id, p.contest_id, ch.candidacy_id, b.basis, false, SUM(ch.sign * ch.votes), "
        f"0, 0, 0, 0, 0, 0, 0 FROM ch JOIN p ON p.id = ch.protocol_id CROSS JOIN {BASES} WHERE {k} "
        "GROUP BY p.election_id, p.contest_id, ch.candidacy_id, b.basis "
        "HAVING SUM(ch.sign * ch.votes) <> 0 OR SUM(ch.sign) <> 0"
    )


def candidacy_statement(source):
    return (
        f"WITH ch AS ({source}) "
        f"INSERT INTO results_pendingdelta ({COLUMNS}) "
        "SELECT DISTINCT ch.election_id, ch.contest_id, NULL::bigint, 'official', true, 0, 0, 0, 0, 0, 0, 0, 0 FROM ch"
    )


TABLES = {
    # table: (function, statement builder, columns, key)
    "results_protocol": ("results_protocol_pending_delta", protocol_statement, PROTOCOL_COLUMNS, PROTOCOL_KEY),
    "results_protocolvote": (
        "results_protocolvote_pending_delta",
        vote_statement,
        "id, protocol_id, candidacy_id, votes",
        "protocol_id, candidacy_id, votes",
    ),
    "registry_candidacy": (
        "registry_candidacy_pending_delta",
        candidacy_statement,
        "id, election_id, contest_id, status",
        "election_id, contest_id, status",
    ),
}


def function_sql(name, build, columns, key):
    sources = changed_rows(columns, key)
    branches = "\n".join(
        f"  {'IF' if i == 0 else 'ELSIF'} TG_OP = '{op}' THEN\n    {build(source)};"
        for i, (op, source) in enumerate(sources.items())
    )
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{branches}\n"
        "  END IF;\n  RETURN NULL;\nEND;\n$$"
    )


def trigger_sql(table, name):
    statements = []
    for op, referencing in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    ):
        statements.append(
            f"CREATE TRIGGER {name}_{op.lower()} AFTER {op} ON {table} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    return statements


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, (name, build, columns, key) in TABLES.items():
        schema_editor.execute(function_sql(name, build, columns, key))
        for statement in trigger_sql(table, name):
            schema_editor.execute(statement)
    # Results written before the triggers: recompute those contests from scratch at the next run.
    schema_editor.execute(
        f"INSERT INTO results_pendingdelta ({COLUMNS}) "
        "SELECT DISTINCT election_id, contest_id, NULL::bigint, 'official', true, 0, 0, 0, 0, 0, 0, 0, 0 "
        "FROM results_contestresult"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, (name, *_) in TABLES.items():
        for op in ("insert", "update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_{op} ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_offices"),
        ("results", "0003_result_tables_fillfactor"),
    ]

    operations = [
        migrations.CreateModel(
            name="PendingDelta",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "basis",
                    models.CharField(
                        choices=[
                            ("official", "official (certified protocols)"),
                            ("preliminary", "preliminary (verified and certified protocols)"),
                        ],
                        max_length=12,
                    ),
                ),
                ("rebuild", models.BooleanField(default=False)),
                ("votes", models.BigIntegerField(default=0)),
                ("registered_voters", models.BigIntegerField(default=0)),
                ("ballots_issued", models.BigIntegerField(default=0)),
                ("ballots_found", models.BigIntegerField(default=0)),
                ("invalid", models.BigIntegerField(default=0)),
                ("against_all", models.BigIntegerField(default=0)),
                ("protocols_counted", models.BigIntegerField(default=0)),
                ("protocols_expected", models.BigIntegerField(default=0)),
                (
                    "candidacy",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.candidacy",
                    ),
                ),
                (
                    "contest",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.contest",
                    ),
                ),
                (
                    "election",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.election",
                    ),
                ),
            ],
            options={
                "verbose_name": "pending result change",
                "verbose_name_plural": "pending result changes",
                "default_permissions": (),
            },
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
