"""A small portfolio with known outcomes, for the evidence pages and the API."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.portfolio import helpers as h
from tracker.extensions import db


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def build(make_project, make_user):
    """Complex zone: five agile projects that followed the recommendation (CPI 1.0 to 1.2),
    five stage-gated ones that departed from it for tradition (CPI 0.7 to 0.9), and one
    that switched from stage-gated (CPI 0.5 then) to agile (CPI 1.3 since)."""
    pm = make_user("Manager")
    for k in range(5):
        project = make_project(manager=pm)
        h.decision(project, pm, method="agile", recommended="agile")
        h.checkpoint(project, cpi=1.0 + k * 0.05, spi=1.0, status="within")
    for k in range(5):
        project = make_project(manager=pm)
        h.decision(project, pm, method="stage_gated", recommended="agile", drivers=("tradition",))
        h.checkpoint(project, cpi=0.7 + k * 0.05, spi=0.9, status="breached")
    switched = make_project(manager=pm)
    first = h.decision(
        switched, pm, method="stage_gated", recommended="agile", drivers=("training",)
    )
    first.decided_at = at(date(2026, 1, 10))
    second = h.decision(switched, pm, method="agile", recommended="agile", sequence=2)
    second.decided_at = at(date(2026, 3, 1))
    db.session.commit()
    h.checkpoint(switched, cpi=0.5, spi=0.6, status="breached", on=date(2026, 2, 1))
    h.checkpoint(switched, cpi=1.3, spi=1.2, status="within", on=date(2026, 4, 1))
    return switched
