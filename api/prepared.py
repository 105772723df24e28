"""ORM queries compiled to SQL once per database and run again with new parameter values.

Compiling a queryset (joins, subqueries, lookups) costs the Python process more than running a
small indexed query costs PostgreSQL: 4 ms of CPU for the token lookup with its two EXISTS
subqueries, on every API request (docs/PERFORMANCE.md, "API"). A PreparedValues is written as an
ordinary `values_list()` queryset whose parameters are marked by sentinel values; it is compiled
on first use for each database alias, and each call substitutes the real values, runs the SQL on
that database's connection and applies the compiler's converters (so rows are exactly what the
queryset would give, on PostgreSQL and SQLite alike).

On PostgreSQL the SQL also runs as a server-side prepared statement of the connection (psycopg's
`prepare=True` on a server-binding cursor of Django's connection, with Django's loaders and its
query log): PostgreSQL parses and plans it once per connection instead of once per request, as the
bench's hand-written baseline does (a page's join of five tables cost more to plan than to run).
Django's own queries keep client-side binding (its default).
"""

import datetime

import psycopg
from django.db import connections


class PreparedValues:
    """`build(**sentinels)` returns a values_list() queryset (annotations last in its field list).

    `params` maps each parameter's name to its sentinel: a value of the parameter's type (text,
    integer or date) that the query holds nowhere else; dates are adapted for the database here."""

    def __init__(self, build, **params):
        self._build = build
        self._params = params
        self._compiled = {}

    def _compile(self, using):
        connection = connections[using]
        by_sentinel = {}
        for name, sentinel in self._params.items():
            adapted = _adapt(connection, sentinel)
            by_sentinel[(type(adapted), adapted)] = name
        queryset = self._build(**self._params)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = [by_sentinel.get((type(p), p)) for p in params]
        missing = set(self._params) - set(slots)
        if missing:
            raise ValueError(f"parameters not found in the compiled query: {sorted(missing)}")
        select = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        compiled = (sql, tuple(params), tuple(slots), compiler, compiler.get_converters(select))
        self._compiled[using] = compiled
        query = queryset.query
        self._names = (*query.extra_select, *query.values_select, *query.annotation_select)
        return compiled

    def dicts(self, using, **values):
        """The rows as dicts, as the queryset's `.values()` gives them (for a build() that returns
        a `.values()` queryset)."""
        rows = self.rows(using, **values)
        names = self._names
        return [dict(zip(names, row, strict=True)) for row in rows]

    def rows(self, using, **values):
        """The rows (lists, in the values_list order) for these parameter values on database `using`."""
        sql, params, slots, compiler, converters = self._compiled.get(using) or self._compile(using)
        connection = connections[using]
        bound = [p if slot is None else _adapt(connection, values[slot]) for p, slot in zip(params, slots, strict=True)]
        with _cursor(connection) as cursor:
            cursor.execute(sql, bound)
            rows = cursor.fetchall()
        if converters:
            return list(compiler.apply_converters(rows, converters))
        return [list(row) for row in rows]


ONLY_WHEN_ASKED = 2**31 - 1


def _cursor(connection):
    """A cursor of Django's connection (wrapped as Django wraps its own: errors, query log) that runs
    each statement as a prepared statement on PostgreSQL; Django's cursor elsewhere."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns psycopg's preparing off (None); a threshold no query reaches turns it on for
        # the statements that ask for it (prepare=True) only. Django's client-binding cursors never
        # prepare whatever the threshold.
        raw.prepare_threshold = ONLY_WHEN_ASKED
    cursor = _PreparingCursor(raw)
    cursor.logged = connection.queries_logged
    return connection._prepare_cursor(cursor)


class _PreparingCursor(psycopg.Cursor):
    """A server-binding cursor whose statements are prepared (psycopg keeps them per connection)."""

    logged = False

    def execute(self, query, params=None, *, prepare=None, binary=None):
        super().execute(query, params, prepare=True, binary=binary)
        if self.logged and self._query is None:
            # Django's query log reads the SQL from the last query sent, which a prepared
            # statement's execution does not set.
            self._query = self._convert_query(query, params)
        return self


def _adapt(connection, value):
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return connection.ops.adapt_datefield_value(value)
    return value
