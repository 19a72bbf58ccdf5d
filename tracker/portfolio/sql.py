"""Small SQL constructs the portfolio needs on both SQLite and PostgreSQL: the UTC calendar
day of a timestamp, the whole days between two days, and the median of a group."""

from __future__ import annotations

from sqlalchemy import Date, Float, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class utc_day(FunctionElement):
    """The calendar day (in UTC) of a timezone-aware timestamp column."""

    type = Date()
    inherit_cache = True
    name = "utc_day"


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element, compiler, **kw):
    # SQLite keeps UTC timestamps naive (tracker.db.UTCDateTime).
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element, compiler, **kw):
    return f"CAST(timezone('UTC', {compiler.process(element.clauses, **kw)}) AS DATE)"


class days_between(FunctionElement):
    """Whole days from the first day to the second (negative if the second is earlier)."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    end_sql, start_sql = compiler.process(end, **kw), compiler.process(start, **kw)
    return f"CAST(julianday({end_sql}) - julianday({start_sql}) AS INTEGER)"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element, compiler, **kw):
    start, end = list(element.clauses)
    end_sql, start_sql = compiler.process(end, **kw), compiler.process(start, **kw)
    return f"(CAST({end_sql} AS DATE) - CAST({start_sql} AS DATE))"


class median(FunctionElement):
    """The median of a numeric column over each group, as an aggregate function:
    ``percentile_cont(0.5)`` on PostgreSQL, and on SQLite the ``median`` aggregate that
    :func:`register_sqlite_functions` adds to every connection. NULLs are ignored; a group
    of an even number of values gets the mean of the two middle ones."""

    type = Float()
    inherit_cache = True
    name = "median"


@compiles(median, "sqlite")
def _median_sqlite(element, compiler, **kw):
    return f"median({compiler.process(element.clauses, **kw)})"


@compiles(median, "postgresql")
def _median_postgresql(element, compiler, **kw):
    return f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {compiler.process(element.clauses, **kw)})"


class _Median:
    """SQLite's ``median`` aggregate: it keeps the group's values and sorts them once."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        values = self.values
        if not values:
            return None
        values.sort()
        middle = len(values) // 2
        if len(values) % 2:
            return float(values[middle])
        return (values[middle - 1] + values[middle]) / 2


def register_sqlite_functions(dbapi_connection) -> None:
    """Add the functions the portfolio's SQL needs to a new SQLite connection."""
    dbapi_connection.create_aggregate("median", 1, _Median)
