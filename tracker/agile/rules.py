"""Iteration rules, burndown / burn-up / velocity series, and SVG chart geometry.

Pure functions over plain data. Charts are rebuilt from item status-change events rather
than from stored daily totals, so any day's picture can be recomputed and a late
correction to an item's history shows up everywhere at once.

Days are calendar days in a stated time zone (UTC unless the caller says otherwise); a
value "for" a day is the position at the end of that day. Timestamps must be timezone
aware: a naive timestamp cannot be placed on a day without guessing.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from statistics import mean, pstdev

from tracker.core.charts import (
    Bar,
    Chart,
    LineSeries,
    PlotArea,
    Tick,
    bar_chart,
    line_chart,
    nice_scale,
)

# --------------------------------------------------------------------------------------
# Iterations
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IterationSpan:
    """An iteration's name and dates; both dates are inclusive."""

    name: str
    start: date
    end: date


class IterationError(ValueError):
    """Iteration dates that cannot stand; carries every problem found."""

    def __init__(self, problems: Sequence[str]):
        self.problems = tuple(problems)
        super().__init__(" ".join(self.problems))


def iteration_problems(iterations: Sequence[IterationSpan]) -> list[str]:
    """Every date problem in a project's iterations, as sentences for the form.

    Dates are inclusive, so an iteration ending on the day the next one starts overlaps
    it: a day's work (and its costs) must belong to one iteration.
    """
    problems = [
        f"Iteration '{it.name}' ends ({it.end.isoformat()}) before it starts "
        f"({it.start.isoformat()})."
        for it in iterations
        if it.end < it.start
    ]
    valid = sorted((it for it in iterations if it.end >= it.start), key=lambda it: it.start)
    for index, first in enumerate(valid):
        for second in valid[index + 1 :]:
            if second.start > first.end:
                break
            problems.append(
                f"Iteration '{second.name}' ({second.start.isoformat()} to "
                f"{second.end.isoformat()}) overlaps '{first.name}' ({first.start.isoformat()} "
                f"to {first.end.isoformat()})."
            )
    return problems


def check_iterations(iterations: Sequence[IterationSpan]) -> None:
    """Refuse a project's iterations if any ends before it starts or any two overlap.

    Services pass the project's iterations with the new or edited one in place.
    """
    problems = iteration_problems(iterations)
    if problems:
        raise IterationError(problems)


# --------------------------------------------------------------------------------------
# Items and their history
# --------------------------------------------------------------------------------------


class ItemStatus(StrEnum):
    TODO = "todo"
    DOING = "doing"
    DONE = "done"


class Priority(StrEnum):
    """MoSCoW: what the product owner says of an item (DSDM's prioritisation)."""

    MUST = "must"
    SHOULD = "should"
    COULD = "could"
    WONT = "wont"


class Move(StrEnum):
    """Where the product owner moves an item in the backlog's order."""

    UP = "up"
    DOWN = "down"
    TOP = "top"
    BOTTOM = "bottom"


def target_rank(ranks: Sequence[int], current: int, move: Move | int) -> int:
    """The rank an item takes when moved, given the ranks of the items that can be moved
    (in any order, the item's own included).

    Up and down swap with the nearest movable neighbour, so items that cannot move (done,
    or in a closed iteration) keep their places and are stepped over; top and bottom go
    past every movable item; a whole number is a position (1 = first) among the movable
    items, as a list that hides the others shows them. An item already at the end it is
    moved towards stays where it is.
    """
    order = sorted(ranks)
    if current not in order:
        raise ValueError(f"rank {current} is not among the movable items")
    index = order.index(current)
    if isinstance(move, int) and not isinstance(move, bool):
        if not 1 <= move <= len(order):
            raise ValueError(f"position {move} is outside 1 to {len(order)}")
        return order[move - 1]
    move = Move(move)
    if move is Move.UP:
        return order[max(index - 1, 0)]
    if move is Move.DOWN:
        return order[min(index + 1, len(order) - 1)]
    return order[0] if move is Move.TOP else order[-1]


class IterationStatus(StrEnum):
    """Planned, then active (one at a time per project), then closed for good."""

    PLANNED = "planned"
    ACTIVE = "active"
    CLOSED = "closed"


@dataclass(frozen=True)
class Item:
    """A backlog item in scope. ``added_at`` / ``removed_at`` bound when it counted as scope;
    ``None`` means from the start / still in scope. Points are the item's current estimate."""

    item_id: Hashable
    points: int
    added_at: datetime | None = None
    removed_at: datetime | None = None

    def __post_init__(self) -> None:
        if isinstance(self.points, bool) or not isinstance(self.points, int) or self.points <= 0:
            raise ValueError(f"item {self.item_id!r}: points must be a positive whole number")
        for moment in (self.added_at, self.removed_at):
            if moment is not None:
                _require_aware(moment)


@dataclass(frozen=True)
class StatusChange:
    """An item's status changed to ``status`` at ``at``."""

    item_id: Hashable
    status: ItemStatus
    at: datetime

    def __post_init__(self) -> None:
        _require_aware(self.at)
        object.__setattr__(self, "status", ItemStatus(self.status))


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"timestamp {moment.isoformat()} has no time zone")


class _History:
    """Status-change events indexed per item, for fast "status at" look-ups."""

    def __init__(self, changes: Iterable[StatusChange]):
        by_item: dict[Hashable, list[tuple[datetime, ItemStatus]]] = {}
        for change in changes:
            by_item.setdefault(change.item_id, []).append((change.at, change.status))
        self._times: dict[Hashable, list[datetime]] = {}
        self._statuses: dict[Hashable, list[ItemStatus]] = {}
        for item_id, events in by_item.items():
            # Stable sort keeps recorded order for changes at the same instant.
            events.sort(key=lambda event: event[0])
            self._times[item_id] = [at for at, _ in events]
            self._statuses[item_id] = [status for _, status in events]

    def status_before(self, item_id: Hashable, moment: datetime) -> ItemStatus:
        times = self._times.get(item_id)
        if not times:
            return ItemStatus.TODO
        index = bisect.bisect_left(times, moment) - 1
        return ItemStatus.TODO if index < 0 else self._statuses[item_id][index]


def _end_of_day(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def _in_scope(item: Item, moment: datetime) -> bool:
    if item.added_at is not None and item.added_at >= moment:
        return False
    return item.removed_at is None or item.removed_at >= moment


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


# --------------------------------------------------------------------------------------
# Burndown, burn-up, velocity
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BurndownPoint:
    """Points remaining and the iteration's whole scope (done or not) at the end of ``day``
    (both ``None`` for days not yet reached), and the ideal line's value there."""

    day: date
    remaining: int | None
    ideal: Decimal
    scope: int | None = None


@dataclass(frozen=True)
class Burndown:
    """An iteration's burndown. ``committed`` is the scope at the start, the line's origin."""

    committed: int
    points: tuple[BurndownPoint, ...]

    def rows(self) -> list[tuple[str, int | None, Decimal, int | None]]:
        """Table rows (day, remaining, ideal, scope), starting with the "Start" origin."""
        start = ("Start", self.committed, Decimal(self.committed).quantize(Decimal("0.01")))
        return [(*start, self.committed)] + [
            (point.day.isoformat(), point.remaining, point.ideal, point.scope)
            for point in self.points
        ]


def burndown(
    items: Iterable[Item],
    changes: Iterable[StatusChange],
    start: date,
    end: date,
    *,
    tz: tzinfo = UTC,
    as_of: date | None = None,
) -> Burndown:
    """Remaining points and scope at the end of each day of an iteration, with the ideal
    line.

    Remaining counts items in scope that are not done, so an item re-opened after being
    done goes back on the line and an item added mid-iteration raises it; the scope line
    shows the same addition on its own. The committed scope, the line's origin, is what
    the team took on at the start: items in scope at the end of the first day (the day the
    iteration is planned and started, when items are put into it) that were not already
    done before it began. The ideal line falls evenly from that to zero at the end of the
    last day. Days after ``as_of`` (an active iteration's today) have no actual value.
    """
    if end < start:
        raise ValueError("an iteration cannot end before it starts")
    items = list(items)
    history = _History(changes)
    iteration_start = datetime.combine(start, time.min, tzinfo=tz)
    first_day_end = _end_of_day(start, tz)
    committed = sum(
        item.points
        for item in items
        if _in_scope(item, first_day_end)
        and history.status_before(item.item_id, iteration_start) is not ItemStatus.DONE
    )
    days = _days(start, end)
    total_days = Decimal(len(days))
    points = []
    for number, day in enumerate(days, start=1):
        ideal = (Decimal(committed) * (total_days - number) / total_days).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        if as_of is not None and day > as_of:
            points.append(BurndownPoint(day, None, ideal))
            continue
        moment = _end_of_day(day, tz)
        in_scope = [item for item in items if _in_scope(item, moment)]
        remaining = sum(
            item.points
            for item in in_scope
            if history.status_before(item.item_id, moment) is not ItemStatus.DONE
        )
        points.append(BurndownPoint(day, remaining, ideal, sum(i.points for i in in_scope)))
    return Burndown(committed, tuple(points))


@dataclass(frozen=True)
class BurnupPoint:
    """Scope and done points at the end of ``label`` (a day, or an iteration's name)."""

    label: str
    scope: int
    done: int


def _burnup_at(items: Sequence[Item], history: _History, moment: datetime) -> tuple[int, int]:
    scope = done = 0
    for item in items:
        if _in_scope(item, moment):
            scope += item.points
            if history.status_before(item.item_id, moment) is ItemStatus.DONE:
                done += item.points
    return scope, done


def release_burnup(
    items: Iterable[Item],
    changes: Iterable[StatusChange],
    start: date,
    end: date,
    *,
    tz: tzinfo = UTC,
) -> list[BurnupPoint]:
    """Release scope and done points at the end of each day from ``start`` to ``end``.

    Scope is drawn as its own line so growth is visible instead of hiding inside a
    flattering done line.
    """
    if end < start:
        raise ValueError("a release cannot end before it starts")
    items = list(items)
    history = _History(changes)
    return [
        BurnupPoint(day.isoformat(), *_burnup_at(items, history, _end_of_day(day, tz)))
        for day in _days(start, end)
    ]


def burnup_by_iteration(
    items: Iterable[Item],
    changes: Iterable[StatusChange],
    iterations: Sequence[IterationSpan],
    *,
    tz: tzinfo = UTC,
) -> list[BurnupPoint]:
    """Release scope and done points at the end of each iteration, in date order."""
    items = list(items)
    history = _History(changes)
    return [
        BurnupPoint(it.name, *_burnup_at(items, history, _end_of_day(it.end, tz)))
        for it in sorted(iterations, key=lambda it: it.start)
    ]


@dataclass(frozen=True)
class Velocity:
    """An iteration's committed and completed points."""

    name: str
    committed: int
    completed: int


@dataclass(frozen=True)
class VelocitySummary:
    """What the PMO compares. ``None`` where there is nothing to measure yet.

    ``variation`` is the coefficient of variation (population standard deviation / mean):
    a team whose velocity swings by half its mean plans poorly, whatever the mean is.
    ``predictability`` is Σ completed / Σ committed.
    """

    iterations: int
    mean: Decimal | None
    stdev: Decimal | None
    variation: Decimal | None
    predictability: Decimal | None


def _two_places(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def velocity_summary(velocities: Sequence[Velocity]) -> VelocitySummary:
    """Mean velocity, its variation and predictability over closed iterations."""
    if not velocities:
        return VelocitySummary(0, None, None, None, None)
    completed = [v.completed for v in velocities]
    average = mean(completed)
    spread = pstdev(completed)
    committed = sum(v.committed for v in velocities)
    return VelocitySummary(
        iterations=len(velocities),
        mean=_two_places(average),
        stdev=_two_places(spread),
        variation=_two_places(spread / average) if average else None,
        predictability=(
            (Decimal(sum(completed)) / Decimal(committed)).quantize(
                Decimal("0.001"), rounding=ROUND_HALF_UP
            )
            if committed
            else None
        ),
    )


# --------------------------------------------------------------------------------------
# Closing an iteration
# --------------------------------------------------------------------------------------


class Agreement(StrEnum):
    YES = "yes"
    YES_WITH_CHANGES = "yes_with_changes"
    NO = "no"


AGREEMENTS_ALLOWING_CLOSE = frozenset({Agreement.YES, Agreement.YES_WITH_CHANGES})


@dataclass(frozen=True)
class ClosingItem:
    """An item in the iteration being closed, with its status at closing."""

    item_id: Hashable
    points: int
    status: ItemStatus


@dataclass(frozen=True)
class IterationClose:
    """What closing records: completed points and the items that carry over.

    ``disagreements`` counts "no" answers so the review page can show them next to the
    agreement that allowed closing.
    """

    completed_points: int
    carried_over: tuple[Hashable, ...]
    carried_over_points: int
    agreements: int
    disagreements: int


class IterationCloseError(ValueError):
    """An iteration that may not close yet; the message says what is missing."""


def close_iteration(
    status: str, agreements: Iterable[str], items: Iterable[ClosingItem]
) -> IterationClose:
    """Decide whether an active iteration may close, and what closing records.

    The study says the team obtains "customer feedback/agreement before moving on", so
    closing needs at least one feedback entry whose agreement is ``yes`` or
    ``yes_with_changes``. A ``no`` is feedback but not agreement: it does not allow
    closing on its own, and does not veto an agreement from another customer (several
    groups may be asked; the "no" stays visible on the review). Done items count as
    completed; every other item carries over, keeping its identity and history.
    """
    if status != IterationStatus.ACTIVE:
        raise IterationCloseError(f"Only an active iteration can be closed; this one is {status}.")
    answers = [Agreement(answer) for answer in agreements]
    agreed = sum(1 for answer in answers if answer in AGREEMENTS_ALLOWING_CLOSE)
    if not answers:
        raise IterationCloseError(
            "Record customer feedback, with their agreement to proceed, before closing "
            "the iteration."
        )
    if not agreed:
        raise IterationCloseError(
            "No customer has agreed to proceed (every answer so far is 'no'). Record "
            "feedback with agreement 'yes' or 'yes with changes' before closing."
        )
    items = list(items)
    carried = [item for item in items if ItemStatus(item.status) is not ItemStatus.DONE]
    return IterationClose(
        completed_points=sum(
            item.points for item in items if ItemStatus(item.status) is ItemStatus.DONE
        ),
        carried_over=tuple(item.item_id for item in carried),
        carried_over_points=sum(item.points for item in carried),
        agreements=agreed,
        disagreements=len(answers) - agreed,
    )


# --------------------------------------------------------------------------------------
# Charts (the geometry is tracker.core.charts)
# --------------------------------------------------------------------------------------


def burndown_chart(series: Burndown, **size: int) -> Chart:
    """The burndown as a line chart: remaining, ideal and scope, from the "Start" origin.

    The origin sits at the start of the first day and each day's value at its end, so the
    days are evenly spaced and the axis is to scale."""
    rows = series.rows()
    known = [point for point in series.points if point.remaining is not None]
    if known:
        last = known[-1]
        added = (last.scope or 0) - series.committed
        summary = (
            f"At the end of {last.day:%d %B %Y}, {last.remaining} of {last.scope} points remain"
        )
        summary += f" ({added:+d} points of scope since the start)." if added else "."
    else:
        summary = (
            f"{series.committed} points committed; the iteration has not reached its first day."
        )
    return line_chart(
        [row[0] for row in rows],
        {
            "Remaining": [row[1] for row in rows],
            "Ideal": [row[2] for row in rows],
            "Scope": [row[3] for row in rows],
        },
        x_values=list(range(len(rows))),
        x_title="Day (value at the end of each day)",
        y_title="Points",
        description=f"Burndown from {series.committed} committed points. {summary}",
        **size,
    )


def burnup_chart(points: Sequence[BurnupPoint], **size: int) -> Chart:
    """The release burn-up as a line chart of scope and done."""
    last = points[-1] if points else None
    return line_chart(
        [point.label for point in points],
        {"Scope": [p.scope for p in points], "Done": [p.done for p in points]},
        y_title="Points",
        x_title="End of each iteration",
        description=(
            f"At the end of {last.label}, {last.done} of {last.scope} points are done."
            if last
            else ""
        ),
        **size,
    )


def velocity_chart(velocities: Sequence[Velocity], **size: int) -> Chart:
    """Velocity as grouped bars of committed and completed points per iteration."""
    return bar_chart(
        [v.name for v in velocities],
        {
            "Committed": [v.committed for v in velocities],
            "Completed": [v.completed for v in velocities],
        },
        y_title="Points",
        x_title="Iteration",
        description="Points committed and completed in each closed iteration: "
        + "; ".join(f"{v.name} {v.completed} of {v.committed}" for v in velocities)
        + ".",
        **size,
    )


# --------------------------------------------------------------------------------------
# Feedback loop figures
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackEntry:
    """One piece of feedback as the figures need it."""

    iteration: str
    rating: int
    acted_on: bool
    given_at: datetime
    loop_closed_at: datetime | None = None


@dataclass(frozen=True)
class FeedbackSummary:
    """What the PMO compares about feedback. ``None`` where there is nothing to measure.

    ``rating_trend`` is the mean rating per iteration in the order given; ``acted_on_share``
    the share of feedback with an action recorded; ``median_days_to_close`` the median days
    from feedback to telling the customer what was done, over closed loops.
    """

    entries: int
    rating_trend: tuple[tuple[str, Decimal], ...]
    acted_on_share: Decimal | None
    loops_closed: int
    median_days_to_close: Decimal | None


def feedback_summary(entries: Sequence[FeedbackEntry]) -> FeedbackSummary:
    """Rating trend, share acted on, and median days to close the loop."""
    by_iteration: dict[str, list[int]] = {}
    for entry in entries:
        by_iteration.setdefault(entry.iteration, []).append(entry.rating)
    trend = tuple((name, _two_places(mean(ratings))) for name, ratings in by_iteration.items())
    acted = sum(1 for entry in entries if entry.acted_on)
    waits = sorted(
        (entry.loop_closed_at - entry.given_at).total_seconds() / 86400
        for entry in entries
        if entry.loop_closed_at is not None
    )
    median = None
    if waits:
        middle = len(waits) // 2
        median = _two_places(
            waits[middle] if len(waits) % 2 else (waits[middle - 1] + waits[middle]) / 2
        )
    return FeedbackSummary(
        entries=len(entries),
        rating_trend=trend,
        acted_on_share=(
            (Decimal(acted) / Decimal(len(entries))).quantize(
                Decimal("0.001"), rounding=ROUND_HALF_UP
            )
            if entries
            else None
        ),
        loops_closed=len(waits),
        median_days_to_close=median,
    )


__all__ = [
    "AGREEMENTS_ALLOWING_CLOSE",
    "Agreement",
    "Bar",
    "Burndown",
    "BurndownPoint",
    "BurnupPoint",
    "Chart",
    "ClosingItem",
    "FeedbackEntry",
    "FeedbackSummary",
    "Item",
    "ItemStatus",
    "IterationClose",
    "IterationCloseError",
    "IterationError",
    "IterationSpan",
    "LineSeries",
    "Move",
    "PlotArea",
    "Priority",
    "StatusChange",
    "Tick",
    "Velocity",
    "VelocitySummary",
    "bar_chart",
    "burndown",
    "burndown_chart",
    "burnup_by_iteration",
    "burnup_chart",
    "check_iterations",
    "close_iteration",
    "feedback_summary",
    "iteration_problems",
    "line_chart",
    "nice_scale",
    "release_burnup",
    "target_rank",
    "velocity_chart",
    "velocity_summary",
]
