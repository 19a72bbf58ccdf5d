"""The benefits register as spreadsheets (CSV and Excel): one row a benefit with its latest
measurement and review; the same columns for both."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tracker.benefits.models import Benefit
from tracker.benefits.rules import BENEFIT_CATEGORIES, BENEFIT_KINDS, REVIEW_OUTCOMES
from tracker.core.exports import Column, Kind

COLUMNS = (
    Column("Id", Kind.COUNT),
    Column("Title"),
    Column("Type"),
    Column("Category"),
    Column("Organisation"),
    Column("Owner"),
    Column("Owner's email"),
    Column("Measure"),
    Column("Unit"),
    Column("Baseline", Kind.DECIMAL),
    Column("Baseline taken", Kind.DATE),
    Column("Target", Kind.DECIMAL),
    Column("Target due", Kind.DATE),
    Column("Trajectory"),
    Column("Latest value", Kind.DECIMAL),
    Column("Latest measured", Kind.DATE),
    Column("Off trajectory"),
    Column("Latest review"),
)


def rows(benefits: Iterable[Benefit], lead_name: str) -> Iterator[list[object]]:
    for b in benefits:
        yield [
            b.id,
            b.title,
            BENEFIT_KINDS[b.kind],
            BENEFIT_CATEGORIES[b.category],
            b.organisation.name if b.organisation else lead_name,
            b.owner.name if b.owner else b.owner_name,
            b.owner.email if b.owner else b.owner_email,
            b.measure,
            b.unit,
            b.baseline_value,
            b.baseline_on,
            b.target_value,
            b.target_on,
            "Points" if b.trajectory == "points" else "Straight line",
            b.latest_value,
            b.latest_on,
            "Yes" if b.off_track else "No",
            REVIEW_OUTCOMES[b.review_outcome] if b.review_outcome else None,
        ]
