"""Earned-value arithmetic, baselines, cost tolerance and cost-entry CSV validation.

Pure functions over plain data, so the budget services, the scheduled checkpoint job and
the tests all share one definition of every number the board reads.

Rounding rules (stated once, applied everywhere):

* Money is ``Decimal`` in pounds. Every money value this module *produces* is quantised to
  the penny with ``ROUND_HALF_UP``; money *inputs* are quantised the same way on entry, so a
  caller passing fractions of a penny gets the same answer as one who rounded first.
* Indices (CPI, SPI, TCPI) are kept at full precision: the exact ratio of two penny amounts,
  rounded half-up only at the 12th decimal place (far below anything a board could act on,
  and what the database stores). Pages show two decimal places, rounded half-up at display
  time, so a stored 0.885 shows as 0.89 and never as a twice-rounded 0.88.
* Derived money is computed from the exact ratio, never from a rounded index: EAC is
  ``BAC x AC / EV`` (algebraically ``BAC / CPI``), so a hand calculation agrees to the penny.
* Percentages are ``Decimal`` rounded half-up to 1 decimal place.
* An undefined ratio (a zero denominator) is ``None`` with a stated reason, never an
  exception, infinity, NaN or float.

Earned-value formulas (PMI *Practice Standard for Earned Value Management*; AgileEVM from
Sulaiman, Barton & Blackburn 2006)::

    CV   = EV - AC                       SV   = EV - PV
    CPI  = EV / AC                       SPI  = EV / PV
    EAC  = BAC / CPI  (= BAC x AC / EV)  the default: today's cost efficiency continues
    EAC (atypical)   = AC + (BAC - EV)   the overrun so far was a one-off
    EAC (CPI x SPI)  = AC + (BAC - EV) / (CPI x SPI)
    ETC  = EAC - AC  (= (BAC - EV) / CPI)
    VAC  = BAC - EAC
    TCPI = (BAC - EV) / (BAC - AC)       efficiency needed on the remaining work to finish
                                         within BAC; undefined when BAC - AC ≤ 0
    AgileEVM: EV = BAC x completed points / planned release points
              PV = budget of the planned iterations elapsed

Worked example (reproduced to the penny by ``tests/budget/test_worked_example.py``): the
"Examples" section of the vignette *Earned Value Management* by Paul Govan, in the R
package *PRA: Project Risk Analysis* (file ``vignettes/evm.Rmd`` of github.com/paulgovan/PRA,
commit 0927cdd; the same figures appear in the package's ``R/evm.R`` help examples). BAC
$100,000 planned cumulatively as 10%, 20%, 40%, 70% and 100% over five periods; at the end
of period 3 the work is 35% complete and the period costs were 9,000, 18,000 and 36,000::

    PV  = 40,000.00     EV  = 35,000.00     AC  = 63,000.00
    SV  = -5,000.00     CV  = -28,000.00
    SPI = 0.875 (0.88)  CPI = 0.5556 (0.56)
    EAC = 100,000 x 63,000 / 35,000              = 180,000.00
    EAC (atypical) = 63,000 + 65,000             = 128,000.00
    EAC (CPI x SPI) = 63,000 + 65,000 / 0.48611  = 196,714.29
    ETC = 117,000.00    VAC = -80,000.00    TCPI = 65,000 / 37,000 = 1.7568 (1.76)

The source prints indices and money with R's ``round(x, 2)`` (half to even); none of its
figures falls on a half, so half-up (ours) and half-even agree on every one.
"""

from __future__ import annotations

import bisect
import csv
import io
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from tracker.core.money import (
    AT_RISK_SHARE,
    DECIMAL_CONTEXT,
    PENNY,
    CostTolerance,
    Money,
    ToleranceCheck,
    ToleranceStatus,
    assess_tolerance,
    check_cost,
    format_gbp,
    money,
)

CheckpointStatus = ToleranceStatus
"""A checkpoint's status against a cost tolerance is the tolerance check's own verdict."""


class BudgetExceptionStatus(StrEnum):
    """A budget exception waits for the board (open) until decided."""

    OPEN = "open"
    DECIDED = "decided"


class BudgetDecision(StrEnum):
    """The board's answer to a budget exception."""

    ACCEPT = "accept"
    REBASELINE = "rebaseline"


# Indices are stored at full precision (the exact ratio to 12 decimal places) and shown
# at two (the tolerance share used, SHARE_PLACES, is in tracker.core.money).
INDEX_PLACES = Decimal("0.000000000001")
SCREEN_INDEX_PLACES = Decimal("0.01")
PERCENT_PLACES = Decimal("0.1")
ZERO = Decimal("0.00")

# Money, the rounding context and the cost tolerance check are shared with the stage rules,
# so they live in ``tracker.core.money`` (stages must not depend on budget).
_CTX = DECIMAL_CONTEXT


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if denominator == 0:
        return None
    return _CTX.divide(numerator, denominator)


def _index(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(INDEX_PLACES, rounding=ROUND_HALF_UP, context=_CTX)


def index_on_screen(value: Decimal | None) -> Decimal | None:
    """An index as pages show it: two decimal places, half up (``None`` stays ``None``)."""
    if value is None:
        return None
    return Decimal(value).quantize(SCREEN_INDEX_PLACES, rounding=ROUND_HALF_UP, context=_CTX)


def _percent(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    ratio = _ratio(numerator * 100, denominator)
    if ratio is None:
        return None
    return ratio.quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP, context=_CTX)


def _money_or_none(value: Decimal | None) -> Decimal | None:
    return None if value is None else money(value)


# --------------------------------------------------------------------------------------
# Time-phased baselines
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BaselinePoint:
    """Cumulative planned value at the *end* of ``day``."""

    day: date
    cumulative: Decimal


@dataclass(frozen=True)
class Baseline:
    """A planned-value curve: one point per day, non-decreasing, ending at BAC.

    Points are daily so the S-curve and ``planned_value_at`` agree without interpolation
    error; a checkpoint on a date reads the PV planned up to and including that date.
    """

    points: tuple[BaselinePoint, ...]

    @property
    def bac(self) -> Decimal:
        return self.points[-1].cumulative if self.points else ZERO

    @property
    def start(self) -> date | None:
        return self.points[0].day if self.points else None

    @property
    def finish(self) -> date | None:
        return self.points[-1].day if self.points else None

    def as_rows(self) -> list[tuple[date, Decimal]]:
        """The curve as (date, cumulative PV) rows, for tables and exports."""
        return [(point.day, point.cumulative) for point in self.points]


@dataclass(frozen=True)
class StageBudget:
    """A stage's planned budget spread over its planned dates (both inclusive)."""

    name: str
    start: date
    finish: date
    budget: Decimal


@dataclass(frozen=True)
class PlannedIteration:
    """An iteration in an agile release plan, with the money planned for it."""

    name: str
    start: date
    finish: date
    budget: Decimal


@dataclass(frozen=True)
class ReleasePlan:
    """An agile release plan: planned iterations and the story points they should deliver."""

    iterations: tuple[PlannedIteration, ...]
    planned_points: int

    @property
    def bac(self) -> Decimal:
        return money(sum((money(it.budget) for it in self.iterations), Decimal(0)))


class BaselineError(ValueError):
    """A plan that cannot make a baseline; the message names the offending part."""


def _days(start: date, finish: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((finish - start).days + 1)]


def _curve_from_increments(increments: dict[date, Decimal], start: date, finish: date) -> Baseline:
    """Accumulate exact daily increments, rounding only the running total to the penny.

    Rounding the running total (not each increment) keeps the curve non-decreasing and
    makes it end at exactly the sum of the budgets.
    """
    running = Decimal(0)
    points = []
    for day in _days(start, finish):
        running += increments.get(day, Decimal(0))
        points.append(BaselinePoint(day, money(running)))
    return Baseline(tuple(points))


def _check_span(kind: str, name: str, start: date, finish: date, budget: Decimal) -> None:
    if finish < start:
        raise BaselineError(f"{kind} '{name}' finishes ({finish}) before it starts ({start}).")
    if money(budget) < 0:
        raise BaselineError(f"{kind} '{name}' has a negative budget ({format_gbp(budget)}).")


def _stage_share(stage: StageBudget, on: date) -> Decimal:
    """The part of a stage's budget planned by the end of ``on``, exactly (not rounded)."""
    days = (stage.finish - stage.start).days + 1
    elapsed = min(max((on - stage.start).days + 1, 0), days)
    if elapsed == 0:
        return Decimal(0)
    if elapsed == days:
        return money(stage.budget)
    return _CTX.divide(_CTX.multiply(money(stage.budget), Decimal(elapsed)), Decimal(days))


def stage_planned_value(stages: Sequence[StageBudget], on: date) -> Decimal:
    """PV at the end of ``on`` for stages spread evenly per day, without building a curve.

    Each stage contributes budget x days elapsed / days, summed exactly and rounded once to
    the penny. ``stage_baseline`` builds every point of its curve with this same function,
    so a checkpoint (which reads one day) and the S-curve (which draws every day) agree.
    """
    total = Decimal(0)
    for stage in stages:
        total = _CTX.add(total, _stage_share(stage, on))
    return money(total)


def release_planned_value(iterations: Sequence[PlannedIteration], on: date) -> Decimal:
    """AgileEVM PV at the end of ``on``: the budgets of the iterations that have ended."""
    return money(sum((money(it.budget) for it in iterations if it.finish <= on), Decimal(0)))


def stage_baseline(stages: Sequence[StageBudget]) -> Baseline:
    """PV for a stage-gated project: each stage's budget spread evenly over its days.

    Overlapping stages add up; gaps between stages keep PV flat. Each day's point is the
    exact cumulative plan rounded once to the penny, so the curve never drifts, is
    non-decreasing and ends at exactly the sum of the budgets.
    """
    if not stages:
        return Baseline(())
    for stage in stages:
        _check_span("Stage", stage.name, stage.start, stage.finish, stage.budget)
    start = min(stage.start for stage in stages)
    finish = max(stage.finish for stage in stages)
    # stage_planned_value for every day, with the per-stage constants worked out once: the
    # same additions in the same order, so each point equals what a checkpoint reads.
    prepared = [
        (stage.start.toordinal(), (stage.finish - stage.start).days + 1, money(stage.budget))
        for stage in stages
    ]
    points = []
    for day in _days(start, finish):
        ordinal = day.toordinal()
        total = Decimal(0)
        for first, days, budget in prepared:
            elapsed = ordinal - first + 1
            if elapsed <= 0:
                continue
            share = (
                budget
                if elapsed >= days
                else _CTX.divide(_CTX.multiply(budget, Decimal(elapsed)), Decimal(days))
            )
            total = _CTX.add(total, share)
        points.append(BaselinePoint(day, money(total)))
    return Baseline(tuple(points))


def release_baseline(plan: ReleasePlan) -> Baseline:
    """PV for an agile project, as AgileEVM defines it: a step at each iteration's end.

    AgileEVM's planned value is the budget of the planned iterations elapsed, so an
    iteration's budget is planned in full on its last day, not spread across it. A
    mid-iteration checkpoint therefore compares against the iterations already due,
    which is also when completed points are counted.
    """
    if plan.planned_points <= 0:
        raise BaselineError("A release plan needs a positive number of planned points.")
    if not plan.iterations:
        return Baseline(())
    increments: dict[date, Decimal] = {}
    for iteration in plan.iterations:
        _check_span(
            "Iteration", iteration.name, iteration.start, iteration.finish, iteration.budget
        )
        increments[iteration.finish] = increments.get(iteration.finish, Decimal(0)) + money(
            iteration.budget
        )
    start = min(iteration.start for iteration in plan.iterations)
    finish = max(iteration.finish for iteration in plan.iterations)
    return _curve_from_increments(increments, start, finish)


def hybrid_baseline(
    stages: Sequence[StageBudget], iterations: Sequence[PlannedIteration]
) -> Baseline:
    """PV for a hybrid project: it follows the stages; iterations must sit inside one.

    The stages carry the money the board authorises, so PV follows them. The iterations are
    checked, not counted again: each must fall within a single stage's dates, and a stage's
    iterations may not plan more money than the stage has.
    """
    for iteration in iterations:
        _check_span(
            "Iteration", iteration.name, iteration.start, iteration.finish, iteration.budget
        )
    planned_in_stage: dict[str, Decimal] = {}
    for iteration in iterations:
        home = next(
            (s for s in stages if s.start <= iteration.start and iteration.finish <= s.finish),
            None,
        )
        if home is None:
            raise BaselineError(
                f"Iteration '{iteration.name}' ({iteration.start} to {iteration.finish}) "
                "does not fall within any one stage."
            )
        planned_in_stage[home.name] = planned_in_stage.get(home.name, Decimal(0)) + money(
            iteration.budget
        )
    for stage in stages:
        planned = planned_in_stage.get(stage.name, Decimal(0))
        if planned > money(stage.budget):
            raise BaselineError(
                f"Iterations in stage '{stage.name}' plan {format_gbp(planned)}, "
                f"{format_gbp(planned - money(stage.budget))} more than the stage budget "
                f"of {format_gbp(stage.budget)}."
            )
    return stage_baseline(stages)


def planned_value_at(baseline: Baseline, on: date) -> Decimal:
    """PV planned up to the end of ``on``: zero before the baseline, BAC after it.

    Between two stored points the value is interpolated linearly by day, so a baseline
    saved sparsely (only where it changes slope) reads the same as a daily one.
    """
    points = baseline.points
    if not points or on < points[0].day:
        return ZERO
    if on >= points[-1].day:
        return points[-1].cumulative
    days = [point.day for point in points]
    index = bisect.bisect_right(days, on) - 1
    before, after = points[index], points[index + 1]
    if before.day == on:
        return before.cumulative
    span = Decimal((after.day - before.day).days)
    elapsed = Decimal((on - before.day).days)
    rise = after.cumulative - before.cumulative
    return money(before.cumulative + _CTX.divide(rise * elapsed, span))


# --------------------------------------------------------------------------------------
# Earned value
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageProgress:
    """A stage's budget and the percent complete the manager reports at a checkpoint."""

    budget: Decimal
    percent_complete: Decimal


def earned_value(progress: Iterable[StageProgress]) -> Decimal:
    """Classic EV: Σ stage budget x percent complete.

    Percent complete outside 0-100 is refused: over 100 would earn more than the budget,
    which no amount of work can do.
    """
    total = Decimal(0)
    for stage in progress:
        percent = Decimal(stage.percent_complete)
        if not percent.is_finite() or percent < 0 or percent > 100:
            raise ValueError(f"percent complete must be between 0 and 100, not {percent}")
        total += _CTX.divide(_CTX.multiply(money(stage.budget), percent), Decimal(100))
    return money(total)


def earned_value_completed(stages: Iterable[tuple[Decimal, bool]]) -> Decimal:
    """EV from completed work only (the 0/100 rule): a stage earns its budget when complete.

    For boards that distrust reported percentages: nothing is earned until it is done.
    """
    return money(sum((money(budget) for budget, is_complete in stages if is_complete), ZERO))


def agile_earned_value(bac: Money, completed_points: int, planned_points: int) -> Decimal:
    """AgileEVM EV = BAC x completed points / planned release points, capped at BAC.

    Completing more points than planned does not earn more than the budget: the extra
    points are scope growth, which a re-baseline (with its reason) must recognise.
    """
    if planned_points <= 0:
        raise ValueError("planned release points must be positive")
    if completed_points < 0:
        raise ValueError("completed points cannot be negative")
    done = min(completed_points, planned_points)
    return money(_CTX.divide(money(bac) * done, Decimal(planned_points)))


def agile_planned_value(plan: ReleasePlan, on: date) -> Decimal:
    """AgileEVM PV: the budget of the planned iterations that have ended by ``on``."""
    return planned_value_at(release_baseline(plan), on)


def baseline_planned_value(
    kind: str,
    stages: Sequence[StageBudget],
    iterations: Sequence[PlannedIteration],
    on: date,
) -> Decimal:
    """PV of a stored baseline on a day, read straight from its lines.

    The same figure ``planned_value_at`` reads from the baseline's daily curve (a release
    plan steps at each iteration's end; stage and hybrid plans follow the stages), computed
    in a handful of operations so the monthly job need not build a curve per project.
    """
    if kind == "release":
        return release_planned_value(iterations, on)
    return stage_planned_value(stages, on)


def percent_complete_from_points(completed_points: int, planned_points: int) -> Decimal:
    """A hybrid stage's percent complete from its iterations' points (0-100, 1 dp)."""
    if planned_points <= 0:
        raise ValueError("planned points must be positive")
    done = min(max(completed_points, 0), planned_points)
    return _percent(Decimal(done), Decimal(planned_points)) or Decimal("0.0")


# --------------------------------------------------------------------------------------
# Checkpoint
# --------------------------------------------------------------------------------------

NO_COST_YET = "no cost recorded yet (AC is zero)"
NOTHING_EARNED_YET = "nothing earned yet (EV is zero)"
NOTHING_PLANNED_YET = "no planned value yet (PV is zero)"
ZERO_BUDGET = "the budget at completion is zero"
BUDGET_SPENT = "actual cost has reached the budget (BAC - AC ≤ 0)"
CPI_UNDEFINED = "CPI is undefined"
CPI_SPI_ZERO = "CPI x SPI is zero or undefined"


@dataclass(frozen=True)
class Checkpoint:
    """A budget checkpoint's figures. ``None`` means undefined; ``reasons`` says why.

    ``eac`` is the default forecast (BAC / CPI); the two alternatives are kept so the page
    can show the range the issue asks for.
    """

    bac: Decimal
    pv: Decimal
    ev: Decimal
    ac: Decimal
    cv: Decimal
    sv: Decimal
    cpi: Decimal | None
    spi: Decimal | None
    eac: Decimal | None
    eac_atypical: Decimal
    eac_cpi_spi: Decimal | None
    etc: Decimal | None
    vac: Decimal | None
    tcpi: Decimal | None
    percent_complete: Decimal | None
    percent_spent: Decimal | None
    reasons: tuple[tuple[str, str], ...] = ()

    def reason_for(self, field: str) -> str | None:
        """Why ``field`` is undefined, for the "—" shown in its place."""
        return dict(self.reasons).get(field)


def checkpoint(bac: Money, pv: Money, ev: Money, ac: Money) -> Checkpoint:
    """Derive every earned-value figure from BAC, PV, EV and AC.

    Any finite amounts are accepted (a correction can make a figure odd); only a zero or
    non-positive denominator makes a figure undefined, and then it is ``None`` with a
    reason rather than an error.
    """
    bac, pv, ev, ac = money(bac), money(pv), money(ev), money(ac)
    reasons: dict[str, str] = {}

    cpi_exact = _ratio(ev, ac)
    if cpi_exact is None:
        reasons["cpi"] = NO_COST_YET
    spi_exact = _ratio(ev, pv)
    if spi_exact is None:
        reasons["spi"] = NOTHING_PLANNED_YET

    # EAC = BAC / CPI, computed as BAC x AC / EV so no rounded index leaks into money.
    if cpi_exact is None:
        eac = None
        reasons["eac"] = f"{CPI_UNDEFINED}: {NO_COST_YET}"
    elif ev == 0:
        eac = None
        reasons["eac"] = f"{CPI_UNDEFINED}: {NOTHING_EARNED_YET}"
    else:
        eac = money(_CTX.divide(bac * ac, ev))

    performance = None
    if cpi_exact is not None and spi_exact is not None:
        performance = cpi_exact * spi_exact
    if performance is None or performance == 0:
        eac_cpi_spi = None
        reasons["eac_cpi_spi"] = CPI_SPI_ZERO
    else:
        eac_cpi_spi = money(ac + _CTX.divide(bac - ev, performance))

    etc = None if eac is None else money(eac - ac)
    vac = None if eac is None else money(bac - eac)
    if eac is None:
        reasons["etc"] = reasons["vac"] = reasons["eac"]

    if bac - ac <= 0:
        tcpi = None
        reasons["tcpi"] = BUDGET_SPENT
    else:
        tcpi = _index(_CTX.divide(bac - ev, bac - ac))

    percent_complete = _percent(ev, bac)
    percent_spent = _percent(ac, bac)
    if bac == 0:
        reasons["percent_complete"] = reasons["percent_spent"] = ZERO_BUDGET

    return Checkpoint(
        bac=bac,
        pv=pv,
        ev=ev,
        ac=ac,
        cv=money(ev - ac),
        sv=money(ev - pv),
        cpi=_index(cpi_exact),
        spi=_index(spi_exact),
        eac=eac,
        eac_atypical=money(ac + (bac - ev)),
        eac_cpi_spi=eac_cpi_spi,
        etc=etc,
        vac=vac,
        tcpi=tcpi,
        percent_complete=percent_complete,
        percent_spent=percent_spent,
        reasons=tuple(sorted(reasons.items())),
    )


def checkpoint_cost_status(
    point: Checkpoint, tolerance: CostTolerance, budget: Money | None = None
) -> ToleranceCheck | None:
    """A checkpoint's EAC against BAC (or a stage budget) and the cost tolerance.

    ``None`` when EAC is undefined (nothing spent or nothing earned yet): there is no
    forecast to judge, and the page shows the checkpoint's reason instead of a colour.
    """
    if point.eac is None:
        return None
    return check_cost(point.bac if budget is None else budget, point.eac, tolerance)


# --------------------------------------------------------------------------------------
# Cost-entry CSV
# --------------------------------------------------------------------------------------

CSV_REQUIRED_COLUMNS = ("date", "amount", "category", "supplier", "description")
CSV_OPTIONAL_COLUMNS = ("stage", "iteration")
COST_CATEGORIES = ("staff", "supplier", "capital", "other")
CATEGORIES_NEEDING_SUPPLIER = frozenset({"supplier", "capital"})
MAX_AMOUNT = Decimal("9999999999.99")
MAX_SUPPLIER_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 500
DEFAULT_ROW_LIMIT = 5000

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PLAIN_AMOUNT = re.compile(r"^\d+(\.\d{1,2})?$")
_GROUPED_AMOUNT = re.compile(r"^\d{1,3}(,\d{3})+(\.\d{1,2})?$")


@dataclass(frozen=True)
class CostRow:
    """One valid cost entry from a CSV file. ``row`` is its spreadsheet row (header = 1).

    ``stage`` and ``iteration`` hold the known reference the cell matched, spelt as the
    caller supplied it in ``known_stages`` / ``known_iterations``.
    """

    row: int
    day: date
    amount: Decimal
    category: str
    supplier: str
    description: str
    stage: str | None = None
    iteration: str | None = None


@dataclass(frozen=True)
class CsvProblem:
    """One thing wrong with a file: row 0 means the file as a whole, row 1 the header."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        where = "File" if self.row == 0 else f"Row {self.row}"
        return f"{where}, {self.field}: {self.message}"


class CsvImportError(ValueError):
    """A file that cannot be imported. Carries every problem found, not just the first."""

    def __init__(self, problems: Sequence[CsvProblem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def _parse_amount(raw: str) -> tuple[Decimal | None, str | None]:
    text = raw.strip()
    if not text:
        return None, "Enter an amount."
    if "£" in text:
        return None, "Remove the £ sign: amounts are in pounds, for example 1250.00."
    if text.startswith("-") or text.startswith("("):
        return None, (
            "Amounts must be positive. Record a credit note one at a time, with its reason."
        )
    if _GROUPED_AMOUNT.match(text):
        text = text.replace(",", "")
    elif "," in text:
        return None, (
            "Use a full stop for pence and commas only between thousands, for example 1,250.00."
        )
    if not _PLAIN_AMOUNT.match(text):
        if re.match(r"^\d+\.\d{3,}$", text):
            return None, "Amounts have at most 2 decimal places (pence)."
        return None, "Enter the amount as a number, for example 1250.00."
    amount = Decimal(text)
    if amount == 0:
        return None, "Amounts must be more than £0.00."
    if amount > MAX_AMOUNT:
        return None, f"Amounts must be no more than {format_gbp(MAX_AMOUNT)}."
    return amount.quantize(PENNY), None


def _parse_day(raw: str, today: date | None) -> tuple[date | None, str | None]:
    text = raw.strip()
    if not text:
        return None, "Enter a date."
    if not _ISO_DATE.match(text):
        return None, "Enter the date as YYYY-MM-DD, for example 2026-03-31."
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None, f"{text} is not a real date."
    if today is not None and day > today:
        return None, "The date cannot be in the future."
    return day, None


def _match_reference(raw: str, known: Collection[str]) -> str | None:
    wanted = raw.strip().casefold()
    return next((ref for ref in known if ref.strip().casefold() == wanted), None)


def _header_problems(header: list[str]) -> list[CsvProblem]:
    problems = []
    if len(header) == 1 and any(sep in header[0] for sep in (";", "\t", "|")):
        found = next(
            name
            for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars"))
            if sep in header[0]
        )
        return [CsvProblem(1, "header", f"Separate columns with commas; this file uses {found}.")]
    allowed = CSV_REQUIRED_COLUMNS + CSV_OPTIONAL_COLUMNS
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(CsvProblem(1, name, "This column appears more than once."))
        seen.add(name)
        if name not in allowed:
            problems.append(
                CsvProblem(
                    1, name or "(blank)", f"Unknown column. Columns are: {', '.join(allowed)}."
                )
            )
    for name in CSV_REQUIRED_COLUMNS:
        if name not in seen:
            problems.append(CsvProblem(1, name, "This column is missing."))
    return problems


def parse_cost_csv(
    text: str,
    known_stages: Collection[str],
    known_iterations: Collection[str],
    *,
    limit: int = DEFAULT_ROW_LIMIT,
    today: date | None = None,
) -> list[CostRow]:
    """Validate a whole cost-entry file and return its rows, or raise with every problem.

    All or nothing: the caller imports the rows only when this returns, so one bad row
    never leaves half a file in the ledger. Decisions, so users get one predictable format:

    * UTF-8 text; a leading byte-order mark (Excel's "CSV UTF-8") is ignored.
    * Comma-separated, first row a header. Column names are case-insensitive; required:
      date, amount, category, supplier, description; optional: stage, iteration. Unknown
      columns are refused (a misspelt "iteraton" would otherwise be silently dropped).
    * date: ISO YYYY-MM-DD only (11/03/2026 means different days to different people);
      not in the future when ``today`` is given.
    * amount: pounds, more than zero, at most 2 decimal places, at most £9,999,999,999.99.
      No £ sign. Commas are accepted only as correct thousands separators (1,250.00), since
      spreadsheets export them that way; anything else with a comma is refused as
      ambiguous. Negative amounts are refused: a credit note needs a reason and is entered
      on its own.
    * category: staff, supplier, capital or other (case-insensitive). supplier is required
      for supplier and capital costs. description is required.
    * stage / iteration: optional; at most one per row (a hybrid iteration already implies
      its stage); matched case-insensitively against the known references.
    * Wholly blank lines are skipped; more than ``limit`` data rows is refused outright.
    * A NUL character anywhere refuses the file: it is binary, not CSV.
    """
    problems: list[CsvProblem] = []
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise CsvImportError([CsvProblem(0, "file", "The file is empty.")])
    if "\x00" in text:
        # PostgreSQL cannot store NUL, and its presence means a binary file (often an
        # .xlsx renamed to .csv), not text.
        raise CsvImportError(
            [CsvProblem(0, "file", "This is not a text CSV file. Save it as 'CSV UTF-8'.")]
        )
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        raise CsvImportError(
            [CsvProblem(0, "file", f"The file is not valid CSV ({error}).")]
        ) from error

    header = [name.strip().casefold() for name in records[0]]
    header_problems = _header_problems(header)
    if header_problems:
        raise CsvImportError(header_problems)

    data = [
        (number, record)
        for number, record in enumerate(records[1:], start=2)
        if any(cell.strip() for cell in record)
    ]
    if not data:
        raise CsvImportError([CsvProblem(0, "file", "The file has a header but no cost rows.")])
    if len(data) > limit:
        raise CsvImportError(
            [
                CsvProblem(
                    0, "file", f"The file has {len(data)} rows; import at most {limit} at a time."
                )
            ]
        )

    rows: list[CostRow] = []
    for number, record in data:
        if len(record) != len(header):
            problems.append(
                CsvProblem(number, "row", f"Expected {len(header)} columns, found {len(record)}.")
            )
            continue
        cells = dict(zip(header, record, strict=True))
        row_problems: list[CsvProblem] = []

        day, message = _parse_day(cells["date"], today)
        if message:
            row_problems.append(CsvProblem(number, "date", message))
        amount, message = _parse_amount(cells["amount"])
        if message:
            row_problems.append(CsvProblem(number, "amount", message))

        category = cells["category"].strip().casefold()
        if category not in COST_CATEGORIES:
            row_problems.append(
                CsvProblem(number, "category", f"Choose one of: {', '.join(COST_CATEGORIES)}.")
            )
        supplier = cells["supplier"].strip()
        if not supplier and category in CATEGORIES_NEEDING_SUPPLIER:
            row_problems.append(
                CsvProblem(number, "supplier", f"Enter the supplier for a {category} cost.")
            )
        elif len(supplier) > MAX_SUPPLIER_LENGTH:
            row_problems.append(
                CsvProblem(number, "supplier", f"Use at most {MAX_SUPPLIER_LENGTH} characters.")
            )
        description = cells["description"].strip()
        if not description:
            row_problems.append(CsvProblem(number, "description", "Enter a description."))
        elif len(description) > MAX_DESCRIPTION_LENGTH:
            row_problems.append(
                CsvProblem(
                    number, "description", f"Use at most {MAX_DESCRIPTION_LENGTH} characters."
                )
            )

        stage = iteration = None
        raw_stage = cells.get("stage", "").strip()
        raw_iteration = cells.get("iteration", "").strip()
        if raw_stage and raw_iteration:
            row_problems.append(
                CsvProblem(number, "iteration", "Give a stage or an iteration, not both.")
            )
        elif raw_stage:
            stage = _match_reference(raw_stage, known_stages)
            if stage is None:
                row_problems.append(
                    CsvProblem(number, "stage", f"No stage '{raw_stage}' in this project.")
                )
        elif raw_iteration:
            iteration = _match_reference(raw_iteration, known_iterations)
            if iteration is None:
                row_problems.append(
                    CsvProblem(
                        number, "iteration", f"No iteration '{raw_iteration}' in this project."
                    )
                )

        if row_problems:
            problems.extend(row_problems)
            continue
        assert day is not None and amount is not None
        rows.append(CostRow(number, day, amount, category, supplier, description, stage, iteration))

    if problems:
        raise CsvImportError(problems)
    return rows


__all__ = [
    "AT_RISK_SHARE",
    "COST_CATEGORIES",
    "Baseline",
    "BaselineError",
    "BaselinePoint",
    "Checkpoint",
    "CostRow",
    "CostTolerance",
    "CsvImportError",
    "CsvProblem",
    "PlannedIteration",
    "ReleasePlan",
    "StageBudget",
    "StageProgress",
    "ToleranceCheck",
    "ToleranceStatus",
    "agile_earned_value",
    "agile_planned_value",
    "assess_tolerance",
    "baseline_planned_value",
    "check_cost",
    "checkpoint",
    "checkpoint_cost_status",
    "earned_value",
    "earned_value_completed",
    "format_gbp",
    "hybrid_baseline",
    "money",
    "parse_cost_csv",
    "percent_complete_from_points",
    "planned_value_at",
    "release_baseline",
    "release_planned_value",
    "stage_baseline",
    "stage_planned_value",
]
