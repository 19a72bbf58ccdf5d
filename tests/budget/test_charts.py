"""The S-curve and index charts: built from any checkpoints without error, and their
tables carry exactly the checkpoints' numbers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.budget import queries, rules
from tracker.budget.models import Checkpoint

amounts = st.decimals(min_value=D(0), max_value=D("100000000"), places=2)


def _checkpoint(day, pv, ev, ac, bac=D(1000000)) -> Checkpoint:
    point = rules.checkpoint(bac, pv, ev, ac)
    return Checkpoint(
        taken_on=day,
        pv=point.pv,
        ev=point.ev,
        ac=point.ac,
        cpi=point.cpi,
        spi=point.spi,
        eac=point.eac,
    )


@settings(deadline=None)
@given(st.lists(st.tuples(amounts, amounts, amounts), min_size=1, max_size=8))
def test_any_checkpoints_make_charts(figures):
    start = date(2026, 1, 1)
    points = [
        _checkpoint(start + timedelta(days=7 * n), *values) for n, values in enumerate(figures)
    ]
    curve = rules.stage_baseline(
        [rules.StageBudget("One", start, start + timedelta(days=200), D(1000000))]
    )
    chart = queries.s_curve(points, curve)
    assert [row[1:4] for row in chart.rows if row[2] is not None] == [
        (p.pv, p.ev, p.ac) for p in points
    ]
    indices = queries.index_chart(points)
    assert [row[1] for row in indices.rows][: len(points)] == [
        None if p.cpi is None else p.cpi.quantize(D("0.01"), rounding=ROUND_HALF_UP) for p in points
    ]


def test_s_curve_projects_from_the_latest_cost_to_eac_at_the_finish():
    curve = rules.stage_baseline(
        [rules.StageBudget("One", date(2026, 1, 1), date(2026, 1, 10), D(1000))]
    )
    point = _checkpoint(date(2026, 1, 5), D(500), D(400), D(500), bac=D(1000))
    chart = queries.s_curve([point], curve)
    assert chart.rows[0] == ("01/01/2026", D("100.00"), None, None, None)
    assert chart.rows[1] == ("05/01/2026", D("500.00"), D("400.00"), D("500.00"), D("500.00"))
    assert chart.rows[2] == ("10/01/2026", D("1000.00"), None, None, D("1250.00"))
    assert [line.name for line in chart.lines][-1] == "Forecast to EAC"
