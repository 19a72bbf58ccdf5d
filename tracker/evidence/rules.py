"""The evidence's statistics: medians, shares and their bootstrap intervals, per cell.

Pure functions over plain numbers, with no Flask or database import, so every figure the
evidence pages show can be checked by hand and tested without an app.

**The interval.** Every median and share comes with a 95% percentile bootstrap interval:
``RESAMPLES`` resamples of the cell's projects, drawn with replacement, each giving a median
(or share); the interval runs from the 2.5th to the 97.5th percentile of those values (the
``LOW_RANK``-th and ``HIGH_RANK``-th of the sorted resampled values, counting from 1). Each
cell is resampled by its own generator seeded with ``SEED`` (Python's ``random.Random``), so
the same projects always give the same interval.

Resampling n values and sorting them costs n log n per resample; a national portfolio has
thousands of projects per cell. So each resample is drawn in its exact distribution
without listing its n draws:

- *a median*: sort the cell's values; the draws of one resample, as positions in that order,
  are n uniform draws, and the resample's median is the value at the middle draw's position.
  The k-th smallest of n uniform draws on (0, 1) has the Beta(k, n - k + 1) distribution
  (drawn as its normal approximation from n = 40, see ``_middle_draw``), and given it is
  u, the next one is u + (1 - u) * Beta(1, n - k). The position of a draw u is
  ``floor(u * n)``. For odd n the median is the value at the (n + 1) / 2-th draw; for even
  n the mean of the values at the n / 2-th and the next draw. The positions depend only on
  n, so they are drawn once per n.
- *a share*: the number of successes in a resample is Binomial(n, p), p the cell's share; it
  is drawn by inverting its cumulative distribution.

Both give the values an explicit resample gives, in distribution (the median's normal
approximation aside); the tests check one against the other.
"""

from __future__ import annotations

import bisect
import functools
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

RESAMPLES = 1000
SEED = 26
LEVEL = Decimal("0.95")
LOW_RANK = 25  # the 25th of 1000 sorted resampled values: the 2.5th percentile
HIGH_RANK = 975  # the 975th: the 97.5th percentile
MIN_N_DEFAULT = 5
MIN_N_FLOOR = 3  # the PMO may raise the minimum, never set it below three
MIN_N_CEILING = 200

INTERVAL_METHOD = (
    f"95% percentile bootstrap: {RESAMPLES} resamples of the cell's projects with "
    f"replacement; the interval runs from the {LOW_RANK}th to the {HIGH_RANK}th of the "
    f"{RESAMPLES} resampled values, sorted; each cell's resampling is seeded with {SEED}"
)
TOO_FEW = "too few to say"
NO_DATA = "no data"


class Kind(StrEnum):
    MEDIAN = "median"
    SHARE = "share"


@dataclass(frozen=True, slots=True)
class Measure:
    key: str
    label: str
    kind: Kind
    places: str  # how the value is shown: "0.01", "0.1" or "0.001"
    higher_is_better: bool


# The outcomes each cell reports, in page order. "benefits" is left to the benefits
# register: until it records realised benefits, the evidence says "not yet recorded".
MEASURES: tuple[Measure, ...] = (
    Measure("cpi", "CPI at the latest checkpoint", Kind.MEDIAN, "0.01", True),
    Measure("spi", "SPI at the latest checkpoint", Kind.MEDIAN, "0.01", True),
    Measure("within", "Within cost tolerance at the latest checkpoint", Kind.SHARE, "0.01", True),
    Measure("cpi_closure", "CPI at closure", Kind.MEDIAN, "0.01", True),
    Measure("spi_closure", "SPI at closure", Kind.MEDIAN, "0.01", True),
    Measure("exceptions", "Exceptions per project", Kind.MEDIAN, "0.1", False),
    Measure("rating", "Customer feedback rating (1-5)", Kind.MEDIAN, "0.1", True),
    Measure("loops", "Feedback loops closed", Kind.MEDIAN, "0.01", True),
    Measure("on_time_budget", "Finished on time and within budget", Kind.SHARE, "0.01", True),
)
MEASURE_BY_KEY = {m.key: m for m in MEASURES}
BENEFITS_NOTE = "Benefits realised: not yet recorded (the benefits register will supply them)"


# --------------------------------------------------------------------------------------
# Bands of the model's dimensions
# --------------------------------------------------------------------------------------

BAND_DIMENSIONS: Mapping[str, str] = {
    "uncertainty": "Uncertainty score",
    "feasibility": "Feasibility of iterating",
    "readiness": "Readiness",
    "criticality": "Criticality (C1)",
}
BANDS: Mapping[str, str] = {"low": "Low", "middle": "Middle", "high": "High"}


def band(dimension: str, value: float | int | None) -> str | None:
    """The band of a score (0-100: low below 40, middle to below 60... see the table in
    docs/portfolio.md) or of C1 (1-2 low, 3 middle, 4-5 high); None when unknown."""
    if value is None:
        return None
    if dimension == "criticality":
        return "low" if value <= 2 else "middle" if value == 3 else "high"
    if dimension not in BAND_DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    return "low" if value < 40 else "middle" if value < 60 else "high"


# --------------------------------------------------------------------------------------
# Medians, shares, intervals
# --------------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    """The median of a non-empty list (the mean of the two middle values when even)."""
    ordered = sorted(values)
    n = len(ordered)
    middle = n // 2
    return ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _percentiles(values: list[float]) -> tuple[float, float]:
    values.sort()
    return values[LOW_RANK - 1], values[HIGH_RANK - 1]


def _position(u: float, n: int) -> int:
    return min(n - 1, int(u * n))


NORMAL_FROM = 40  # from this n, the middle draw's Beta is drawn as its normal approximation


def _middle_draw(rnd: random.Random, k: int, n: int) -> float:
    """The k-th smallest of n uniform draws: Beta(k, n - k + 1); from NORMAL_FROM draws on,
    the normal with the same mean and variance (the median's k is near n / 2, where the
    two distributions differ by about 0.003 in probability at n = 40, 0.001 at n = 100)."""
    if n == 1:
        return rnd.random()
    if n < NORMAL_FROM:
        return rnd.betavariate(k, n - k + 1)
    mean = k / (n + 1)
    sd = math.sqrt(k * (n - k + 1) / ((n + 1) ** 2 * (n + 2)))
    return min(max(rnd.gauss(mean, sd), 0.0), 1.0 - 1e-12)


@functools.lru_cache(maxsize=4096)
def median_positions(n: int) -> tuple[tuple[int, int], ...]:
    """For each resample of n sorted values, the positions of the two values whose mean is
    its median (the same position twice for an odd n). They depend only on n and the seed,
    so they are drawn once per n and kept."""
    rnd = random.Random(SEED)
    k = (n + 1) // 2
    positions = []
    for _ in range(RESAMPLES):
        u = _middle_draw(rnd, k, n)
        first = _position(u, n)
        if n % 2:
            positions.append((first, first))
        else:
            # The next draw above u: u + (1 - u) * Beta(1, n - k), by its inverse CDF.
            step = 1 - (1 - rnd.random()) ** (1 / (n - k))
            positions.append((first, _position(u + (1 - u) * step, n)))
    return tuple(positions)


def bootstrap_median(values: Sequence[float]) -> tuple[float, float]:
    """The 95% percentile bootstrap interval of the median (see the module's docstring)."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        raise ValueError("no values")
    medians = [(ordered[a] + ordered[b]) / 2 for a, b in median_positions(n)]
    return _percentiles(medians)


def _binomial_cdf(n: int, p: float) -> list[float]:
    """P(X <= k) for k = 0..n, X ~ Binomial(n, p); the probabilities are stepped from one k
    to the next in logarithms (no underflow for thousands of projects)."""
    if p <= 0:
        return [1.0] * (n + 1)
    if p >= 1:
        return [0.0] * n + [1.0]
    log_ratio = math.log(p) - math.log1p(-p)
    log_pmf = n * math.log1p(-p)
    total = 0.0
    cdf = []
    for k in range(n + 1):
        total += math.exp(log_pmf)
        cdf.append(total)
        if k < n:
            log_pmf += math.log((n - k) / (k + 1)) + log_ratio
    return cdf


@functools.lru_cache(maxsize=4096)
def bootstrap_share(successes: int, n: int) -> tuple[float, float]:
    """The 95% percentile bootstrap interval of a share of ``n`` (see the module docstring);
    a function of two whole numbers, so each pair is computed once and kept."""
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError("a share needs 0 <= successes <= n and n > 0")
    cdf = _binomial_cdf(n, successes / n)
    rnd = random.Random(SEED)
    shares = []
    for _ in range(RESAMPLES):
        count = min(n, bisect.bisect_left(cdf, rnd.random()))
        shares.append(count / n)
    return _percentiles(shares)


def naive_bootstrap_median(values: Sequence[float], resamples: int, seed: int) -> list[float]:
    """Resampled medians drawn the slow, obvious way: for tests and for auditors who want
    to see that the fast draws agree."""
    rnd = random.Random(seed)
    return sorted(median(rnd.choices(values, k=len(values))) for _ in range(resamples))


# --------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------


def _rounded(value: float, places: str) -> Decimal:
    """Half up, after dropping float noise (0.7749999999999999 is the 0.775 it stands for)."""
    return Decimal(str(round(value, 9))).quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Cell:
    """One figure: n, and the value and interval only when n reaches the minimum."""

    n: int
    kind: Kind
    value: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    reason: str | None = None  # TOO_FEW or NO_DATA when there is no value

    @property
    def is_shown(self) -> bool:
        return self.value is not None

    def text(self, *, percent: bool | None = None) -> str:
        if self.value is None:
            return self.reason or NO_DATA
        as_percent = self.kind == Kind.SHARE if percent is None else percent
        if as_percent:
            return f"{self.value * 100:.0f}%"
        return str(self.value)

    def interval_text(self) -> str:
        if self.low is None or self.high is None:
            return ""
        if self.kind == Kind.SHARE:
            return f"{self.low * 100:.0f}% to {self.high * 100:.0f}%"
        return f"{self.low} to {self.high}"

    def to_dict(self) -> dict:
        return {
            "n": self.n,
            "statistic": str(self.kind),
            "value": None if self.value is None else str(self.value),
            "interval": None
            if self.low is None
            else {"low": str(self.low), "high": str(self.high)},
            "reason": self.reason,
        }


def cell(measure: Measure, values: Iterable[float | int | None], min_n: int) -> Cell:
    """The measure over a group's values (None values are not counted): a median or a
    share with its interval, or "too few to say" below ``min_n`` values."""
    present = [float(v) for v in values if v is not None]
    n = len(present)
    if n == 0:
        return Cell(0, measure.kind, reason=NO_DATA)
    if n < min_n:
        return Cell(n, measure.kind, reason=TOO_FEW)
    if measure.kind == Kind.SHARE:
        successes = sum(1 for v in present if v)
        low, high = bootstrap_share(successes, n)
        value = successes / n
    else:
        value = median(present)
        low, high = bootstrap_median(present)
    places = measure.places
    return Cell(
        n,
        measure.kind,
        value=_rounded(value, places),
        low=_rounded(low, places),
        high=_rounded(high, places),
    )


def check_min_n(value: int) -> int:
    """A minimum n the PMO may set: a whole number from MIN_N_FLOOR to MIN_N_CEILING."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("The minimum n must be a whole number")
    if not MIN_N_FLOOR <= value <= MIN_N_CEILING:
        raise ValueError(
            f"The minimum n must be from {MIN_N_FLOOR} to {MIN_N_CEILING}: fewer than "
            f"{MIN_N_FLOOR} projects never give a figure"
        )
    return value


# --------------------------------------------------------------------------------------
# Grouping rows into cells
# --------------------------------------------------------------------------------------


def group_cells(
    rows: Iterable[Mapping],
    group_key,
    measures: Sequence[Measure],
    min_n: int,
) -> dict[tuple, dict[str, Cell]]:
    """``{group: {measure key: Cell}}`` for rows grouped by ``group_key(row)`` (a tuple, or
    None to leave the row out). Rows carry one value per measure key (None: not counted)."""
    values: dict[tuple, dict[str, list]] = {}
    for row in rows:
        key = group_key(row)
        if key is None:
            continue
        bucket = values.setdefault(key, {m.key: [] for m in measures})
        for m in measures:
            bucket[m.key].append(row.get(m.key))
    return {
        key: {m.key: cell(m, bucket[m.key], min_n) for m in measures}
        for key, bucket in values.items()
    }


def difference_note(a: Cell, b: Cell) -> str:
    """Plain, non-causal words for two cells side by side: whether their intervals overlap."""
    if not (a.is_shown and b.is_shown):
        return "not comparable: too few projects on one side"
    if a.high < b.low or b.high < a.low:
        return "the intervals do not overlap: an observed difference, not proof of a cause"
    return "the intervals overlap: no clear difference"


# --------------------------------------------------------------------------------------
# The chart: each cell's median as a dot, its interval as a line
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Whisker:
    label: str  # "Complex: agile"
    series: int  # 1-based, for the colour
    y: float
    x: float | None  # None: too few to say (the label says so)
    low: float | None
    high: float | None
    text: str


@dataclass(frozen=True, slots=True)
class WhiskerChart:
    title: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    ticks: tuple[tuple[float, str], ...]
    reference: float | None  # the x of 1.00 (on budget), when in range
    rows: tuple[Whisker, ...]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def whisker_chart(
    title: str,
    rows: Sequence[tuple[str, int, Cell]],
    *,
    low: float = 0.5,
    high: float = 1.5,
    step: float = 0.25,
) -> WhiskerChart:
    """Geometry for dots and interval lines, one row per (label, series, cell). Values
    outside ``low``-``high`` are drawn at the edge (the text gives the true figures)."""
    left, right, top, row_height = 190, 620, 16, 22
    bottom = top + row_height * max(1, len(rows))
    span = high - low

    def x_of(value: float) -> float:
        clipped = min(high, max(low, value))
        return round(left + (right - left) * (clipped - low) / span, 1)

    ticks = []
    value = low
    while value <= high + 1e-9:
        ticks.append((x_of(value), f"{value:.2f}"))
        value += step
    whiskers = []
    for index, (label, series, item) in enumerate(rows):
        y = top + row_height * index + row_height / 2
        if item.is_shown:
            whiskers.append(
                Whisker(
                    label,
                    series,
                    y,
                    x_of(float(item.value)),
                    x_of(float(item.low)),
                    x_of(float(item.high)),
                    f"{label}: {item.text()} ({item.interval_text()}), n = {item.n}",
                )
            )
        else:
            whiskers.append(
                Whisker(label, series, y, None, None, None, f"{label}: {item.text()}, n = {item.n}")
            )
    return WhiskerChart(
        title=title,
        width=640,
        height=bottom + 40,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        ticks=tuple(ticks),
        reference=x_of(1.0) if low <= 1.0 <= high else None,
        rows=tuple(whiskers),
    )
