"""The generated national portfolio gives the evidence something to find: outcomes that
differ by zone and method, departures from the recommendation, and switches of method."""

from __future__ import annotations

from datetime import date

from tracker.demo import national
from tracker.evidence import queries, report

TODAY = date(2026, 11, 22)


def test_generated_outcomes_differ_by_zone_and_method(db):
    national.generate(200, password_hash="not-a-real-hash", today=TODAY, seed=3)
    db.session.commit()
    data = report.build(queries.Filters(), TODAY, grouping="zone", min_n=5)
    assert data.switched > 0
    cells = {group.key: group.cells for group in data.groups}
    # Stage-gated work fares worse in the complex zone than in the clear one.
    clear, complex_ = cells["clear"]["stage_gated"]["spi"], cells["complex"]["stage_gated"]["spi"]
    assert clear.is_shown and complex_.is_shown
    assert complex_.value < clear.value
    agile = cells["complex"]["agile"]["cpi"]
    assert agile.is_shown and agile.n >= 5
    rows = queries.outcome_rows(queries.Filters(), TODAY)
    follows = {row["follows"] for row in rows}
    assert {"followed", "departed"} <= follows
    assert any(s.departed and sum(s.drivers.values()) for s in data.strata)
