"""Chart geometry for server-rendered SVG: pure functions over plain data.

Every chart the tracker draws (burndown, burn-up, velocity, S-curve, CPI and SPI, the
portfolio's scatter) is placed here and drawn by one Jinja macro
(``templates/macros/chart.html``) as an SVG with ``role="img"``, a ``<title>`` and a
``<desc>``, and no script, with a table of the same numbers beside it. Why hand-written SVG
and not a chart library: docs/frontend.md, "Charts".

What makes a chart tell the truth, and where this module sees to it:

- a time axis is drawn to scale: ``x_values`` (dates or numbers) place each point by its
  distance from the first, so two checkpoints a day apart sit close together;
- a series with one value still shows: every known value gets a marker, not only the line
  between two values;
- money axes read in pounds with thousands separators (``y_format=pounds``);
- a reference value (1.0 on an index chart) is always inside the axis and drawn as a line;
- both axes can carry a title.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

Number = int | Decimal
Position = date | int | Decimal


@dataclass(frozen=True)
class Tick:
    """An axis tick: where it sits (SVG user units) and what it says. ``anchor`` is the
    SVG text-anchor: the first and last x labels align to the plot's edges so they are
    never cut off."""

    position: float
    label: str
    anchor: str = "middle"


@dataclass(frozen=True)
class PlotArea:
    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True)
class Marker:
    """A known value's mark; ``label`` is its tooltip text (the series, the point, the value)."""

    x: float
    y: float
    label: str


@dataclass(frozen=True)
class LineSeries:
    """A series as SVG ``points`` strings, one per unbroken run (``None`` breaks a run), and
    a marker at every known value so a run of one value still shows."""

    name: str
    segments: tuple[str, ...]
    markers: tuple[Marker, ...] = ()


@dataclass(frozen=True)
class Bar:
    series: str
    label: str
    value: Number
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class ReferenceLine:
    """A horizontal line at a value that means something (1.0: on plan); its label sits
    just above it, or just below when the line is at the top of the plot."""

    position: float
    label: str
    label_y: float = 0.0


@dataclass(frozen=True)
class Chart:
    """Everything a template needs to draw a chart and its accessible table.

    ``rows`` holds the same numbers as the drawing: (label, value per series...), with
    ``headers`` naming the columns; ``None`` is a value not yet known. ``text_rows`` are the
    same rows as the table shows them (pounds for money).
    """

    view_box: str
    width: int
    height: int
    plot: PlotArea
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    lines: tuple[LineSeries, ...]
    bars: tuple[Bar, ...]
    headers: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    text_rows: tuple[tuple[str, ...], ...] = ()
    references: tuple[ReferenceLine, ...] = ()
    x_title: str = ""
    y_title: str = ""
    description: str = ""


MARGIN = (16, 16, 40, 56)  # top, right, bottom, left: room for tick labels
MAX_X_LABELS = 12
MIN_TICK_GAP = 64  # SVG units between two x labels at least, so labels never overlap
CHARACTER_WIDTH = 7.5  # an axis label's character at the chart's font size, roughly


def plain(value: Decimal) -> str:
    """A tick or table value as written: no trailing zeros, no exponent."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def pounds(value: Decimal) -> str:
    """Whole pounds with thousands separators: ``£800,000``, ``-£1,250``."""
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.0f}"


def pounds_and_pence(value: Decimal) -> str:
    """Pounds and pence for a table beside a money chart: ``£37,916.67``."""
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.2f}"


def index(value: Decimal) -> str:
    """An index (CPI, SPI) to two places: ``1.00``."""
    return f"{value:.2f}"


def nice_scale(
    low: Number, high: Number, *, ticks: int = 5, include_zero: bool = True
) -> tuple[Decimal, Decimal, Decimal]:
    """An axis range and step on 1, 2, 5 x 10ⁿ that covers [low, high] and includes zero.

    Including zero keeps bar heights and burndown slopes honest. An index chart (CPI,
    SPI) is read against 1.00, not zero: ``include_zero=False`` keeps its range around
    the values, so 0.97 and 1.00 do not sit on top of each other.
    """
    low_d, high_d = Decimal(low), Decimal(high)
    if include_zero:
        low_d, high_d = min(low_d, Decimal(0)), max(high_d, Decimal(0))
    if low_d == high_d:
        high_d = low_d + 1
    raw = (high_d - low_d) / max(ticks, 1)
    magnitude = Decimal(10) ** math.floor(math.log10(float(raw)))
    step = next(
        m * magnitude
        for m in (Decimal(1), Decimal(2), Decimal(5), Decimal(10))
        if m * magnitude >= raw
    )
    axis_low = (low_d / step).to_integral_value(rounding=ROUND_FLOOR) * step
    axis_high = (high_d / step).to_integral_value(rounding=ROUND_CEILING) * step
    return axis_low, axis_high, step


def _ordinal(value: Position) -> Decimal:
    return Decimal(value.toordinal()) if isinstance(value, date) else Decimal(value)


def x_positions(
    count: int, left: float, right: float, x_values: Sequence[Position] | None
) -> list[float]:
    """Where each point sits across: evenly spaced, or to scale by ``x_values``.

    One point, or points all at the same place, sit in the middle.
    """
    span = right - left
    if x_values is None:
        if count == 1:
            return [left + span / 2]
        return [left + span * i / (count - 1) for i in range(count)]
    ordinals = [_ordinal(value) for value in x_values]
    low, high = min(ordinals, default=Decimal(0)), max(ordinals, default=Decimal(0))
    if low == high:
        return [left + span / 2 for _ in ordinals]
    return [left + span * float((value - low) / (high - low)) for value in ordinals]


def thin_ticks(
    xs: Sequence[float], labels: Sequence[str], plot: PlotArea | None = None
) -> tuple[Tick, ...]:
    """Labels for the x axis, never overlapping: no two closer than the widest label (or
    ``MIN_TICK_GAP``); the last always shown. Given the ``plot``, a label that would run
    past its left or right edge is aligned to that edge instead."""
    count = len(labels)
    every = max(1, math.ceil(count / MAX_X_LABELS))
    widest = max((len(label) for label in labels), default=0) * CHARACTER_WIDTH
    gap = max(MIN_TICK_GAP, widest + 12)
    chosen: list[Tick] = []
    for index_, (x, label) in enumerate(zip(xs, labels, strict=True)):
        is_last = index_ == count - 1
        if not label or (index_ % every and not is_last):
            continue
        if chosen and x - chosen[-1].position < gap:
            if not is_last:
                continue
            chosen.pop()  # the last label wins over a close neighbour
        chosen.append(Tick(round(x, 2), label, _anchor(x, label, plot)))
    return tuple(chosen)


def _anchor(x: float, label: str, plot: PlotArea | None) -> str:
    if plot is None:
        return "middle"
    half = len(label) * CHARACTER_WIDTH / 2
    if x - half < plot.left - 8:
        return "start"
    if x + half > plot.right + 8:
        return "end"
    return "middle"


def _y(value: Decimal, low: Decimal, high: Decimal, plot: PlotArea) -> float:
    share = float((value - low) / (high - low))
    return round(plot.bottom - share * (plot.bottom - plot.top), 2)


def _check_lengths(labels: Sequence[str], series: Mapping[str, Sequence[object]]) -> None:
    for name, values in series.items():
        if len(values) != len(labels):
            raise ValueError(f"series '{name}' has {len(values)} values for {len(labels)} labels")


def _y_axis(
    values: Iterable[Number | None],
    width: int,
    height: int,
    y_format: Callable[[Decimal], str],
    reference: Number | None,
    has_title: bool,
    y_domain: tuple[Number, Number] | None = None,
) -> tuple[PlotArea, tuple[Tick, ...], Decimal, Decimal]:
    known = [Decimal(v) for v in values if v is not None]
    if reference is not None:
        known.append(Decimal(reference))
    if y_domain is not None:
        known.extend(Decimal(v) for v in y_domain)
    axis_low, axis_high, step = nice_scale(
        min(known, default=0), max(known, default=1), include_zero=y_domain is None
    )
    steps = []
    value = axis_low
    while value <= axis_high:
        steps.append(value)
        value += step
    labels = [y_format(value) for value in steps]
    top, right, bottom, left = MARGIN
    widest = max((len(label) for label in labels), default=1)
    left = max(left, math.ceil(16 + widest * CHARACTER_WIDTH)) + (18 if has_title else 0)
    bottom += 18 if has_title else 0
    plot = PlotArea(left, top, width - right, height - bottom)
    ticks = tuple(
        Tick(_y(value, axis_low, axis_high, plot), label)
        for value, label in zip(steps, labels, strict=True)
    )
    return plot, ticks, axis_low, axis_high


def _text(value: object, y_format: Callable[[Decimal], str]) -> str:
    if value is None:
        return "–"
    if y_format is not plain and isinstance(value, int | Decimal) and not isinstance(value, bool):
        return y_format(Decimal(value))
    return str(value)


def _text_rows(
    rows: Iterable[tuple[object, ...]], y_format: Callable[[Decimal], str]
) -> tuple[tuple[str, ...], ...]:
    return tuple((str(row[0]), *(_text(v, y_format) for v in row[1:])) for row in rows)


def line_chart(
    labels: Sequence[str],
    series: Mapping[str, Sequence[Number | None]],
    *,
    width: int = 640,
    height: int = 320,
    x_values: Sequence[Position] | None = None,
    y_format: Callable[[Decimal], str] = plain,
    table_format: Callable[[Decimal], str] | None = None,
    reference: tuple[Number, str] | None = None,
    y_domain: tuple[Number, Number] | None = None,
    x_title: str = "",
    y_title: str = "",
    description: str = "",
) -> Chart:
    """Scale line series into an SVG viewBox: polyline points, markers, axis ticks and table
    rows. ``x_values`` (one per label) put the points to scale across; ``y_format`` writes
    the axis and the markers' values, ``table_format`` (``y_format`` unless given) the
    table's, which may be more exact. ``y_domain`` is a range the y axis covers at least,
    without forcing zero in (an index chart's 0.8 to 1.2); without it the axis starts at
    zero."""
    _check_lengths(labels, series)
    if x_values is not None and len(x_values) != len(labels):
        raise ValueError(f"{len(x_values)} x values for {len(labels)} labels")
    plot, y_ticks, low, high = _y_axis(
        (v for values in series.values() for v in values),
        width,
        height,
        y_format,
        None if reference is None else reference[0],
        bool(x_title or y_title),
        y_domain,
    )
    xs = x_positions(len(labels), plot.left, plot.right, x_values)
    lines = []
    for name, values in series.items():
        segments: list[str] = []
        run: list[str] = []
        markers = []
        for x, label, value in zip(xs, labels, values, strict=True):
            if value is None:
                if run:
                    segments.append(" ".join(run))
                run = []
                continue
            y = _y(Decimal(value), low, high, plot)
            run.append(f"{x:.2f},{y:.2f}")
            markers.append(Marker(round(x, 2), y, f"{name}, {label}: {y_format(Decimal(value))}"))
        if run:
            segments.append(" ".join(run))
        lines.append(LineSeries(name, tuple(segments), tuple(markers)))
    rows = tuple(
        (label, *(values[i] for values in series.values())) for i, label in enumerate(labels)
    )
    references = ()
    if reference is not None:
        at = _y(Decimal(reference[0]), low, high, plot)
        label_y = at + 16 if at - 6 < plot.top + 14 else at - 6
        references = (ReferenceLine(at, reference[1], label_y),)
    return Chart(
        view_box=f"0 0 {width} {height}",
        width=width,
        height=height,
        plot=plot,
        x_ticks=thin_ticks(xs, labels, plot),
        y_ticks=y_ticks,
        lines=tuple(lines),
        bars=(),
        headers=("", *series.keys()),
        rows=rows,
        text_rows=_text_rows(rows, table_format or y_format),
        references=references,
        x_title=x_title,
        y_title=y_title,
        description=description,
    )


def bar_chart(
    labels: Sequence[str],
    series: Mapping[str, Sequence[Number]],
    *,
    width: int = 640,
    height: int = 320,
    gap: float = 0.25,
    y_format: Callable[[Decimal], str] = plain,
    x_title: str = "",
    y_title: str = "",
    description: str = "",
) -> Chart:
    """Grouped bars (one group per label, one bar per series), e.g. committed vs completed.

    ``gap`` is the share of each group's slot left empty between groups.
    """
    _check_lengths(labels, series)
    plot, y_ticks, low, high = _y_axis(
        (v for values in series.values() for v in values),
        width,
        height,
        y_format,
        None,
        bool(x_title or y_title),
    )
    slot = (plot.right - plot.left) / max(len(labels), 1)
    xs = [plot.left + slot * (i + 0.5) for i in range(len(labels))]
    group_width = slot * (1 - gap)
    bar_width = group_width / max(len(series), 1)
    zero_y = _y(Decimal(0), low, high, plot)
    bars = []
    for index_, (centre, label) in enumerate(zip(xs, labels, strict=True)):
        for number, (name, values) in enumerate(series.items()):
            value_y = _y(Decimal(values[index_]), low, high, plot)
            bars.append(
                Bar(
                    series=name,
                    label=label,
                    value=values[index_],
                    x=round(centre - group_width / 2 + number * bar_width, 2),
                    y=min(value_y, zero_y),
                    width=round(bar_width, 2),
                    height=round(abs(zero_y - value_y), 2),
                )
            )
    rows = tuple(
        (label, *(values[i] for values in series.values())) for i, label in enumerate(labels)
    )
    return Chart(
        view_box=f"0 0 {width} {height}",
        width=width,
        height=height,
        plot=plot,
        x_ticks=thin_ticks(xs, labels, plot),
        y_ticks=y_ticks,
        lines=(),
        bars=tuple(bars),
        headers=("", *series.keys()),
        rows=rows,
        text_rows=_text_rows(rows, y_format),
        x_title=x_title,
        y_title=y_title,
        description=description,
    )


def _spread(count: int, radius: float, within: float) -> list[tuple[float, float]]:
    """Offsets for ``count`` marks round a point: a ring for a few, a sunflower spiral (even
    density, no two closer than about ``within``) for many."""
    if count <= 8:
        ring = max(radius, within * 1.1 / (2 * math.sin(math.pi / count)))
        angles = [2 * math.pi * step / count - math.pi / 2 for step in range(count)]
        return [(ring * math.cos(a), ring * math.sin(a)) for a in angles]
    golden = math.pi * (3 - math.sqrt(5))
    scale = within * 0.75
    return [
        (scale * math.sqrt(step) * math.cos(step * golden),
         scale * math.sqrt(step) * math.sin(step * golden))
        for step in range(1, count + 1)
    ]  # fmt: skip


def spread_overlaps(
    points: Sequence[tuple[float, float]],
    plot: PlotArea,
    *,
    radius: float = 10.0,
    within: float = 12.0,
) -> list[tuple[float, float]]:
    """Move marks that would cover each other onto a small ring round their shared place.

    Marks closer than ``within`` units (a mark's size) are one group; a group of k marks is
    spread evenly on a circle round the group's first mark (moved inside the plot if it
    sits on an edge), at least ``radius`` across and wide enough that neighbours on it are
    ``within`` apart, so each stays visible and close to its true position (the table
    beside the chart keeps the exact figures).
    """
    groups: list[list[int]] = []
    for number, (x, y) in enumerate(points):
        for group in groups:
            gx, gy = points[group[0]]
            if abs(gx - x) < within and abs(gy - y) < within:
                group.append(number)
                break
        else:
            groups.append([number])
    placed = list(points)
    for group in groups:
        if len(group) < 2:
            continue
        offsets = _spread(len(group), radius, within)
        reach = max(math.hypot(dx, dy) for dx, dy in offsets)
        cx, cy = points[group[0]]
        cx = min(max(cx, plot.left + reach), plot.right - reach)
        cy = min(max(cy, plot.top + reach), plot.bottom - reach)
        for number, (dx, dy) in zip(group, offsets, strict=True):
            placed[number] = (
                round(min(max(cx + dx, plot.left), plot.right), 2),
                round(min(max(cy + dy, plot.top), plot.bottom), 2),
            )
    return placed


__all__ = [
    "Bar",
    "Chart",
    "LineSeries",
    "Marker",
    "Number",
    "PlotArea",
    "ReferenceLine",
    "Tick",
    "bar_chart",
    "index",
    "line_chart",
    "nice_scale",
    "plain",
    "pounds",
    "pounds_and_pence",
    "spread_overlaps",
    "thin_ticks",
    "x_positions",
]
