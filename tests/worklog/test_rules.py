"""Pure rules: weeks, hours as people type them, the 24-hour day, rates in force, safe cells."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tracker.worklog import rules
from tracker.worklog.rules import Rate


def test_week_starts_on_monday():
    assert rules.week_start(date(2026, 11, 22)) == date(2026, 11, 16)  # a Sunday
    assert rules.week_start(date(2026, 11, 16)) == date(2026, 11, 16)
    assert rules.week_days(date(2026, 11, 16))[-1] == date(2026, 11, 22)


def test_parse_week_falls_back_to_this_week():
    today = date(2026, 11, 19)
    assert rules.parse_week("2026-11-11", today) == date(2026, 11, 9)
    assert rules.parse_week("nonsense", today) == date(2026, 11, 16)
    assert rules.parse_week(None, today) == date(2026, 11, 16)


@pytest.mark.parametrize(
    ("typed", "hours"),
    [
        ("7.5", "7.50"),
        ("7,5", "7.50"),
        ("7:30", "7.50"),
        (" 8 ", "8.00"),
        ("0.25", "0.25"),
        ("24", "24.00"),
    ],
)
def test_hours_as_typed(typed, hours):
    assert rules.parse_hours(typed) == Decimal(hours)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter hours"),
        ("-1", "Hours must not be negative"),
        ("abc", "Hours must be a number of hours, like 7.5 or 7:30"),
        ("NaN", "Hours must be a number of hours, like 7.5 or 7:30"),
        ("25", "Hours must be 24 or fewer"),
        ("0", "Hours must be more than 0"),
        ("7.125", "Hours can have at most 2 decimal places"),
        ("7:75", "Hours must be a number of hours, like 7.5 or 7:30"),
    ],
)
def test_bad_hours_say_why(typed, message):
    with pytest.raises(rules.HoursError, match=message):
        rules.parse_hours(typed)


def test_empty_and_zero_cells_mean_no_time_in_a_grid():
    assert rules.parse_hours("", allow_empty=True) is None
    assert rules.parse_hours("0", allow_empty=True) is None  # 0 in a cell: no time


def test_over_limit_counts_existing_time():
    day = date(2026, 3, 2)
    assert rules.over_limit({day: Decimal(20)}, {day: Decimal(4)}) == []
    assert rules.over_limit({day: Decimal(20)}, {day: Decimal("4.25")}) == [day]


def test_rate_in_force_is_the_latest_started_on_or_before_the_day():
    rates = [Rate(date(2026, 1, 1), Decimal(40)), Rate(date(2026, 4, 1), Decimal(45))]
    assert rules.rate_on(rates, date(2025, 12, 31)) is None
    assert rules.rate_on(rates, date(2026, 3, 31)) == Decimal(40)
    assert rules.rate_on(rates, date(2026, 4, 1)) == Decimal(45)


def test_a_persons_rate_beats_their_roles():
    role = [Rate(date(2026, 1, 1), Decimal(38))]
    own = [Rate(date(2026, 6, 1), Decimal(50))]
    assert rules.rate_for(date(2026, 5, 31), own, role) == Decimal(38)
    assert rules.rate_for(date(2026, 6, 1), own, role) == Decimal(50)


def test_primary_role_prefers_the_manager_role():
    assert rules.primary_role({"team_member", "project_manager"}) == "project_manager"
    assert rules.primary_role({"executive"}) == "executive"
    assert rules.primary_role(set()) is None


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x"])
def test_formula_like_text_is_made_inert(text):
    assert rules.safe_cell(text) == "'" + text


def test_ordinary_values_are_left_alone():
    assert rules.safe_cell("Workshop") == "Workshop"
    assert rules.safe_cell(Decimal("7.5")) == Decimal("7.5")


def test_format_hours():
    assert rules.format_hours(Decimal("7.50")) == "7.5"
    assert rules.format_hours(Decimal("8.00")) == "8"
    assert rules.format_hours(None) == ""
