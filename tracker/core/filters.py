"""Template filters: money, dates and times the way UK public-sector staff read them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from tracker.core.dates import LONDON


def gbp(value: Decimal | int | None, pence: bool = False) -> str:
    if value is None:
        return "–"
    amount = Decimal(value)
    sign = "-" if amount < 0 else ""
    text = f"{abs(amount):,.2f}" if pence else f"{abs(amount):,.0f}"
    return f"{sign}£{text}"


def day(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.astimezone(LONDON)
    return f"{value.day} {value:%B %Y}"


def timestamp(value: datetime | None) -> str:
    if value is None:
        return "–"
    local = value.astimezone(LONDON)
    hour = local.strftime("%I").lstrip("0")
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{local:%p}".replace("AM", "am").replace(
        "PM", "pm"
    )


def register(app) -> None:
    app.add_template_filter(gbp)
    app.add_template_filter(day)
    app.add_template_filter(timestamp)
