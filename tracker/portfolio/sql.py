"""Two small SQL constructs the portfolio needs on both SQLite and PostgreSQL: the UTC
calendar day of a timestamp, and the whole days between two days."""

from __future__ import annotations

from sqlalchemy import Date, Integer
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
