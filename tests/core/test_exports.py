"""The shared export helper: an About sheet first, a frozen bold header, widths that fit,
typed cells (dates as dates, money as numbers in pounds), text never a formula; CSV kept to
headings and rows. Opens what it writes with openpyxl, as a PMO's spreadsheet would."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from tracker.core import exports
from tracker.core.exports import About, Column, Kind

COLUMNS = (
    Column("Code"),
    Column("Budget at completion", Kind.MONEY),
    Column("Planned finish", Kind.DATE),
    Column("CPI", Kind.INDEX),
    Column("Hours", Kind.HOURS),
    Column("Exceptions", Kind.COUNT),
)
ROWS = [
    ["PRJ-1", D("1250000.50"), date(2027, 3, 31), 0.95, D("7.5"), 2],
    ['=HYPERLINK("http://evil","x")', None, None, None, None, 0],
]
ABOUT = About(
    title="Portfolio table",
    made_at=datetime(2026, 7, 1, 18, 30, tzinfo=UTC),
    made_by="Pat PMO (pat@example.gov.uk)",
    filters=[("Organisation", "Eastvale Borough Council"), ("Size", "Large")],
    notes=("Only the projects you are a member of.",),
)


@pytest.fixture
def book():
    return load_workbook(io.BytesIO(exports.workbook(ABOUT, "Portfolio", COLUMNS, ROWS)))


def test_the_first_sheet_says_what_when_who_and_which_filters(book):
    assert book.sheetnames == ["About", "Portfolio"]
    assert book.active.title == "About"  # it opens on what the file is
    about = {}
    for label, value in book["About"].iter_rows(values_only=True):
        about.setdefault(label, []).append(value)
    assert about["What"] == ["Portfolio table"]
    assert about["Made"] == ["1 July 2026 at 19:30 (BST)"]  # UK time, said as such
    assert about["Made by"] == ["Pat PMO (pat@example.gov.uk)"]
    assert about["Filters"] == ["Organisation: Eastvale Borough Council"]
    assert about[None] == ["Size: Large"]
    assert about["Rows"] == ["2 on the sheet “Portfolio”"]
    assert about["Note"] == ["Only the projects you are a member of."]
    assert book["About"]["A1"].font.b


def test_no_filters_is_said():
    plain = About("Time entries", datetime(2026, 1, 5, 9, 0, tzinfo=UTC), "Sam")
    book = load_workbook(io.BytesIO(exports.workbook(plain, "Time", COLUMNS, [])))
    values = dict(book["About"].iter_rows(values_only=True))
    assert values["Filters"] == "None" and values["Made"] == "5 January 2026 at 09:00 (GMT)"


def test_header_row_is_frozen_bold_and_filtered(book):
    sheet = book["Portfolio"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.auto_filter.ref == "A1:F3"


def test_columns_are_wide_enough_for_their_values(book):
    sheet = book["Portfolio"]
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEF"}
    assert widths["A"] >= len('=HYPERLINK("http://evil","x")')
    assert widths["B"] >= len("£1,250,000.50")
    assert widths["C"] >= len("31/03/2027")
    assert all(width <= exports.MAX_WIDTH for width in widths.values())


def test_money_is_a_number_in_pounds_and_dates_are_dates(book):
    row = book["Portfolio"][2]
    money, finish, cpi, hours, count = row[1], row[2], row[3], row[4], row[5]
    assert money.data_type == "n" and money.value == pytest.approx(1250000.50)
    assert "£" in money.number_format and "#,##0.00" in money.number_format
    assert finish.is_date and finish.value.date() == date(2027, 3, 31)
    assert finish.number_format == "dd/mm/yyyy"
    assert cpi.number_format == "0.00" and cpi.value == 0.95
    assert hours.data_type == "n" and hours.number_format == "0.00" and hours.value == 7.5
    assert count.number_format == "0" and count.value == 2


def test_text_is_never_a_formula(book):
    cell = book["Portfolio"]["A3"]
    assert cell.data_type == "s"
    assert cell.value == '\'=HYPERLINK("http://evil","x")'


def test_a_row_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="2 values for 6 columns"):
        exports.workbook(ABOUT, "Portfolio", COLUMNS, [["a", "b"]])


def test_csv_is_headings_then_rows_and_still_parses():
    text = exports.csv_bytes(COLUMNS, ROWS).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [column.heading for column in COLUMNS]
    assert rows[1] == ["PRJ-1", "1250000.50", "2027-03-31", "0.95", "7.5", "2"]
    assert rows[2][0].startswith("'=") and rows[2][1:5] == ["", "", "", ""]
    assert exports.csv_bytes(COLUMNS, [], bom=False) == (
        b"Code,Budget at completion,Planned finish,CPI,Hours,Exceptions\r\n"
    )


def test_file_names_say_what_and_when_in_uk_time():
    made = datetime(2026, 7, 1, 18, 30, tzinfo=UTC)
    assert exports.filename("portfolio", made, "xlsx") == "portfolio-2026-07-01-1930.xlsx"


def test_an_export_time_must_have_a_zone():
    with pytest.raises(ValueError, match="timezone"):
        About("x", datetime(2026, 1, 1), "Sam")
