"""The ``median`` aggregate the dashboard's SQL uses: percentile_cont(0.5) on PostgreSQL, a
registered aggregate on SQLite. On both it must agree with the standard library's median,
group by group, whatever the values: ties, even and odd counts, NULLs, one value."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Float, Integer, cast, func, literal, null, select, union_all

from tracker.portfolio.sql import median

VALUES = st.one_of(
    st.none(),
    st.floats(min_value=0, max_value=10, allow_nan=False).map(lambda v: round(v, 12)),
    st.sampled_from([0.5, 1.0, 1.25]),  # repeated values, as rounded indices often are
)


def _medians(db, rows):
    table = union_all(
        *[
            select(
                literal(grp, Integer).label("grp"),
                cast(null() if x is None else literal(x, Float), Float).label("x"),
            )
            for grp, x in rows
        ]
    ).subquery("v")
    statement = (
        select(table.c.grp, median(table.c.x), func.count(table.c.x))
        .group_by(table.c.grp)
        .order_by(table.c.grp)
    )
    return {grp: (found, n) for grp, found, n in db.session.execute(statement)}


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 2), VALUES), min_size=1, max_size=40))
def test_median_agrees_with_the_standard_library_per_group(db, rows):
    found = _medians(db, rows)
    for grp in {g for g, _ in rows}:
        known = [x for g, x in rows if g == grp and x is not None]
        value, n = found[grp]
        assert n == len(known)
        if known:
            assert value == pytest.approx(statistics.median(known), rel=1e-12, abs=1e-12)
        else:
            assert value is None


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(db):
    found = _medians(db, [(1, 0.9), (1, 1.3), (1, 0.7), (1, 1.1)])
    assert found[1][0] == pytest.approx(1.0)
