"""Pure work-logging rules: weeks, hours, daily limits, rates in force, safe spreadsheet cells.

No Flask and no database here, so each rule is tested on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum


class WeekStatus(StrEnum):
    """A timesheet week: open for changes, or submitted and locked until unlocked."""

    OPEN = "open"
    SUBMITTED = "submitted"


WEEK_STATUSES = {WeekStatus.OPEN: "Open", WeekStatus.SUBMITTED: "Submitted and locked"}
DAY_LIMIT = Decimal(24)
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Which role's rate applies when a person holds several roles on one project.
ROLE_PRECEDENCE = (
    "project_manager",
    "team_member",
    "senior_supplier",
    "senior_user",
    "executive",
    "customer_rep",
)


class HoursError(ValueError):
    """Hours a person typed that cannot be logged; the message says why."""


def week_start(day: date) -> date:
    """The Monday of the week holding ``day``."""
    return day - timedelta(days=day.weekday())


def week_days(start: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range(7)]


def parse_week(raw: str | None, today: date) -> date:
    """A week from ``YYYY-MM-DD`` (any day in it); this week when missing or malformed."""
    try:
        return week_start(datetime.strptime((raw or "").strip(), "%Y-%m-%d").date())
    except ValueError:
        return week_start(today)


def parse_hours(raw: str | None, *, what: str = "Hours", allow_empty: bool = False):
    """Hours as typed: ``7.5``, ``7,5`` or ``7:30``. Returns a Decimal with at most two
    decimal places, or None for an empty value (or 0) when ``allow_empty``."""
    text = (raw or "").strip()
    if text == "":
        if allow_empty:
            return None
        raise HoursError(f"Enter {what.lower()}")
    if ":" in text:
        hours_text, _, minutes_text = text.partition(":")
        if not (
            text.isascii()
            and hours_text.isdigit()
            and minutes_text.isdigit()
            and len(minutes_text) == 2
        ):
            raise HoursError(f"{what} must be a number of hours, like 7.5 or 7:30")
        minutes = int(minutes_text)
        if minutes >= 60:
            raise HoursError(f"{what} must be a number of hours, like 7.5 or 7:30")
        value = (Decimal(int(hours_text)) + Decimal(minutes) / 60).quantize(Decimal("0.01"))
    else:
        try:
            value = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise HoursError(f"{what} must be a number of hours, like 7.5 or 7:30") from None
        if not value.is_finite():
            raise HoursError(f"{what} must be a number of hours, like 7.5 or 7:30")
    if value < 0:
        raise HoursError(f"{what} must not be negative")
    if value > DAY_LIMIT:
        raise HoursError(f"{what} must be 24 or fewer")
    if value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
        raise HoursError(f"{what} can have at most 2 decimal places")
    if value == 0:
        if allow_empty:
            return None  # a 0 in a timesheet cell means "no time", as an empty cell does
        raise HoursError(f"{what} must be more than 0")
    return value.quantize(Decimal("0.01"))


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def before_start_message(code: str, start: date, finish: date, day: date) -> str | None:
    """Why time on ``day`` cannot be logged on a project running ``start`` to ``finish``,
    or None when it can. Work before a project starts belongs to whatever came before it
    (a business case, another project), not to this project's cost."""
    if day >= start:
        return None
    return (
        f"{code} runs from {long_date(start)} to {long_date(finish)}: time on "
        f"{long_date(day)} is before it started and cannot be logged against it."
    )


def format_hours(value: Decimal | int | float | None) -> str:
    """``7.50`` → ``7.5``, ``8.00`` → ``8``; blank for nothing."""
    if value is None:
        return ""
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def over_limit(existing: dict[date, Decimal], adding: dict[date, Decimal]) -> list[date]:
    """Days on which the existing hours plus the new ones pass 24."""
    return sorted(
        day for day, hours in adding.items() if existing.get(day, Decimal(0)) + hours > DAY_LIMIT
    )


def day_over_message(day: date, total: Decimal) -> str:
    return (
        f"{DAY_NAMES[day.weekday()]} {day.day} {day:%B %Y} would have {format_hours(total)} "
        "hours logged: a day can hold at most 24 hours in total"
    )


@dataclass(frozen=True)
class Rate:
    effective_from: date
    rate: Decimal


def rate_on(rates: Sequence[Rate], day: date) -> Decimal | None:
    """The rate in force on ``day``: the one with the latest start on or before it."""
    best: Rate | None = None
    for rate in rates:
        if rate.effective_from <= day and (
            best is None or rate.effective_from > best.effective_from
        ):
            best = rate
    return best.rate if best else None


def rate_for(day: date, person_rates: Sequence[Rate], role_rates: Sequence[Rate]) -> Decimal | None:
    """A person's own rate beats their role's rate; None when neither is in force."""
    own = rate_on(person_rates, day)
    return own if own is not None else rate_on(role_rates, day)


def cost(hours: Decimal, rate: Decimal | None) -> Decimal:
    return (hours * (rate or Decimal(0))).quantize(Decimal("0.01"))


def primary_role(roles: Iterable[str]) -> str | None:
    """The role whose rate applies to the person's time on a project."""
    held = set(roles)
    return next((role for role in ROLE_PRECEDENCE if role in held), None)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text that a spreadsheet would run as a formula is prefixed with a quote, so an
    exported note like ``=HYPERLINK(...)`` shows as text (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
