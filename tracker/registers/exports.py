"""The registers as spreadsheets (CSV and Excel): the same columns for both, every cell
safe from formula injection (text a spreadsheet would run starts with an apostrophe)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tracker.core.exports import Column, Kind
from tracker.registers.models import Assumption, Dependency, Issue, Risk
from tracker.registers.rules import (
    ASSUMPTION_STATUSES,
    BANDS,
    ISSUE_KINDS,
    ISSUE_STATUSES,
    PRIORITIES,
    PROXIMITIES,
    RESPONSES,
    RISK_CATEGORIES,
    RISK_KINDS,
    RISK_STATUSES,
)

RISK_HEADERS = (
    "Id",
    "Title",
    "Type",
    "Category",
    "Cause",
    "Event",
    "Effect",
    "Owner",
    "Actionee",
    "Likelihood",
    "Impact",
    "Score",
    "Band",
    "Proximity",
    "Response",
    "Target score",
    "Review date",
    "Status",
    "Raised",
)
ISSUE_HEADERS = (
    "Id",
    "Type",
    "Title",
    "Description",
    "Priority",
    "Severity",
    "Owner",
    "Status",
    "Resolution",
    "Raised from risk",
    "Raised",
    "Closed",
)


ASSUMPTION_HEADERS = ("Id", "Assumption", "Owner", "Confirm by", "Status", "Raised")
DEPENDENCY_HEADERS = (
    "Id",
    "Direction",
    "Project",
    "Depends on",
    "What is needed",
    "Needed by",
    "At risk",
    "Acknowledged",
    "Raised",
)


_NUMBERS = {"Id", "Likelihood", "Impact", "Score", "Target score", "Severity", "Raised from risk"}
_DATES = {"Review date", "Raised", "Closed", "Confirm by", "Needed by", "Acknowledged"}


def _columns(headers: tuple[str, ...]) -> tuple[Column, ...]:
    """Counts as numbers and dates as dates in Excel (``tracker.core.exports``)."""
    return tuple(
        Column(h, Kind.COUNT if h in _NUMBERS else Kind.DATE if h in _DATES else Kind.TEXT)
        for h in headers
    )


RISK_COLUMNS = _columns(RISK_HEADERS)
ISSUE_COLUMNS = _columns(ISSUE_HEADERS)
ASSUMPTION_COLUMNS = _columns(ASSUMPTION_HEADERS)
DEPENDENCY_COLUMNS = _columns(DEPENDENCY_HEADERS)


def risk_rows(risks: Iterable[Risk]) -> Iterator[list[object]]:
    """One row a risk; text is made safe from formulas by the export helper."""
    for r in risks:
        yield [
            r.id,
            r.title,
            RISK_KINDS[r.kind],
            RISK_CATEGORIES[r.category],
            r.cause,
            r.event,
            r.effect,
            r.owner.name,
            r.actionee.name if r.actionee else None,
            r.likelihood,
            r.impact,
            r.score,
            BANDS[r.band],
            PROXIMITIES[r.proximity] if r.proximity else None,
            RESPONSES[r.response] if r.response else None,
            r.target_score,
            r.review_on,
            RISK_STATUSES[r.status],
            r.created_at.date(),
        ]


def issue_rows(issues: Iterable[Issue]) -> Iterator[list[object]]:
    for i in issues:
        yield [
            i.id,
            ISSUE_KINDS[i.kind],
            i.title,
            i.description,
            PRIORITIES[i.priority],
            i.severity,
            i.owner.name,
            ISSUE_STATUSES[i.status],
            i.resolution,
            i.risk_id,
            i.created_at.date(),
            i.closed_at.date() if i.closed_at else None,
        ]


def assumption_rows(assumptions: Iterable[Assumption]) -> Iterator[list[object]]:
    for a in assumptions:
        yield [
            a.id,
            a.statement,
            a.owner.name,
            a.confirm_by,
            ASSUMPTION_STATUSES[a.status],
            a.created_at.date(),
        ]


def _dependency_row(d: Dependency, direction: str) -> list[object]:
    on = d.on_project
    return [
        d.id,
        direction,
        f"{d.project.code} {d.project.name}",
        f"{on.code} {on.name}" if on is not None else d.external_party,
        d.what,
        d.needed_by,
        "Yes" if d.is_at_risk else "No",
        d.acknowledged_at.date() if d.acknowledged_at else None,
        d.created_at.date(),
    ]


def dependency_rows(
    depends_on: Iterable[Dependency], depended_on_by: Iterable[Dependency]
) -> Iterator[list[object]]:
    """What the project needs, then what other projects need from it (both loaded with
    their projects by the queries)."""
    for d in depends_on:
        yield _dependency_row(d, "This project needs")
    for d in depended_on_by:
        yield _dependency_row(d, "Needed from this project")
