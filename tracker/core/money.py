"""Money and tolerance: pounds to the penny, and the one within / at risk / breached check.

Pure functions over plain data, shared by the stage rules (a stage's cost and time
tolerances) and the budget rules (a checkpoint's EAC against its budget). They live in
``core`` because stages and budget both need them and budget already depends on stages:
the shared check cannot sit in either without an import back up the tree. The rounding
rules are stated in ``tracker.budget.rules``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from enum import StrEnum

PENNY = Decimal("0.01")
SHARE_PLACES = Decimal("0.001")
# Wide enough that quantising a ratio of two realistic amounts never runs out of digits.
DECIMAL_CONTEXT = Context(prec=60, rounding=ROUND_HALF_UP)
_CTX = DECIMAL_CONTEXT

Money = Decimal | int


def money(value: Money) -> Decimal:
    """Quantise a money amount to the penny, half up.

    Floats are refused: a binary float cannot hold most penny amounts exactly, and a
    silently wrong penny is the error a budget check must never make.
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"money must be a Decimal or int, not {type(value).__name__}")
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValueError(f"money must be a finite amount, not {amount}")
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP, context=_CTX)


def format_gbp(value: Money) -> str:
    """Render an amount the way a UK finance officer writes it: ``£1,234.50``, ``-£5.00``."""
    amount = money(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


AT_RISK_SHARE = Decimal("0.8")
"""A forecast that uses 80% or more of its tolerance is at risk (amber).

80% leaves the manager room to act before the board must: a fifth of the tolerance is
about one reporting period's drift on a typical stage.
"""


class ToleranceStatus(StrEnum):
    """Within (green), at risk (amber), breached (red)."""

    WITHIN = "within"
    AT_RISK = "at_risk"
    BREACHED = "breached"

    @property
    def rag(self) -> str:
        return {"within": "green", "at_risk": "amber", "breached": "red"}[self.value]


@dataclass(frozen=True)
class ToleranceCheck:
    """The outcome of comparing a forecast with its plan and tolerance, with the numbers.

    ``used`` is |variance| / limit (1 = the whole tolerance), ``None`` when the limit is
    zero. ``direction`` is ``over``, ``under`` or ``on_plan``.
    """

    status: ToleranceStatus
    planned: Decimal
    forecast: Decimal
    variance: Decimal
    limit: Decimal
    used: Decimal | None
    direction: str


def assess_tolerance(planned: Decimal, forecast: Decimal, limit: Decimal) -> ToleranceCheck:
    """Compare a forecast with its plan against a ± tolerance.

    Tolerance is symmetric, as in PRINCE2: finishing far under budget or far early is also
    outside the board's delegation (in the public sector an underspend is often money that
    will be lost at year end). A variance exactly equal to the limit is still within
    tolerance (at risk); only beyond it is breached. A zero limit means any variance breaches.
    """
    planned, forecast, limit = Decimal(planned), Decimal(forecast), Decimal(limit)
    if limit < 0:
        raise ValueError("a tolerance limit cannot be negative")
    variance = forecast - planned
    size = abs(variance)
    direction = "over" if variance > 0 else "under" if variance < 0 else "on_plan"
    used = (
        None
        if limit == 0
        else _CTX.divide(size, limit).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP, context=_CTX)
    )
    if size > limit:
        status = ToleranceStatus.BREACHED
    elif size > 0 and (limit == 0 or size >= AT_RISK_SHARE * limit):
        status = ToleranceStatus.AT_RISK
    else:
        status = ToleranceStatus.WITHIN
    return ToleranceCheck(status, planned, forecast, variance, limit, used, direction)


@dataclass(frozen=True)
class CostTolerance:
    """A cost tolerance as a percent of the budget or an absolute amount (exactly one)."""

    percent: Decimal | None = None
    amount: Decimal | None = None

    def __post_init__(self) -> None:
        if (self.percent is None) == (self.amount is None):
            raise ValueError("a cost tolerance is either a percent or an amount, not both")
        value = self.percent if self.percent is not None else self.amount
        if value is None or not Decimal(value).is_finite() or Decimal(value) < 0:
            raise ValueError("a cost tolerance must be zero or more")

    def limit_for(self, budget: Money) -> Decimal:
        """The tolerance in pounds for a given budget."""
        if self.amount is not None:
            return money(self.amount)
        assert self.percent is not None
        return money(_CTX.divide(_CTX.multiply(money(budget), Decimal(self.percent)), Decimal(100)))

    def describe(self) -> str:
        if self.amount is not None:
            return f"±{format_gbp(self.amount)}"
        return f"±{Decimal(self.percent).normalize():f}%"


def check_cost(budget: Money, forecast: Money, tolerance: CostTolerance) -> ToleranceCheck:
    """Forecast cost (usually EAC) against a budget and its cost tolerance, in pounds."""
    budget, forecast = money(budget), money(forecast)
    return assess_tolerance(budget, forecast, tolerance.limit_for(budget))
