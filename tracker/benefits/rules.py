"""Benefits and dis-benefits: what each is expected to be on a given day, and when a
measurement is off its trajectory beyond the benefit tolerance.

Pure functions over plain values, tested without an app or a database. Worked example (the
tests use it): a benefit measured at 100 on 1 April 2026 with a target of 200 on 1 April
2027 and a linear trajectory is expected to be 150 on 1 October 2026 (183 of 365 days in,
so 150.14); measured at 130 that day it is 20.14 behind, 20% of the 100 it is to improve
by, so off its trajectory at a 10% benefit tolerance and within it at 25%.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise


class BenefitKind(StrEnum):
    BENEFIT = "benefit"
    DISBENEFIT = "disbenefit"


class BenefitCategory(StrEnum):
    """HM Treasury's classes: cash released, value that is not cash, and benefit to
    society (partner agencies' benefits are named by the organisation they fall to)."""

    CASHABLE = "cashable"
    NON_CASHABLE = "non_cashable"
    SOCIETAL = "societal"


class Trajectory(StrEnum):
    LINEAR = "linear"
    POINTS = "points"


class ReviewOutcome(StrEnum):
    REALISED = "realised"
    PARTLY = "partly"
    NOT_REALISED = "not_realised"


BENEFIT_KINDS = {BenefitKind.BENEFIT: "Benefit", BenefitKind.DISBENEFIT: "Dis-benefit"}
BENEFIT_CATEGORIES = {
    BenefitCategory.CASHABLE: "Cashable",
    BenefitCategory.NON_CASHABLE: "Non-cashable",
    BenefitCategory.SOCIETAL: "Societal",
}
TRAJECTORIES = {
    Trajectory.LINEAR: "A straight line from the baseline to the target",
    Trajectory.POINTS: "Points I give",
}
REVIEW_OUTCOMES = {
    ReviewOutcome.REALISED: "Realised",
    ReviewOutcome.PARTLY: "Partly realised",
    ReviewOutcome.NOT_REALISED: "Not realised",
}

DEFAULT_TOLERANCE_PERCENT = Decimal(10)
"""The benefit tolerance when the stage's stated benefit target names no percentage (the
default stated target is "within 10% of the approved business case")."""

_PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*(?:%|per ?cent)", re.IGNORECASE)


def tolerance_percent(benefit_target: str | None) -> Decimal:
    """The benefit tolerance, as a percentage, from a stage's stated benefit target: the
    first percentage it names ("Forecast benefits stay within 10% ..." is 10)."""
    found = _PERCENT.search(benefit_target or "")
    return Decimal(found.group(1)) if found else DEFAULT_TOLERANCE_PERCENT


@dataclass(frozen=True)
class Point:
    on: date
    value: Decimal


def expected(
    on: date,
    *,
    baseline: Point,
    target: Point,
    points: Sequence[Point] = (),
) -> Decimal:
    """The value the trajectory expects on ``on``: straight lines between the baseline, the
    given points (in date order) and the target; the baseline before it, the target after."""
    line = [
        baseline,
        *sorted((p for p in points if baseline.on < p.on < target.on), key=lambda p: p.on),
        target,
    ]
    if on <= line[0].on:
        return line[0].value
    for start, end in pairwise(line):
        if on <= end.on:
            span = (end.on - start.on).days
            if span <= 0:
                return end.value
            done = Decimal((on - start.on).days) / Decimal(span)
            return start.value + (end.value - start.value) * done
    return line[-1].value


def shortfall_share(
    kind: str, *, baseline: Decimal, target: Decimal, expected_value: Decimal, actual: Decimal
) -> Decimal:
    """How far ``actual`` is on the wrong side of the trajectory, as a share of the change
    the benefit plans (target minus baseline); zero or less when on or ahead of it.

    The wrong side of a benefit is falling short of the expected value in the direction of
    the target; of a dis-benefit, going beyond the expected value (more of the harm than
    planned). A benefit planned to stay level is measured against its baseline's size."""
    planned = target - baseline
    direction = Decimal(1) if planned >= 0 else Decimal(-1)
    behind = (expected_value - actual) * direction
    if kind == BenefitKind.DISBENEFIT:
        behind = -behind
    scale = abs(planned) or abs(baseline) or Decimal(1)
    return behind / scale


def is_off_track(share: Decimal, tolerance: Decimal) -> bool:
    """Beyond the tolerance (a percentage) on the wrong side."""
    return share * 100 > tolerance


def realised_amount(
    kind: str, *, baseline: Decimal, target: Decimal, latest: Decimal | None
) -> Decimal:
    """How much of the planned change the latest measurement shows, never below nothing
    nor above the plan (for value for money: realised cashable benefit)."""
    if latest is None or kind == BenefitKind.DISBENEFIT:
        return Decimal(0)
    planned = abs(target - baseline)
    direction = Decimal(1) if target >= baseline else Decimal(-1)
    gained = (latest - baseline) * direction
    return max(Decimal(0), min(planned, gained))


# --- checks on what people type ----------------------------------------------------------


def unit_problem(unit: str | None, category: str) -> str | None:
    text = (unit or "").strip()
    if not text:
        return "Give the unit the target is measured in (for example £ a year, hours, %)"
    if category == BenefitCategory.CASHABLE and not (
        text.startswith("£") or text.upper().startswith("GBP")
    ):
        return (
            "A cashable benefit is measured in pounds: start its unit with £ (for example £ a year)"
        )
    return None


def dates_problem(baseline_on: date, target_on: date) -> str | None:
    if target_on <= baseline_on:
        return "The target date must be after the date the baseline was taken"
    return None


def measurement_problem(measured_on: date, baseline_on: date, today: date) -> str | None:
    if measured_on < baseline_on:
        return (
            f"A measurement cannot be dated before the baseline was taken "
            f"({baseline_on.day} {baseline_on:%B %Y})"
        )
    if measured_on > today:
        return "A measurement cannot be dated in the future"
    return None


def points_problem(points: Sequence[Point], baseline_on: date, target_on: date) -> str | None:
    seen: set[date] = set()
    for point in points:
        if not baseline_on < point.on < target_on:
            return "Each trajectory point must fall between the baseline date and the target date"
        if point.on in seen:
            return "Give each trajectory point a different date"
        seen.add(point.on)
    return None


_POINT_LINE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*[,;:=\s]\s*(-?\d+(?:\.\d+)?)\s*$")


def parse_points(text: str | None) -> list[Point]:
    """Trajectory points typed one a line as ``2026-10-01, 150``; ValueError naming the
    line that is not."""
    points = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        found = _POINT_LINE.match(line)
        if not found:
            raise ValueError(
                f"Line {number} of the trajectory is not a date and a value "
                "(for example 2026-10-01, 150)"
            )
        try:
            on = date.fromisoformat(found.group(1))
        except ValueError as error:
            raise ValueError(
                f"Line {number} of the trajectory has a date that does not exist"
            ) from error
        points.append(Point(on, Decimal(found.group(2))))
    return points


def owner_problem(email: str | None, name: str | None, *, has_account: bool) -> str | None:
    """An owner is a person with an account, or someone named with an email address."""
    if not (email or "").strip():
        return (
            "Give the benefit owner's email address: the person's account if they have one, "
            "or the email of the person outside the tracker who owns it"
        )
    if not has_account and not (name or "").strip():
        return (
            "Nobody has an account with that email: give the owner's name to name them "
            "as a person outside the tracker"
        )
    return None


_ISO_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_LONG_DATE = re.compile(
    r"\b(\d{1,2})\s+(January|February|March|April|May|June|July|August|September|October|"
    r"November|December)\s+(\d{4})\b",
    re.IGNORECASE,
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}


def review_dates_in(text: str | None) -> list[date]:
    """The dates an end-project report's "benefits to be reviewed, and when" names, in
    order, each once (``2027-06-30`` or ``30 June 2027``); words that are not a real date
    are ignored."""
    found: set[date] = set()
    for match in _ISO_DATE.finditer(text or ""):
        try:
            found.add(date.fromisoformat(match.group(1)))
        except ValueError:
            continue
    for match in _LONG_DATE.finditer(text or ""):
        try:
            found.add(
                date(int(match.group(3)), _MONTHS[match.group(2).lower()], int(match.group(1)))
            )
        except ValueError:
            continue
    return sorted(found)


def shown(value: Decimal | None) -> str:
    """A value as people read it: thousands separated, no trailing zeros ("12,500.5")."""
    if value is None:
        return "–"
    text = f"{value.quantize(Decimal('0.0001')):,.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def share_realised(realised: int, n: int) -> Decimal | None:
    return None if n == 0 else Decimal(realised) / Decimal(n)
