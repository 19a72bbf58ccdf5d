"""The change requests as a spreadsheet (CSV and Excel): the impact on each of the seven
performance targets, who decides and why, and the decision."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tracker.changes.models import ChangeRequest
from tracker.changes.rules import AUTHORITIES, CHANGE_STATUSES
from tracker.core.exports import Column, Kind

COLUMNS = (
    Column("Id", Kind.COUNT),
    Column("Title"),
    Column("From issue", Kind.COUNT),
    Column("Stage it re-plans"),
    Column("Time (days)", Kind.COUNT),
    Column("Cost", Kind.MONEY),
    Column("Scope"),
    Column("Quality"),
    Column("Risk"),
    Column("Benefit"),
    Column("Sustainability"),
    Column("Decided by"),
    Column("Why"),
    Column("Status"),
    Column("Requested by"),
    Column("Requested", Kind.DATE),
    Column("Decided", Kind.DATE),
    Column("Decision comment"),
    Column("Change budget debited", Kind.MONEY),
    Column("New stage finish", Kind.DATE),
)
HEADERS = tuple(column.heading for column in COLUMNS)


def rows(changes: Iterable[ChangeRequest]) -> Iterator[list[object]]:
    """One row a change request (with their stages and deciders loaded by the caller)."""
    for c in changes:
        yield [
            c.id,
            c.title,
            c.issue_id,
            c.stage.label if c.stage is not None else None,
            c.time_impact_days,
            c.cost_impact,
            c.scope_impact,
            c.quality_impact,
            c.risk_impact,
            c.benefit_impact,
            c.sustainability_impact,
            AUTHORITIES[c.authority],
            c.authority_reason,
            CHANGE_STATUSES[c.status],
            c.requested_by.name,
            c.requested_at.date(),
            c.decided_at.date() if c.decided_at else None,
            c.decision_comment,
            c.debited,
            c.new_finish,
        ]
