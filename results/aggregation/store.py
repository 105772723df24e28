"""Writing derived rows in bulk: make the rows of a scope exactly a new set, few statements per table.

PostgreSQL: the new rows are COPYed into a temporary staging table, then one statement upserts them
(`INSERT ... SELECT ... ON CONFLICT (<natural key>) DO UPDATE`) and deletes the scope's rows that
are not among them (a data-modifying CTE). Rows that exist already are updated in place: their
foreign keys do not change, so the deferred foreign-key checks at commit run only for really new
rows, and with the result tables' fillfactor (migration 0003) the updates are HOT (no index
writes). Re-inserting every row cost more than the grouping itself; sending the rows as
statement parameters cost more in the driver than COPY.

Other databases (SQLite in development and tests): delete the scope's rows, insert the new ones
with multi-row INSERTs (results.bulk.copy_rows).
"""

import json

from django.db import connection

from results.bulk import copy_rows


def _adapt(rows, json_columns, datetime_columns):
    """Plain values for the driver: JSON columns as text, datetimes in the backend's form."""
    if not json_columns and not datetime_columns:
        return rows
    ops, out, cache = connection.ops, [], {}
    for row in rows:
        row = list(row)
        for i in json_columns:
            row[i] = json.dumps(row[i])
        for i in datetime_columns:
            value = row[i]
            if value not in cache:
                cache[value] = ops.adapt_datetimefield_value(value)
            row[i] = cache[value]
        out.append(row)
    return out


def staging_table(model):
    return f"aggregation_new_{model._meta.db_table}"


def create_staging_sql(model, fields):
    """The statement creating `model`'s staging table (PostgreSQL) if this session has none yet.

    One staging table per result table and connection, emptied by the statement that consumes
    its rows: created once per session (no catalog churn per run, which cost more than a
    one-contest run's queries). Run before `replace` (results.aggregation sends all of them in
    one round trip)."""
    opts = model._meta
    columns = ", ".join(connection.ops.quote_name(opts.get_field(f).column) for f in fields)
    return (
        f"CREATE TEMP TABLE IF NOT EXISTS {staging_table(model)} ON COMMIT DELETE ROWS AS "
        f"SELECT {columns} FROM {connection.ops.quote_name(opts.db_table)} WITH NO DATA"
    )


def replace(model, fields, rows, *, scope, scope_params, conflicts):
    """Make the rows of `model` matching `scope` (SQL condition on the table's columns, with
    `scope_params`) exactly `rows` (tuples in `fields` order).

    `conflicts`: one (key fields, index predicate, row condition) per unique index the rows are
    matched on: the rows meeting the condition (SQL on the column names) are upserted on that key.
    PostgreSQL: one COPY into the staging table (see create_staging_sql), one upsert-and-delete
    statement. Elsewhere:
    one DELETE and the INSERTs."""
    opts = model._meta
    table = connection.ops.quote_name(opts.db_table)
    model_fields = [opts.get_field(name) for name in fields]
    columns = [connection.ops.quote_name(f.column) for f in model_fields]
    json_columns = [i for i, f in enumerate(model_fields) if f.get_internal_type() == "JSONField"]
    datetime_columns = [i for i, f in enumerate(model_fields) if f.get_internal_type() == "DateTimeField"]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE {scope}", scope_params)
        copy_rows(model, fields, _adapt(rows, json_columns, datetime_columns))
        return
    column_list = ", ".join(columns)
    temp = staging_table(model)
    # JSON values go through COPY as text; datetimes as their ISO text.
    copy_rows_into(temp, columns, ([json.dumps(v) if i in json_columns else v for i, v in enumerate(r)] for r in rows))
    pk = connection.ops.quote_name(opts.pk.column)
    inserts = []
    for n, (key, predicate, condition) in enumerate(conflicts):
        key_sql = ", ".join(connection.ops.quote_name(opts.get_field(k).column) for k in key)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c, f in zip(columns, fields, strict=True) if f not in key)
        where = f" WHERE {predicate}" if predicate else ""
        inserts.append(
            f"w{n} AS (INSERT INTO {table} ({column_list}) SELECT {column_list} FROM staged WHERE {condition} "
            f"ON CONFLICT ({key_sql}){where} DO UPDATE SET {updates} RETURNING {pk})"
        )
    written = " UNION ALL ".join(f"SELECT {pk} FROM w{n}" for n in range(len(conflicts)))
    with connection.cursor() as cursor:
        cursor.execute(
            # The staged rows are consumed (deleted) by the statement that writes them: a second
            # run in the same transaction (an outer atomic block) starts from an empty table.
            f"WITH staged AS (DELETE FROM {temp} RETURNING *), {', '.join(inserts)} "
            f"DELETE FROM {table} t WHERE {scope} "
            f"AND t.{pk} NOT IN (SELECT {pk} FROM ({written}) AS w)",
            scope_params,
        )


def copy_rows_into(table, columns, rows):
    """COPY rows into a table by name (the temporary tables above); PostgreSQL only."""
    from results.bulk import copy_text

    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy_text(copy, rows)
