"""The monthly budget checkpoint for a whole portfolio, set-based.

``services.take_checkpoint`` gathers one project's inputs with a couple of dozen queries;
at national scale (10,000 projects) that is hundreds of thousands of round trips. Here a
batch of projects gets the same inputs in a fixed handful of grouped queries (costs,
labour at dated rates, closed iterations, last reported progress, stages), the figures come
from the same pure functions the service uses (``services.checkpoint_figures``,
``services.progress_defaults``, ``services.stage_judgement``, ``rules.baseline_planned_value``),
and the checkpoints go in with one multi-row INSERT per chunk.

What stays per project, because it changes other records through their own services: the
stage under way is judged through the shared stage forecast check (which may put it in
exception), and a breach on a project without a stage taking it raises a budget exception.

Guarantees: at most one scheduled checkpoint per project and month (the INSERT skips a
(project, period) that exists, so two runs at once cannot both write one); a batch that
fails is rolled back and its projects are retried one at a time through the per-project
service, so one project's bad data never loses the others' checkpoints.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from tracker.agile.models import Iteration
from tracker.agile.rules import IterationStatus
from tracker.audit import services as audit
from tracker.audit.rules import diff
from tracker.budget import rules, services
from tracker.budget.models import (
    Baseline,
    BudgetException,
    Checkpoint,
    CheckpointStage,
    CostEntry,
)
from tracker.budget.rules import BudgetExceptionStatus
from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects.models import Project
from tracker.projects.rules import ProjectStatus
from tracker.stages import rules as stage_rules
from tracker.stages import services as stages
from tracker.stages.models import STATED_TARGETS, Stage
from tracker.stages.rules import StageStatus
from tracker.worklog import rules as worklog_rules
from tracker.worklog.models import TimeEntry
from tracker.worklog.services import rate_in_force

NOTE = "Monthly budget check"


def period_of(today: date) -> str:
    return f"{today:%Y-%m}"


def due_project_ids(today: date) -> list[int]:
    """Active projects with a baseline and no scheduled checkpoint for this month yet."""
    taken = select(Checkpoint.project_id).where(Checkpoint.period == period_of(today))
    return list(
        db.session.scalars(
            select(Project.id)
            .where(
                Project.status == ProjectStatus.ACTIVE,
                Project.id.in_(select(Baseline.project_id)),
                Project.id.not_in(taken),
            )
            .order_by(Project.id)
        )
    )


@dataclass
class BatchResult:
    taken: list[int] = field(default_factory=list)  # projects that got their checkpoint
    failed: list[int] = field(default_factory=list)  # projects to retry one at a time


@dataclass
class _Planned:
    """One project's checkpoint, worked out and waiting to be inserted."""

    project: Project
    baseline: Baseline
    figures: services.Figures
    tolerance: rules.CostTolerance
    judged: rules.ToleranceCheck | None
    stage: Stage | None = None
    stage_eac: Decimal | None = None
    stage_judged: rules.ToleranceCheck | None = None


# --------------------------------------------------------------------------------------
# Inputs, a handful of grouped queries per batch
# --------------------------------------------------------------------------------------


def _labour_cost(hours_by_rate: dict) -> Decimal:
    """Exactly ``worklog.services._cost_by_rate``: per rate, hours to the hundredth times
    the rate to the penny, each rounded to the penny, then summed."""
    total = Decimal(0)
    for rate, hours in hours_by_rate.items():
        if rate is None:
            continue
        total += worklog_rules.cost(
            hours.quantize(Decimal("0.01")), Decimal(str(rate)).quantize(Decimal("0.01"))
        )
    return total.quantize(Decimal("0.01"))


def _costs(ids: list[int], on: date) -> dict[int, Decimal]:
    rows = db.session.execute(
        select(CostEntry.project_id, func.coalesce(func.sum(CostEntry.amount), 0))
        .where(CostEntry.project_id.in_(ids), CostEntry.spent_on <= on)
        .group_by(CostEntry.project_id)
    )
    return {project_id: rules.money(Decimal(total)) for project_id, total in rows}


def _labour(ids: list[int], on: date) -> dict[int, Decimal]:
    priced = (
        select(
            TimeEntry.project_id.label("project_id"),
            rate_in_force().label("rate"),
            TimeEntry.hours.label("hours"),
        )
        .where(TimeEntry.project_id.in_(ids), TimeEntry.work_date <= on)
        .subquery()
    )
    hours: dict[int, dict] = defaultdict(dict)
    for project_id, rate, total in db.session.execute(
        select(priced.c.project_id, priced.c.rate, func.sum(priced.c.hours)).group_by(
            priced.c.project_id, priced.c.rate
        )
    ):
        hours[project_id][rate] = Decimal(str(total))
    return {project_id: _labour_cost(by_rate) for project_id, by_rate in hours.items()}


def _stage_costs(current: dict[int, int], on: date) -> dict[int, Decimal]:
    """Cost entries plus labour booked to each project's stage under way (to the stage, or
    to an iteration inside it), by project: ``services.actual_cost(..., stage_id=...)``."""
    if not current:
        return {}
    ids, stage_ids = list(current), list(current.values())
    inside = select(Iteration.id).where(Iteration.stage_id.in_(stage_ids))
    entries: dict[int, Decimal] = defaultdict(Decimal)
    for project_id, own, via, total in db.session.execute(
        select(
            CostEntry.project_id,
            CostEntry.stage_id,
            Iteration.stage_id,
            func.coalesce(func.sum(CostEntry.amount), 0),
        )
        .outerjoin(Iteration, Iteration.id == CostEntry.iteration_id)
        .where(
            CostEntry.project_id.in_(ids),
            CostEntry.spent_on <= on,
            or_(CostEntry.stage_id.in_(stage_ids), CostEntry.iteration_id.in_(inside)),
        )
        .group_by(CostEntry.project_id, CostEntry.stage_id, Iteration.stage_id)
    ):
        if current[project_id] in (own, via):
            entries[project_id] += Decimal(total)

    booked = Iteration.__table__.alias("booked_iteration")
    priced = (
        select(
            TimeEntry.project_id.label("project_id"),
            TimeEntry.stage_id.label("own"),
            booked.c.stage_id.label("via"),
            rate_in_force().label("rate"),
            TimeEntry.hours.label("hours"),
        )
        .outerjoin(booked, booked.c.id == TimeEntry.iteration_id)
        .where(
            TimeEntry.project_id.in_(ids),
            TimeEntry.work_date <= on,
            or_(TimeEntry.stage_id.in_(stage_ids), TimeEntry.iteration_id.in_(inside)),
        )
        .subquery()
    )
    hours: dict[int, dict] = defaultdict(lambda: defaultdict(Decimal))
    for project_id, own, via, rate, total in db.session.execute(
        select(
            priced.c.project_id, priced.c.own, priced.c.via, priced.c.rate, func.sum(priced.c.hours)
        ).group_by(priced.c.project_id, priced.c.own, priced.c.via, priced.c.rate)
    ):
        if current[project_id] in (own, via):
            hours[project_id][rate] += Decimal(str(total))
    return {
        project_id: rules.money(entries.get(project_id, Decimal(0)))
        + _labour_cost(hours.get(project_id, {}))
        for project_id in current
    }


def _closed_iterations(ids: list[int], on: date) -> tuple[dict[int, int], dict[int, int]]:
    """Points completed by the end of ``on``, by project and by stage."""
    by_project: dict[int, int] = defaultdict(int)
    by_stage: dict[int, int] = defaultdict(int)
    for project_id, stage_id, points, closed_at, end_on in db.session.execute(
        select(
            Iteration.project_id,
            Iteration.stage_id,
            Iteration.completed_points,
            Iteration.closed_at,
            Iteration.end_on,
        ).where(Iteration.project_id.in_(ids), Iteration.status == IterationStatus.CLOSED)
    ):
        if services.closed_on(closed_at, end_on) <= on:
            by_project[project_id] += points or 0
            if stage_id is not None:
                by_stage[stage_id] += points or 0
    return by_project, by_stage


def _planned_points(stage_ids: list[int]) -> dict[int, int]:
    if not stage_ids:
        return {}
    rows = db.session.execute(
        select(Iteration.stage_id, func.coalesce(func.sum(Iteration.committed_points), 0))
        .where(Iteration.stage_id.in_(stage_ids))
        .group_by(Iteration.stage_id)
    )
    return {stage_id: int(total or 0) for stage_id, total in rows}


def _last_reported(ids: list[int]) -> dict[int, dict[int, Decimal]]:
    """Each stage's percent complete at the project's latest checkpoint reporting it."""
    if not ids:
        return {}
    ranked = (
        select(
            Checkpoint.project_id.label("project_id"),
            CheckpointStage.stage_id.label("stage_id"),
            CheckpointStage.percent_complete.label("percent"),
            func.row_number()
            .over(
                partition_by=(Checkpoint.project_id, CheckpointStage.stage_id),
                order_by=(Checkpoint.taken_on.desc(), Checkpoint.id.desc()),
            )
            .label("rank"),
        )
        .join(Checkpoint, Checkpoint.id == CheckpointStage.checkpoint_id)
        .where(Checkpoint.project_id.in_(ids))
        .subquery()
    )
    last: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for project_id, stage_id, percent in db.session.execute(
        select(ranked.c.project_id, ranked.c.stage_id, ranked.c.percent).where(ranked.c.rank == 1)
    ):
        last[project_id][stage_id] = percent
    return last


def _current_baselines(ids: list[int]) -> dict[int, Baseline]:
    latest = (
        select(Baseline.project_id, func.max(Baseline.number).label("number"))
        .where(Baseline.project_id.in_(ids))
        .group_by(Baseline.project_id)
        .subquery()
    )
    return {
        baseline.project_id: baseline
        for baseline in db.session.scalars(
            select(Baseline)
            .join(
                latest,
                and_(
                    Baseline.project_id == latest.c.project_id,
                    Baseline.number == latest.c.number,
                ),
            )
            .options(selectinload(Baseline.lines))
        )
    }


def _current_stage(ordered: list[Stage]) -> Stage | None:
    """``stages.current_stage`` over stages already loaded in sequence order."""
    for wanted in (("active", "in_exception"), ("authorised",)):
        for stage in ordered:
            if stage.status in wanted:
                return stage
    return None


# --------------------------------------------------------------------------------------
# The batch
# --------------------------------------------------------------------------------------


def _plan(project_ids: list[int], on: date) -> tuple[list[_Planned], list[int]]:
    """Work out every due checkpoint of the batch. Returns (planned, projects whose figures
    could not be worked out here, for the per-project service to retry and report)."""
    projects = {
        project.id: project
        for project in db.session.scalars(
            select(Project)
            .where(Project.id.in_(project_ids))
            .order_by(Project.id)
            .with_for_update(of=Project)
            .execution_options(populate_existing=True)
        )
    }
    already = set(
        db.session.scalars(
            select(Checkpoint.project_id).where(
                Checkpoint.project_id.in_(project_ids), Checkpoint.period == period_of(on)
            )
        )
    )
    ids = [pid for pid in project_ids if pid in projects and pid not in already]
    ids = [pid for pid in ids if projects[pid].status == ProjectStatus.ACTIVE]
    baselines = _current_baselines(ids)
    ids = [pid for pid in ids if pid in baselines]
    costs, labour = _costs(ids, on), _labour(ids, on)
    done_by_project, done_by_stage = _closed_iterations(ids, on)
    staged_ids = [pid for pid in ids if baselines[pid].kind != "release"]
    last = _last_reported(staged_ids)
    planned_points = _planned_points(
        [
            stage_id
            for pid in staged_ids
            if baselines[pid].kind == "hybrid"
            for stage_id in services._stage_line_ids(baselines[pid])
        ]
    )
    stage_rows: dict[int, list[Stage]] = defaultdict(list)
    for stage in db.session.scalars(
        select(Stage).where(Stage.project_id.in_(ids)).order_by(Stage.project_id, Stage.sequence)
    ):
        stage_rows[stage.project_id].append(stage)
    judged_stage: dict[int, Stage] = {}
    for pid in ids:
        if projects[pid].delivery_method not in stages.STAGED_METHODS:
            continue
        stage = _current_stage(stage_rows[pid])
        if stage is not None and stage.status in (StageStatus.ACTIVE, StageStatus.IN_EXCEPTION):
            judged_stage[pid] = stage
    stage_costs = _stage_costs({pid: stage.id for pid, stage in judged_stage.items()}, on)

    planned: list[_Planned] = []
    failed: list[int] = []
    for pid in ids:
        project, baseline = projects[pid], baselines[pid]
        try:
            statuses = {stage.id: stage.status for stage in stage_rows[pid]}
            progress = {}
            if baseline.kind != "release":
                progress = services.progress_defaults(
                    baseline.kind,
                    services._stage_line_ids(baseline),
                    statuses,
                    last.get(pid, {}),
                    lambda stage_id: (
                        done_by_stage.get(stage_id, 0),
                        planned_points.get(stage_id, 0),
                    ),
                )
            figures = services.checkpoint_figures(
                kind=baseline.kind,
                bac=baseline.bac,
                planned_points=baseline.planned_points,
                stage_budgets=services.stage_budgets(baseline),
                pv=rules.baseline_planned_value(
                    baseline.kind,
                    services.stage_lines(baseline),
                    services.iteration_lines(baseline),
                    on,
                ),
                ac=costs.get(pid, rules.ZERO) + labour.get(pid, rules.ZERO),
                completed=done_by_project.get(pid, 0),
                progress=progress,
            )
            tolerance = services._project_tolerance(project)
            item = _Planned(
                project,
                baseline,
                figures,
                tolerance,
                rules.checkpoint_cost_status(figures.point, tolerance),
            )
            stage = judged_stage.get(pid)
            row = next((r for r in figures.progress if stage and r[0] == stage.id), None)
            if stage is not None and row is not None:
                item.stage = stage
                item.stage_eac, item.stage_judged = services.stage_judgement(
                    stage.planned_budget, row[3], stage_costs[pid], stages.tolerances_of(stage).cost
                )
                if item.stage_eac is not None and item.stage_eac < 0:
                    # The stage forecast check refuses a negative forecast: let the
                    # per-project service meet (and report) that on its own.
                    failed.append(pid)
                    continue
            planned.append(item)
        except Exception:  # reported by the per-project retry, which raises it again
            failed.append(pid)
    return planned, failed


def _row(item: _Planned, on: date, created_at) -> dict:
    point, tolerance = item.figures.point, item.tolerance
    return {
        "project_id": item.project.id,
        "baseline_id": item.baseline.id,
        "taken_on": on,
        "trigger": "monthly",
        "period": period_of(on),
        **{name: getattr(point, name) for name in services.CHECKPOINT_FIGURES},
        "completed_points": item.figures.completed_points,
        "planned_points": item.figures.planned_points,
        "status": item.judged.status.value if item.judged else None,
        "tolerance": tolerance.describe(),
        "tolerance_limit": tolerance.limit_for(point.bac),
        "stage_id": item.stage.id if item.stage else None,
        "stage_status": item.stage_judged.status.value if item.stage_judged else None,
        "stage_eac": item.stage_eac,
        "reasons": json.dumps(dict(point.reasons)),
        "note": NOTE,
        "token": None,
        "taken_by_id": None,
        "created_at": created_at,
    }


def _insert_for_dialect():
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _insert(planned: list[_Planned], on: date) -> dict[int, int]:
    """Insert the checkpoints, skipping any (project, month) that exists by now (another
    run got there first). Returns {project_id: checkpoint_id} for those inserted."""
    insert = _insert_for_dialect()
    created_at = utcnow()
    table = Checkpoint.__table__
    # One statement compiled once and sent as an executemany (batched into multi-row
    # INSERTs by the driver layer): no ORM unit of work, no per-row statement compile.
    statement = (
        insert(table)
        .on_conflict_do_nothing(index_elements=["project_id", "period"])
        .returning(table.c.project_id, table.c.id)
    )
    rows = [_row(item, on, created_at) for item in planned]
    inserted: dict[int, int] = {}
    if rows:
        result = db.session.connection().execute(statement, rows)
        inserted = {project_id: id_ for project_id, id_ in result}
    progress = [
        {"checkpoint_id": inserted[item.project.id], **dict(zip(_PROGRESS, row, strict=True))}
        for item in planned
        if item.project.id in inserted
        for row in item.figures.progress
    ]
    if progress:
        db.session.connection().execute(CheckpointStage.__table__.insert(), progress)
    return inserted


_PROGRESS = ("stage_id", "budget", "percent_complete", "ev")


def take_batch(project_ids: list[int], on: date) -> BatchResult:
    """Take the monthly checkpoints of a batch of projects in the caller's transaction
    (the job commits it). Projects whose figures could not be worked out are returned in
    ``failed`` for a per-project retry."""
    planned, failed = _plan(project_ids, on)
    inserted = _insert(planned, on)
    taken = [item for item in planned if item.project.id in inserted]
    entries: list[_Entry] = []
    stage_breached = _forecast_stages(taken, entries)
    red = [
        item
        for item in taken
        if item.judged is not None
        and item.judged.status is rules.ToleranceStatus.BREACHED
        and not stage_breached.get(item.project.id, False)
    ]
    _raise_budget_exceptions(red, inserted, entries)
    entries.extend(_checkpoint_entries(taken, inserted, on))
    _append_audit(entries)
    return BatchResult([item.project.id for item in taken], failed)


# --------------------------------------------------------------------------------------
# What a checkpoint changes elsewhere, for the whole batch at once
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    action: str
    object_type: str
    object_id: int | None
    project_id: int | None
    summary: str
    changes: dict


def _forecast_stages(taken: list[_Planned], entries: list[_Entry]) -> dict[int, bool]:
    """``stages.apply_forecast`` for the stage under way of every project in the batch (the
    shared stage tolerance check, which puts a breached active stage in exception), with
    its audit entries collected for one append. Same fields, same check, same entry.
    Returns {project_id: the stage took a breach}."""
    breached: dict[int, bool] = {}
    for item in taken:
        stage = item.stage
        if stage is None or item.stage_eac is None:
            continue
        before = _forecast_fields(stage)
        stage.forecast_finish = stage.forecast_finish or stage.planned_finish
        stage.forecast_cost, stage.forecast_at = item.stage_eac, utcnow()
        breaches = stage_rules.check_forecast(
            stages.plan_of(stage), stages.forecast_of(stage), stages.tolerances_of(stage)
        )
        if breaches and stage.status == StageStatus.ACTIVE:
            stages._transition(stage, StageStatus.IN_EXCEPTION)
        summary = f"Recorded a forecast for {stage.label}"
        if breaches:
            summary += ": breaches " + ", ".join(b.dimension.value for b in breaches) + " tolerance"
        entries.append(
            _Entry(
                "stage.forecast",
                Stage.__tablename__,
                stage.id,
                stage.project_id,
                summary,
                {**diff(before, _forecast_fields(stage)), "source": "budget_checkpoint"},
            )
        )
        breached[item.project.id] = bool(breaches)
    db.session.flush()
    return breached


def _forecast_fields(stage: Stage) -> dict:
    return {
        "forecast_finish": stage.forecast_finish,
        "forecast_cost": stage.forecast_cost,
        **{f"{name}_status": getattr(stage, f"{name}_status") for name in STATED_TARGETS},
        "status": stage.status,
    }


def _raise_budget_exceptions(
    red: list[_Planned], inserted: dict[int, int], entries: list[_Entry]
) -> None:
    """``services._raise_budget_exception`` for every red project of the batch whose stage
    did not take the breach: one exception per project while one is open (the partial
    UNIQUE index decides under concurrency too), each with its audit entry."""
    if not red:
        return
    ids = [item.project.id for item in red]
    already_open = set(
        db.session.scalars(
            select(BudgetException.project_id).where(
                BudgetException.project_id.in_(ids),
                BudgetException.status == BudgetExceptionStatus.OPEN,
            )
        )
    )
    rows = []
    for item in red:
        if item.project.id in already_open:
            continue
        judged = item.judged
        assert judged is not None
        rows.append(
            {
                "project_id": item.project.id,
                "checkpoint_id": inserted[item.project.id],
                "breach": services.breach_text(judged),
                "required_roles": ",".join(stages.regime_for(item.project).approver_roles),
                "status": BudgetExceptionStatus.OPEN,
                "raised_at": utcnow(),
                "version": 1,
            }
        )
    if not rows:
        return
    table = BudgetException.__table__
    statement = (
        _insert_for_dialect()(table)
        .on_conflict_do_nothing()
        .returning(table.c.id, table.c.project_id, table.c.checkpoint_id, table.c.breach)
    )
    by_project = {row["project_id"]: row for row in rows}
    for report_id, project_id, checkpoint_id, breach in db.session.connection().execute(
        statement, rows
    ):
        roles = [role for role in by_project[project_id]["required_roles"].split(",") if role]
        entries.append(
            _Entry(
                "budget_exception.raised",
                table.name,
                report_id,
                project_id,
                f"A budget checkpoint breached cost tolerance: {breach}",
                {"checkpoint_id": checkpoint_id, "roles": roles},
            )
        )


def _append_audit(entries: list[_Entry]) -> None:
    """The batch's audit entries, appended to the chain in one statement."""
    audit.record_many([dataclasses.asdict(entry) for entry in entries])


def _checkpoint_entries(taken: list[_Planned], inserted: dict[int, int], on: date) -> list[_Entry]:
    """The entry ``services.take_checkpoint`` writes, one per checkpoint, so each shows in
    its project's history exactly as a checkpoint taken by hand does."""
    entries = []
    for item in taken:
        stored = Checkpoint(
            taken_on=on,
            status=item.judged.status.value if item.judged else None,
            stage_status=item.stage_judged.status.value if item.stage_judged else None,
        )
        summary, changes = services.checkpoint_audit(
            stored, item.figures.point, "monthly", item.baseline.number
        )
        entries.append(
            _Entry(
                "checkpoint.taken",
                Checkpoint.__tablename__,
                inserted[item.project.id],
                item.project.id,
                summary,
                changes,
            )
        )
    return entries
