"""ORM queries compiled to SQL once per database and run again with new parameter values.

Compiling a queryset (joins, subqueries, lookups) costs the Python process more than running a
small indexed query costs PostgreSQL: 4 ms of CPU for the token lookup with its two EXISTS
subqueries, on every API request (docs/PERFORMANCE.md, "API"). A PreparedValues is written as an
ordinary `values_list()` queryset whose parameters are marked by sentinel values; it is compiled
on first use for each database alias, and each call substitutes the real values, runs the SQL on
that database's connection and applies the compiler's converters (so rows are exactly what the
queryset would give, on PostgreSQL and SQLite alike).
"""

import datetime

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
        return compiled

    def rows(self, using, **values):
        """The rows (lists, in the values_list order) for these parameter values on database `using`."""
        sql, params, slots, compiler, converters = self._compiled.get(using) or self._compile(using)
        connection = connections[using]
        bound = [p if slot is None else _adapt(connection, values[slot]) for p, slot in zip(params, slots, strict=True)]
        with connection.cursor() as cursor:
            cursor.execute(sql, bound)
            rows = cursor.fetchall()
        if converters:
            return list(compiler.apply_converters(rows, converters))
        return [list(row) for row in rows]


def _adapt(connection, value):
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return connection.ops.adapt_datefield_value(value)
    return value
