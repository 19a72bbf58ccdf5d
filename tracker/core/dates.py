"""The calendar as UK public-sector staff read it: one "today", one month arithmetic.

Pure: no Flask and no database, so rules modules may use it too.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def uk_today() -> date:
    """The calendar day people in the UK see now (the server may run in UTC): timesheets,
    costs, checkpoints and jobs all count their days in it."""
    return datetime.now(UTC).astimezone(LONDON).date()


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), or that month's last day when it has no
    such day (31 January + 1 month is 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
