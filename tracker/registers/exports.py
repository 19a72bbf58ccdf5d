"""The registers as spreadsheets (CSV and Excel): the same columns for both, every cell
safe from formula injection (text a spreadsheet would run starts with an apostrophe)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from openpyxl import Workbook

from tracker.registers.models import Issue, Risk
from tracker.registers.rules import (
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

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

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


def safe_cell(value: object) -> object:
    """Text starting with = + - @ (or a tab or carriage return) gets a leading apostrophe;
    numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def risk_rows(risks: Iterable[Risk]) -> Iterator[list[object]]:
    for r in risks:
        cells = [
            r.id,
            r.title,
            RISK_KINDS[r.kind],
            RISK_CATEGORIES[r.category],
            r.cause,
            r.event,
            r.effect,
            r.owner.name,
            r.actionee.name if r.actionee else "",
            r.likelihood,
            r.impact,
            r.score,
            BANDS[r.band],
            PROXIMITIES[r.proximity] if r.proximity else "",
            RESPONSES[r.response] if r.response else "",
            r.target_score if r.target_score is not None else "",
            r.review_on.isoformat() if r.review_on else "",
            RISK_STATUSES[r.status],
            r.created_at.date().isoformat(),
        ]
        yield [safe_cell(cell) for cell in cells]


def issue_rows(issues: Iterable[Issue]) -> Iterator[list[object]]:
    for i in issues:
        cells = [
            i.id,
            ISSUE_KINDS[i.kind],
            i.title,
            i.description,
            PRIORITIES[i.priority],
            i.severity,
            i.owner.name,
            ISSUE_STATUSES[i.status],
            i.resolution,
            i.risk_id or "",
            i.created_at.date().isoformat(),
            i.closed_at.date().isoformat() if i.closed_at else "",
        ]
        yield [safe_cell(cell) for cell in cells]


def as_csv(headers: tuple[str, ...], rows: Iterable[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()


def as_xlsx(title: str, headers: tuple[str, ...], rows: Iterable[list[object]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
