"""Exports a PMO can hand on: one helper for every spreadsheet and CSV file the tracker makes.

An Excel export is a workbook of two sheets:

1. **About** (the first sheet, and the one it opens on): what the file is, when it was made
   (UK time), by whom, with which filters, and how many rows it holds;
2. the data: a bold header row frozen in place with a filter on it, column widths that fit,
   and typed cells: dates as dates (``dd/mm/yyyy``), money as numbers in a pounds format
   (``£#,##0.00``, never text), indices, hours and counts as numbers. Text is always
   written as text, so nothing in a cell can run as a formula.

A CSV export stays one header row of column headings and then the data, so every CSV
reader (and the tracker's own importer) reads it as before: the "about" part is carried by
the file name (what it is and when it was made), not by lines above the headings, which
would break those readers. docs/exports.md says so to users.

The domains say what their columns are (``Column``) and build the rows; this module owns
the file formats. Pure of Flask and the database.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from tracker.core.dates import LONDON

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"


class Kind(StrEnum):
    """What a column holds, which fixes its cell type and number format."""

    TEXT = "text"
    DATE = "date"
    MONEY = "money"
    INDEX = "index"  # CPI, SPI: two places
    DECIMAL = "decimal"  # a mean rating: two places
    HOURS = "hours"
    COUNT = "count"


NUMBER_FORMATS = {
    Kind.DATE: "dd/mm/yyyy",
    Kind.MONEY: '"£"#,##0.00;[Red]-"£"#,##0.00',
    Kind.INDEX: "0.00",
    Kind.DECIMAL: "0.00",
    Kind.HOURS: "0.00",
    Kind.COUNT: "0",
}
# Widths (in characters) a column of each kind needs at least, whatever its heading.
_MIN_WIDTHS = {Kind.DATE: 12, Kind.MONEY: 16, Kind.INDEX: 8, Kind.HOURS: 8, Kind.COUNT: 8}
MAX_WIDTH = 60
_WIDTH_SAMPLE = 500  # rows read to size the columns
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    heading: str
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class About:
    """What the About sheet says. ``filters`` are (label, value as the person chose it);
    an empty list is said as "None"."""

    title: str
    made_at: datetime
    made_by: str
    filters: Sequence[tuple[str, str]] = ()
    notes: Sequence[str] = ()

    def __post_init__(self) -> None:
        if self.made_at.tzinfo is None:
            raise ValueError("an export's time must be timezone aware")

    @property
    def made_at_text(self) -> str:
        local = self.made_at.astimezone(LONDON)
        return f"{local.day} {local:%B %Y} at {local:%H:%M} ({local.tzname()})"


def safe_text(value: str) -> str:
    """Text a spreadsheet would run as a formula, prefixed with an apostrophe (OWASP CSV
    injection): ``=HYPERLINK(...)`` shows as text."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def filename(stem: str, made_at: datetime, extension: str) -> str:
    """``portfolio-2026-12-07-1930.xlsx``: what the file is and when it was made (UK time)."""
    local = made_at.astimezone(LONDON)
    return f"{stem}-{local:%Y-%m-%d-%H%M}.{extension}"


def disposition(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


# --- Excel ------------------------------------------------------------------------------


def _width(column: Column, rows: Sequence[Sequence[object]], index: int) -> int:
    longest = len(column.heading)
    for row in rows[:_WIDTH_SAMPLE]:
        value = row[index]
        if value is None:
            continue
        if column.kind is Kind.MONEY:
            length = len(f"£{Decimal(value):,.2f}") + 1
        elif isinstance(value, date):
            length = 10
        else:
            length = len(str(value))
        longest = max(longest, length)
    return min(MAX_WIDTH, max(_MIN_WIDTHS.get(column.kind, 8), longest + 2))


def _cell(sheet, value: object, kind: Kind, *, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, float) and kind in (Kind.MONEY, Kind.HOURS):
        value = Decimal(str(value))
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).replace(tzinfo=None)
    if isinstance(value, str):
        value = safe_text(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text
    elif value is not None and kind in NUMBER_FORMATS:
        cell.number_format = NUMBER_FORMATS[kind]
    if bold:
        cell.font = Font(bold=True)
    return cell


def _about_sheet(workbook: Workbook, about: About, row_count: int, data_sheet: str) -> None:
    sheet = workbook.create_sheet("About")
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 90

    def line(label: str, value: object, *, bold_value: bool = False) -> None:
        label_cell = _cell(sheet, label, Kind.TEXT, bold=True)
        value_cell = _cell(sheet, value, Kind.TEXT, bold=bold_value)
        value_cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.append([label_cell, value_cell])

    line("What", about.title, bold_value=True)
    line("Made", about.made_at_text)
    line("Made by", about.made_by)
    if about.filters:
        for number, (label, value) in enumerate(about.filters):
            line("Filters" if number == 0 else "", f"{label}: {value}")
    else:
        line("Filters", "None")
    line("Rows", f"{row_count} on the sheet “{data_sheet}”")
    for note in about.notes:
        line("Note", note)


def workbook(
    about: About,
    sheet_name: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[object]],
) -> bytes:
    """An .xlsx file: the About sheet, then ``rows`` under ``columns`` on ``sheet_name``."""
    rows = [list(row) for row in rows]
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"a row has {len(row)} values for {len(columns)} columns")
    book = Workbook(write_only=True)
    _about_sheet(book, about, len(rows), sheet_name)
    sheet = book.create_sheet(sheet_name)
    for number, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = _width(column, rows, number - 1)
    sheet.freeze_panes = "A2"
    last = f"{get_column_letter(len(columns))}{len(rows) + 1}"
    sheet.auto_filter.ref = f"A1:{last}"
    sheet.append([_cell(sheet, column.heading, Kind.TEXT, bold=True) for column in columns])
    for row in rows:
        sheet.append(
            [_cell(sheet, value, column.kind) for value, column in zip(row, columns, strict=True)]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- CSV --------------------------------------------------------------------------------


def csv_bytes(
    columns: Sequence[Column], rows: Iterable[Sequence[object]], *, bom: bool = True
) -> bytes:
    """The headings, then the rows: dates as YYYY-MM-DD, numbers as written, text made safe.

    UTF-8 with a byte-order mark (unless ``bom`` is false) so Excel reads names right.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column.heading for column in columns])
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    text = out.getvalue()
    return (("\ufeff" + text) if bom else text).encode("utf-8")


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return safe_text(value)
    return value


@dataclass(frozen=True)
class Download:
    """A file ready to send: a view wraps it in a response (``Response(d.body,
    mimetype=d.mimetype, headers=d.headers)``)."""

    body: bytes
    mimetype: str
    headers: dict[str, str]


def download(
    about: About,
    stem: str,
    sheet_name: str,
    extension: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[object]],
) -> Download:
    """``rows`` as CSV (``extension`` "csv": headings then data, no byte-order mark) or as
    an Excel workbook with its About sheet ("xlsx"), named ``stem`` and when it was made."""
    headers = disposition(filename(stem, about.made_at, extension))
    if extension == "csv":
        return Download(csv_bytes(columns, rows, bom=False), CSV_MIMETYPE, headers)
    if extension == "xlsx":
        return Download(workbook(about, sheet_name, columns, rows), XLSX_MIMETYPE, headers)
    raise ValueError(f"no export as {extension!r}")


def form_filters(form, names: Iterable[str]) -> list[tuple[str, str]]:
    """The filters a WTForms form was given, as (label, what was chosen) for the About
    sheet: a choice by its label, a date as 7 December 2026; blank fields left out."""
    described = []
    for name in names:
        field = form[name]
        value = field.data
        if value in (None, "") or field.errors:
            continue
        if getattr(field, "choices", None) is not None:
            labels = {}
            for choice in field.choices:
                key, label = (
                    (choice.value, choice.label) if hasattr(choice, "value") else choice[:2]
                )
                labels[str(key)] = label
            text = labels.get(str(value), str(value))
        elif isinstance(value, date):
            text = f"{value.day} {value:%B %Y}"
        else:
            text = str(value)
        described.append((str(field.label.text), text))
    return described


__all__ = [
    "CSV_MIMETYPE",
    "NUMBER_FORMATS",
    "XLSX_MIMETYPE",
    "About",
    "Column",
    "Kind",
    "csv_bytes",
    "disposition",
    "filename",
    "form_filters",
    "safe_text",
    "workbook",
]
