"""Pure portfolio rules: honest figures, status per dimension, the scatter's geometry and
safe spreadsheet cells. No Flask, no database: the SQL does the counting, these decide
what a count may say."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from tracker.core.charts import PlotArea, spread_overlaps
from tracker.core.money import ToleranceStatus

# Medians and means of fewer than this many values are not shown (issue 8: honest statistics).
MIN_N = 3
TOO_FEW = "too few projects"

# Schedule: SPI at or above GREEN is on plan, at or above AMBER slipping, below that late.
SPI_GREEN = Decimal("0.95")
SPI_AMBER = Decimal("0.85")
# Gates: a gate or iteration review waiting longer than this many days is amber.
WAIT_AMBER_DAYS = 14
# Feedback: a mean rating at or above 4 with most loops closed is green; below 3 red.
RATING_GREEN = Decimal(4)
RATING_RED = Decimal(3)
CLOSED_GREEN = Decimal("0.8")
CLOSED_RED = Decimal("0.5")

RAG_LABELS = {"green": "Green", "amber": "Amber", "red": "Red", None: "Not known"}
RAG_COLOURS = {"green": "green", "amber": "yellow", "red": "red", None: "grey"}

Number = int | float | Decimal


def _decimal(value: Number | None) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def median(values: Iterable[Number | None]) -> Decimal | None:
    """The median of the known values (``None`` ignored), or ``None`` when there are none."""
    ordered = sorted(v for v in (_decimal(v) for v in values) if v is not None)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def share(part: int, whole: int) -> Decimal | None:
    """part / whole as a fraction, ``None`` when nothing was counted."""
    if whole <= 0:
        return None
    return Decimal(part) / Decimal(whole)


@dataclass(frozen=True)
class Figure:
    """A figure with the number of things it stands on, and whether it may be shown."""

    value: Decimal | None
    n: int
    kind: str  # "index", "share", "days", "rating", "count", "ratio"

    @property
    def is_shown(self) -> bool:
        if self.value is None:
            return False
        return self.kind == "count" or self.n >= MIN_N

    @property
    def text(self) -> str:
        if self.value is None and self.n == 0:
            return "no data"
        if not self.is_shown:
            return TOO_FEW
        return format_value(self.value, self.kind)

    @property
    def export_value(self) -> float | int | None:
        """The number for a spreadsheet: nothing where the page says too few."""
        if not self.is_shown or self.value is None:
            return None
        if self.kind == "count":
            return int(self.value)
        return float(_round(self.value, "0.001"))


def _round(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def format_value(value: Number | None, kind: str) -> str:
    """How a figure reads on the page."""
    number = _decimal(value)
    if number is None:
        return "–"
    if kind == "share":
        return f"{_round(number * 100, '1')}%"
    if kind == "index":
        return str(_round(number, "0.01"))
    if kind in {"days", "rating", "ratio"}:
        return str(_round(number, "0.1"))
    return str(_round(number, "1"))


def figure(value: Number | None, n: int | None, kind: str) -> Figure:
    return Figure(_decimal(value), int(n or 0), kind)


# --- status per dimension ------------------------------------------------------------------


def cost_rag(checkpoint_status: str | None) -> str | None:
    """Cost from the latest checkpoint's status against the project's cost tolerance."""
    if checkpoint_status not in tuple(ToleranceStatus):
        return None
    return ToleranceStatus(checkpoint_status).rag


def schedule_rag(spi: Number | None, *, is_overdue: bool = False) -> str | None:
    """Schedule from SPI at the latest checkpoint; an open project past its planned finish
    is late whatever its SPI says."""
    if is_overdue:
        return "red"
    value = _decimal(spi)
    if value is None:
        return None
    if value >= SPI_GREEN:
        return "green"
    if value >= SPI_AMBER:
        return "amber"
    return "red"


def gates_rag(open_exceptions: int, waiting_days: int | None, *, has_reviews: bool) -> str | None:
    """Governance: an open exception is red, a decision waiting too long amber."""
    if open_exceptions > 0:
        return "red"
    if waiting_days is not None and waiting_days > WAIT_AMBER_DAYS:
        return "amber"
    if not has_reviews and waiting_days is None:
        return None
    return "green"


def feedback_rag(mean_rating: Number | None, closed_share: Number | None) -> str | None:
    """Customer feedback: how it was rated and whether the team said what it did."""
    rating, closed = _decimal(mean_rating), _decimal(closed_share)
    if rating is None:
        return None
    if rating < RATING_RED or (closed is not None and closed < CLOSED_RED):
        return "red"
    if rating >= RATING_GREEN and (closed is None or closed >= CLOSED_GREEN):
        return "green"
    return "amber"


# --- spreadsheet safety --------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A value for CSV or XLSX that a spreadsheet will never run as a formula.

    Text starting with = + - @ (or a tab or carriage return) gets a leading apostrophe;
    numbers stay numbers, so negative amounts are not mangled.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


# --- scatter geometry ----------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """A project's mark. ``x``/``y`` is where it is drawn; ``true_x``/``true_y`` where its
    figures put it, different only when it was moved off a mark it would have covered."""

    label: str
    series: str
    x_value: Decimal
    y_value: Decimal
    x: float
    y: float
    true_x: float | None = None
    true_y: float | None = None

    @property
    def is_moved(self) -> bool:
        return self.true_x is not None and (self.true_x, self.true_y) != (self.x, self.y)


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Scatter:
    """Everything a template needs to draw a scatter and its table of the same numbers."""

    view_box: str
    left: float
    top: float
    right: float
    bottom: float
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    points: tuple[Point, ...]
    series: tuple[str, ...]
    # Where x = 1 and y = 1 fall: the "on plan" cross-hairs.
    x_one: float
    y_one: float
    overlapping: int = 0  # marks moved so as not to cover another

    @property
    def description(self) -> str:
        text = (
            f"{len(self.points)} projects. Right of the vertical line is under budget (CPI "
            "above 1.00); above the horizontal line is ahead of schedule (SPI above 1.00)."
        )
        if self.overlapping:
            text += (
                f" {self.overlapping} marks that would cover each other are spread in a small"
                " circle round their shared place; the table gives each project's figures."
            )
        return text


SCATTER_MARGIN = (16, 16, 48, 72)  # top, right, bottom, left


def _axis(values: Sequence[Decimal], step: Decimal) -> tuple[Decimal, Decimal]:
    """A range on multiples of ``step`` covering the values and 1.0 (the on-plan line),
    with a step to spare on each side so no mark sits on an axis."""
    low = min([*values, Decimal(1)])
    high = max([*values, Decimal(1)])
    low = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step - step
    high = (high / step).to_integral_value(rounding="ROUND_CEILING") * step + step
    return max(low, Decimal(0)), high


def _ticks(low: Decimal, high: Decimal, step: Decimal, place) -> tuple[Tick, ...]:
    ticks, value = [], low
    while value <= high:
        ticks.append(Tick(place(value), format(value.normalize(), "f")))
        value += step
    return tuple(ticks)


def scatter(
    points: Iterable[tuple[str, str, Number, Number]],
    series: Sequence[str],
    *,
    width: int = 640,
    height: int = 400,
    step: Decimal = Decimal("0.1"),
) -> Scatter:
    """Place (label, series, x, y) points in an SVG viewBox; CPI on x, SPI on y.

    Both axes always include 1.0, so the lines where a project is on budget and on plan
    can be drawn. Points outside ``series`` are refused rather than silently dropped.
    """
    rows = [(label, name, _decimal(x), _decimal(y)) for label, name, x, y in points]
    for _, name, _, _ in rows:
        if name not in series:
            raise ValueError(f"series '{name}' is not one of {list(series)}")
    known = [(label, name, x, y) for label, name, x, y in rows if x is not None and y is not None]
    top, right, bottom, left = SCATTER_MARGIN
    plot_right, plot_bottom = width - right, height - bottom
    x_low, x_high = _axis([x for _, _, x, _ in known], step)
    y_low, y_high = _axis([y for _, _, _, y in known], step)
    x_step = step * max(1, int((x_high - x_low) / step / 8 + 1))
    y_step = step * max(1, int((y_high - y_low) / step / 8 + 1))

    def px(value: Decimal) -> float:
        return round(left + float((value - x_low) / (x_high - x_low)) * (plot_right - left), 2)

    def py(value: Decimal) -> float:
        return round(
            plot_bottom - float((value - y_low) / (y_high - y_low)) * (plot_bottom - top), 2
        )

    true = [(px(x), py(y)) for _, _, x, y in known]
    placed = spread_overlaps(true, PlotArea(left, top, plot_right, plot_bottom))
    return Scatter(
        view_box=f"0 0 {width} {height}",
        left=left,
        top=top,
        right=plot_right,
        bottom=plot_bottom,
        x_ticks=_ticks(x_low, x_high, x_step, px),
        y_ticks=_ticks(y_low, y_high, y_step, py),
        points=tuple(
            Point(label, name, x, y, drawn_x, drawn_y, px(x), py(y))
            for (label, name, x, y), (drawn_x, drawn_y) in zip(known, placed, strict=True)
        ),
        series=tuple(series),
        x_one=px(Decimal(1)),
        y_one=py(Decimal(1)),
        overlapping=sum(1 for a, b in zip(placed, true, strict=True) if a != b),
    )


# --- from SQL totals to figures -------------------------------------------------------------

# The comparison's rows: key, label, kind. The same list drives the page and its tests.
FIGURES = (
    ("projects", "Projects", "count"),
    ("cpi", "Median CPI at the latest checkpoint", "index"),
    ("spi", "Median SPI at the latest checkpoint", "index"),
    ("within", "Within cost tolerance", "share"),
    ("exceptions", "Exceptions per project", "ratio"),
    ("wait", "Median days a review waited for its decision", "days"),
    ("rating", "Mean customer-feedback rating (1 to 5)", "rating"),
    ("loops", "Feedback loops closed", "share"),
    ("finished_well", "Finished on time and within budget", "share"),
)


def ratio(part: Number | None, whole: int | None) -> Decimal | None:
    """part / whole (a mean from a sum and a count), ``None`` when nothing was counted."""
    if not whole or part is None:
        return None
    return _decimal(part) / Decimal(whole)


def figures_from(totals) -> dict[str, Figure]:
    """The comparison figures for one group from the SQL totals (a row or mapping with
    projects, median_cpi, n_cpi, median_spi, n_spi, within, n_within, exceptions,
    median_wait, n_wait, rating_sum, feedback_n, loops_closed, finished, finished_well)."""
    get = totals.get if hasattr(totals, "get") else lambda key: getattr(totals, key)
    projects = int(get("projects") or 0)
    feedback_n = int(get("feedback_n") or 0)
    finished = int(get("finished") or 0)
    n_within = int(get("n_within") or 0)
    return {
        "projects": figure(projects, projects, "count"),
        "cpi": figure(get("median_cpi"), get("n_cpi"), "index"),
        "spi": figure(get("median_spi"), get("n_spi"), "index"),
        "within": figure(share(int(get("within") or 0), n_within), n_within, "share"),
        "exceptions": figure(ratio(get("exceptions") or 0, projects), projects, "ratio"),
        "wait": figure(get("median_wait"), get("n_wait"), "days"),
        "rating": figure(ratio(get("rating_sum"), feedback_n), feedback_n, "rating"),
        "loops": figure(share(int(get("loops_closed") or 0), feedback_n), feedback_n, "share"),
        "finished_well": figure(share(int(get("finished_well") or 0), finished), finished, "share"),
    }


EMPTY_TOTALS: dict[str, int | None] = {"projects": 0}


def project_status(row) -> dict[str, str | None]:
    """Status per dimension for one project row of the portfolio table."""
    get = row.get if hasattr(row, "get") else lambda key: getattr(row, key)
    feedback_n = int(get("feedback_n") or 0)
    return {
        "cost": cost_rag(get("cost_status")),
        "schedule": schedule_rag(get("spi"), is_overdue=bool(get("overdue"))),
        "gates": gates_rag(
            int(get("open_exceptions") or 0),
            get("waiting_days"),
            has_reviews=bool(get("reviews")),
        ),
        "feedback": feedback_rag(
            ratio(get("rating_sum"), feedback_n),
            share(int(get("loops_closed") or 0), feedback_n),
        ),
    }


def driver_shares(counts, drivers: Sequence[str]) -> dict[str, Figure]:
    """Share of an organisation's method decisions citing each driver (a decision may cite
    several, so the shares need not add up to 100%)."""
    get = counts.get if hasattr(counts, "get") else lambda key: getattr(counts, key)
    decisions = int(get("decisions") or 0)
    return {
        driver: figure(share(int(get(driver) or 0), decisions), decisions, "share")
        for driver in drivers
    }


def total_counts(rows: Sequence, drivers: Sequence[str]) -> dict[str, int]:
    """Every organisation's decision counts added together (organisations do not overlap:
    each decision belongs to one project, which has one lead organisation)."""
    get = lambda row, key: row.get(key) if hasattr(row, "get") else getattr(row, key)  # noqa: E731
    return {key: sum(int(get(row, key) or 0) for row in rows) for key in ("decisions", *drivers)}
