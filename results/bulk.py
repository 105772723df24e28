"""Bulk loading of many rows: COPY on PostgreSQL, batched multi-row INSERT elsewhere.

For loads far past what `bulk_create` handles well (a national election's ten million vote
counts): rows are tuples in the order of `fields` (model field names, concrete columns), written
through the model's table and columns, so database constraints still hold every row. Ids can be
reserved up front (`reserve_ids`) so that rows referring to each other are written in one pass
without reading anything back.
"""

from django.db import connection


def reserve_ids(model, count):
    """Reserve `count` consecutive primary keys of `model`; returns the first. Callers write the
    rows with these explicit ids. On PostgreSQL the identity sequence is advanced past them (no
    other writer can get them); elsewhere the next ids after the current maximum are used (the
    caller holds the database's write lock, as SQLite's IMMEDIATE transactions do)."""
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
            sequence = cursor.fetchone()[0]
            # nextval then setval to first + count - 1: atomic enough with one loader at a time,
            # and never hands out an id twice since nextval is atomic.
            cursor.execute("SELECT nextval(%s)", [sequence])
            first = cursor.fetchone()[0]
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
            return first
        cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")
        return cursor.fetchone()[0] + 1


def _text(value):
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return text


def copy_rows(model, fields, rows, *, batch=10_000):
    """Write `rows` (an iterable of tuples in `fields` order) into `model`'s table; returns the count.

    PostgreSQL: one COPY ... FROM STDIN streamed in chunks (memory stays flat). Other databases:
    multi-row INSERT statements. Values are plain Python values (ints, strings, None,
    booleans, dates and datetimes with their ISO form)."""
    opts = model._meta
    columns = [opts.get_field(name).column for name in fields]
    table = connection.ops.quote_name(opts.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                count = copy_text(copy, rows, batch=batch)
            return count
        placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
        # Bounded by the statement's parameter limit (999 on old SQLite builds).
        per = max(1, min(batch, 999 // len(columns)))
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == per:
                cursor.execute(
                    f"INSERT INTO {table} ({quoted}) VALUES {', '.join([placeholders] * len(chunk))}",
                    [v for r in chunk for v in r],
                )
                count += len(chunk)
                chunk = []
        if chunk:
            cursor.execute(
                f"INSERT INTO {table} ({quoted}) VALUES {', '.join([placeholders] * len(chunk))}",
                [v for r in chunk for v in r],
            )
            count += len(chunk)
    return count


def copy_text(copy, rows, *, batch=10_000):
    """Stream rows into an open psycopg COPY in text format, `batch` rows per write; returns the count."""
    buffer, count = [], 0
    for row in rows:
        buffer.append("\t".join(map(_text, row)))
        count += 1
        if len(buffer) == batch:
            buffer.append("")
            copy.write("\n".join(buffer))
            buffer = []
    if buffer:
        buffer.append("")
        copy.write("\n".join(buffer))
    return count
