"""Demo budgets: a baseline, costs and a few months of checkpoints for every demo project
that has stages or iterations. One agile project overspends, so its checkpoints turn red
and a budget exception waits in its Executive's Decisions inbox.

Everything goes through the budget services, so the figures are what a manager would get.
Idempotent: a project that already has a baseline is left alone.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from tracker.agile.models import Iteration
from tracker.agile.rules import IterationStatus
from tracker.auth.models import User
from tracker.budget import rules, services
from tracker.budget.models import Baseline, CostEntry
from tracker.core.dates import add_months
from tracker.core.errors import RuleError
from tracker.extensions import db
from tracker.projects.models import Project

OVERSPENDING = "DIG-2026-04"
"""The demo project whose costs run 40% over plan."""

MONTHS_OF_HISTORY = 5


def _month_ends(start: date, today: date, history: int | None = MONTHS_OF_HISTORY) -> list[date]:
    first = start
    if history is not None:
        first = max(start, add_months(today.replace(day=1), -history))
    ends = []
    day = first
    while day <= today:
        last = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
        ends.append(min(last, today))
        day = last + timedelta(days=1)
    return ends


def _manager(project: Project) -> User | None:
    return next((m.user for m in project.memberships if m.role == "project_manager"), None)


def _release_plan(project: Project) -> services.BaselineData:
    """An even budget per iteration; planned points at the velocity the team has shown
    (committed points where there is no history yet)."""
    iterations = services.planned_iterations(project)
    each = (project.budget_at_completion * Decimal("0.6") / max(len(iterations), 1)).quantize(
        Decimal(1000)
    )
    done = [it.completed_points for it in iterations if it.status == IterationStatus.CLOSED]
    velocity = round(sum(done) / len(done)) if done else 20
    points = sum(
        it.completed_points if it.status == IterationStatus.CLOSED else velocity
        for it in iterations
    )
    return services.BaselineData(
        reason="",
        planned_points=max(points, 1),
        iteration_budgets={it.id: each for it in iterations},
    )


def _cost(project, manager, today, on, amount, category, supplier, text, iteration_id=None):
    amount = rules.money(amount)
    if amount <= 0:
        return
    services.record_cost(
        project,
        services.CostData(
            spent_on=on,
            amount=amount,
            category=category,
            supplier=supplier,
            description=text,
            iteration_id=iteration_id,
        ),
        token=None,
        actor=manager,
        today=today,
    )


def _book_costs(project: Project, baseline: Baseline, today: date, factor: Decimal, manager):
    """Costs that follow the plan, times ``factor``, up to today: a stage-gated plan is
    paid month by month, an agile team's costs are booked as each iteration ends."""
    curve = services.curve_of(baseline)
    if not curve.points:
        return
    if baseline.kind == "release":
        # A demo team's spend tracks what it delivered, so only the overspending project
        # strays from CPI 1 and the charts stay readable.
        done = {
            it.id: it.completed_points
            for it in services.planned_iterations(project)
            if it.status == IterationStatus.CLOSED
        }
        velocity = Decimal(baseline.planned_points) / max(len(baseline.lines), 1)
        for line in baseline.lines:
            if line.end_on <= today and line.iteration_id in done:
                _cost(
                    project,
                    manager,
                    today,
                    line.end_on,
                    line.budget * factor * done[line.iteration_id] / velocity,
                    "staff",
                    "",
                    f"Team costs for {line.name}",
                    line.iteration_id,
                )
        return
    # A staged plan is paid month by month, each month booked to the stage its plan covers,
    # so stage-level forecasts see their own spend. The history is written as it stands:
    # stages that have closed since can no longer take bookings through the form.
    stage_lines = [line for line in baseline.lines if line.kind == "stage" and line.stage_id]
    previous = Decimal(0)
    for on in _month_ends(curve.start, today, history=None):
        planned = rules.planned_value_at(curve, on)
        spend, previous = (planned - previous) * factor, planned
        mid_month = on.replace(day=15)  # the month's spend belongs to the stage under way
        line = next((x for x in stage_lines if x.start_on <= mid_month <= x.end_on), None)
        stage_id = line.stage_id if line else None
        for share, category, supplier, text in (
            (Decimal("0.6"), "staff", "", f"Staff time, {on:%B %Y}"),
            (Decimal("0.4"), "supplier", "Northgate Digital Ltd", f"Supplier invoice, {on:%B %Y}"),
        ):
            amount = rules.money(spend * share)
            if amount > 0:
                db.session.add(
                    CostEntry(
                        project_id=project.id,
                        spent_on=on,
                        amount=amount,
                        category=category,
                        supplier=supplier,
                        description=text,
                        stage_id=stage_id,
                        recorded_by=manager,
                    )
                )
    db.session.flush()


def _progress(baseline: Baseline, on: date, factor: Decimal) -> dict[int, Decimal]:
    """Percent complete per stage: the share of its planned days elapsed, a little behind."""
    progress = {}
    for line in baseline.lines:
        if line.kind != "stage" or line.stage_id is None:
            continue
        days = (line.end_on - line.start_on).days + 1
        elapsed = min(max((on - line.start_on).days + 1, 0), days)
        percent = Decimal(100) * elapsed / days * factor
        progress[line.stage_id] = min(percent, Decimal(100)).quantize(Decimal("0.1"))
    return progress


def load(projects_by_code: dict[str, Project], people_by_email: dict[str, User]) -> int:
    """Add demo budgets where missing; returns how many checkpoints were taken."""
    today = services.uk_today()
    baselined = set(db.session.scalars(select(Baseline.project_id)))
    taken = 0
    for code, project in sorted(projects_by_code.items()):
        if project.id in baselined or project.delivery_method not in services.METHOD_KINDS:
            continue
        manager = _manager(project)
        kind = services.METHOD_KINDS[project.delivery_method]
        data = _release_plan(project) if kind == "release" else services.BaselineData("")
        try:
            with db.session.begin_nested():
                baseline = services.set_baseline(project, data, actor=manager)
        except RuleError:
            continue  # no stages or iterations planned: nothing to baseline
        overspend = code == OVERSPENDING
        factor = Decimal("1.40") if overspend else Decimal("1.00")
        _book_costs(project, baseline, today, factor, manager)
        closed = {
            it.end_on: it
            for it in db.session.scalars(
                select(Iteration).where(
                    Iteration.project_id == project.id, Iteration.status == IterationStatus.CLOSED
                )
            )
        }
        for on in _month_ends(baseline.starts_on, today):
            progress = _progress(baseline, on, Decimal("0.98"))
            point = services.take_checkpoint(
                project,
                services.CheckpointData(on, progress, "Monthly budget check"),
                trigger="monthly",
                actor=None,
                period=f"{on:%Y-%m}",
                today=today,
            )
            taken += point is not None
        for end_on, iteration in sorted(closed.items()):
            if end_on < baseline.starts_on:
                continue
            point = services.take_checkpoint(
                project,
                services.CheckpointData(min(end_on, today)),
                trigger="iteration",
                actor=manager,
                iteration=iteration,
                today=today,
            )
            taken += point is not None
    return taken
