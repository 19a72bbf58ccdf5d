"""Operations on costs, baselines, checkpoints and budget exceptions.

Each validates with the budget rules, changes state, writes its audit entry and flushes;
the caller commits. The earned-value arithmetic is in ``tracker.budget.rules``: this module
only gathers the inputs (the baseline, the costs, the progress) from the database.

Nothing is lost or written twice: forms carry a one-off token held under a UNIQUE key;
baselines are numbered under a UNIQUE (project, number); a gate or an iteration makes at
most one checkpoint and the monthly job one per project per month (UNIQUE keys), and every
one of those inserts runs in a savepoint so a collision is a quiet no-op, not an error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from tracker.agile.models import Iteration
from tracker.agile.rules import IterationStatus
from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.budget import rules
from tracker.budget.models import (
    Baseline,
    BaselineLine,
    BudgetException,
    Checkpoint,
    CheckpointStage,
    CostEntry,
    CostImport,
)
from tracker.budget.rules import BudgetDecision, BudgetExceptionStatus
from tracker.core.dates import LONDON, uk_today
from tracker.core.errors import RuleError, check_version
from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects.models import Project
from tracker.stages import services as stages
from tracker.stages.models import STATED_TARGETS, GateReview, Stage
from tracker.stages.rules import StageStatus
from tracker.worklog.services import labour_cost

METHOD_KINDS = {"stage_gated": "stage", "agile": "release", "hybrid": "hybrid"}
TOKEN_LENGTH = 64


def _lock_project(project_id: int) -> Project:
    return db.session.scalars(
        select(Project)
        .where(Project.id == project_id)
        .with_for_update(of=Project)
        .execution_options(populate_existing=True)
    ).one()


def _clean_token(token: str | None) -> str | None:
    token = (token or "").strip()
    return token[:TOKEN_LENGTH] or None


# --------------------------------------------------------------------------------------
# Cost entries
# --------------------------------------------------------------------------------------


@dataclass
class CostData:
    spent_on: date | None
    amount: Decimal | None  # positive; a credit note is flagged, not typed negative
    category: str
    supplier: str
    description: str
    stage_id: int | None = None
    iteration_id: int | None = None
    is_credit: bool = False
    credit_reason: str = ""


def _stage_of(project: Project, stage_id: int | None) -> Stage | None:
    if stage_id is None:
        return None
    stage = db.session.get(Stage, stage_id)
    if stage is None or stage.project_id != project.id:
        raise RuleError("Choose a stage or iteration from the list", "link")
    stages.check_booking(stage)
    return stage


def _iteration_of(project: Project, iteration_id: int | None) -> Iteration | None:
    if iteration_id is None:
        return None
    iteration = db.session.get(Iteration, iteration_id)
    if iteration is None or iteration.project_id != project.id:
        raise RuleError("Choose a stage or iteration from the list", "link")
    return iteration


def _check_cost(project: Project, data: CostData, today: date) -> Decimal:
    if data.spent_on is None:
        raise RuleError("Enter the date of the cost", "spent_on")
    if data.spent_on > today:
        raise RuleError("The date of the cost cannot be in the future", "spent_on")
    if data.amount is None:
        raise RuleError("Enter the amount", "amount")
    amount = rules.money(data.amount)
    if amount <= 0:
        raise RuleError(
            "Enter the amount as more than £0; tick 'credit note' to record money back",
            "amount",
        )
    if amount > rules.MAX_AMOUNT:
        raise RuleError(f"The amount must be no more than {rules.format_gbp(rules.MAX_AMOUNT)}")
    if data.category not in rules.COST_CATEGORIES:
        raise RuleError("Choose a category from the list", "category")
    supplier = (data.supplier or "").strip()
    if not supplier and data.category in rules.CATEGORIES_NEEDING_SUPPLIER:
        raise RuleError(f"Enter the supplier for a {data.category} cost", "supplier")
    if len(supplier) > rules.MAX_SUPPLIER_LENGTH:
        raise RuleError(
            f"Supplier must be {rules.MAX_SUPPLIER_LENGTH} characters or fewer", "supplier"
        )
    description = (data.description or "").strip()
    if not description:
        raise RuleError("Enter a description of the cost", "description")
    if len(description) > rules.MAX_DESCRIPTION_LENGTH:
        raise RuleError(
            f"Description must be {rules.MAX_DESCRIPTION_LENGTH} characters or fewer",
            "description",
        )
    if data.stage_id is not None and data.iteration_id is not None:
        raise RuleError("Choose a stage or an iteration, not both", "link")
    if data.is_credit:
        if not (data.credit_reason or "").strip():
            raise RuleError("Enter the reason for the credit note", "credit_reason")
        return -amount
    return amount


def _same_project(project_id: int, project: Project) -> None:
    """A token already used on another project is refused, never answered with what that
    project recorded."""
    if project_id != project.id:
        raise RuleError(
            "This form's one-off token belongs to another project: reload the page and "
            "submit it again. Nothing was saved."
        )


def existing_cost(token: str | None) -> CostEntry | None:
    token = _clean_token(token)
    if token is None:
        return None
    return db.session.scalars(select(CostEntry).where(CostEntry.token == token)).first()


def record_cost(
    project: Project,
    data: CostData,
    *,
    token: str | None,
    actor: User | None,
    today: date | None = None,
) -> tuple[CostEntry, bool]:
    """Record one cost. Returns (entry, created): a form submitted twice returns the entry
    the first submission made, with ``created`` False, instead of recording it again."""
    token = _clean_token(token)
    earlier = existing_cost(token)
    if earlier is not None:
        _same_project(earlier.project_id, project)
        return earlier, False
    amount = _check_cost(project, data, today or uk_today())
    stage = _stage_of(project, data.stage_id)
    iteration = _iteration_of(project, data.iteration_id)
    entry = CostEntry(
        project_id=project.id,
        spent_on=data.spent_on,
        amount=amount,
        category=data.category,
        supplier=(data.supplier or "").strip(),
        description=data.description.strip(),
        stage_id=stage.id if stage else None,
        iteration_id=iteration.id if iteration else None,
        credit_reason=(data.credit_reason or "").strip() or None,
        token=token,
        recorded_by_id=actor.id if actor else None,
    )
    try:
        # Added inside the savepoint: begin_nested() flushes what is pending first.
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:
        # The same form, submitted at the same moment by a double click: the other
        # request recorded it.
        earlier = existing_cost(token)
        if earlier is None:
            raise
        return earlier, False
    kind = "credit note" if amount < 0 else "cost"
    audit.record(
        "cost.recorded",
        entry,
        project_id=project.id,
        summary=f"Recorded a {kind} of {rules.format_gbp(amount)} ({data.category}): "
        f"{entry.description}",
        changes={
            "spent_on": entry.spent_on,
            "amount": amount,
            "category": entry.category,
            "supplier": entry.supplier,
            "stage_id": entry.stage_id,
            "iteration_id": entry.iteration_id,
            "credit_reason": entry.credit_reason,
        },
        actor=actor,
    )
    return entry, True


class CostBatchError(RuleError):
    """A batch of costs refused as a whole: ``problems`` holds (index, field, message) for
    every bad entry, so a program can fix them all at once."""

    def __init__(self, problems: list[tuple[int, str | None, str]]):
        self.problems = problems
        count = len({index for index, _, _ in problems})
        super().__init__(
            f"Nothing was recorded: {count} of the costs {'has' if count == 1 else 'have'} "
            "problems. Fix them and send the whole batch again."
        )


def _check_entry(project: Project, data: CostData, today: date) -> None:
    _check_cost(project, data, today)
    _stage_of(project, data.stage_id)
    _iteration_of(project, data.iteration_id)


def record_costs(
    project: Project,
    items: list[CostData],
    *,
    tokens: list[str] | None,
    actor: User | None,
    today: date | None = None,
) -> tuple[list[CostEntry], bool]:
    """Record a batch of costs, all or nothing. Raises ``CostBatchError`` naming every bad
    entry and field. ``tokens`` (one per entry) make a retry safe: a batch sent again
    returns the entries the first one recorded, with ``created`` False. Tokens already used
    for a different batch are refused."""
    if tokens is not None and len(tokens) != len(items):  # pragma: no cover - caller's bug
        raise ValueError("one token per cost")
    today = today or uk_today()
    if tokens:
        earlier = [existing_cost(token) for token in tokens]
        if any(entry is not None for entry in earlier):
            if all(
                entry is not None and entry.project_id == project.id and _same(entry, data)
                for entry, data in zip(earlier, items, strict=True)
            ):
                return [entry for entry in earlier if entry is not None], False
            raise RuleError(
                "This batch was already sent with different costs or to another project: "
                "nothing was recorded. Use a new key for a new batch."
            )
    problems: list[tuple[int, str | None, str]] = []
    for index, data in enumerate(items):
        try:
            _check_entry(project, data, today)
        except RuleError as error:
            problems.append((index, error.field, str(error)))
    if problems:
        raise CostBatchError(problems)
    entries = []
    created = False
    for index, data in enumerate(items):
        entry, made = record_cost(
            project, data, token=tokens[index] if tokens else None, actor=actor, today=today
        )
        entries.append(entry)
        created = created or made
    return entries, created


def _same(entry: CostEntry, data: CostData) -> bool:
    """Whether a recorded entry is the one ``data`` describes (for a retried batch)."""
    amount = rules.money(data.amount) if data.amount is not None else None
    if amount is not None and data.is_credit:
        amount = -amount
    return (
        entry.spent_on == data.spent_on
        and amount is not None
        and rules.money(entry.amount) == amount
        and entry.category == data.category
        and entry.description == (data.description or "").strip()
    )


def cost_references(project: Project) -> tuple[dict[str, Stage], dict[str, Iteration]]:
    """How a CSV may name the project's stages ("Discovery" or "Stage 1: Discovery") and
    iterations (by name)."""
    stage_refs: dict[str, Stage] = {}
    for stage in stages.stages_of(project):
        stage_refs.setdefault(stage.label, stage)
        stage_refs.setdefault(stage.name, stage)
    iteration_refs = {
        iteration.name: iteration
        for iteration in db.session.scalars(
            select(Iteration).where(Iteration.project_id == project.id)
        )
    }
    return stage_refs, iteration_refs


def import_costs(
    project: Project,
    text: str,
    *,
    filename: str,
    token: str | None,
    actor: User | None,
    today: date | None = None,
) -> tuple[CostImport, bool]:
    """Import a whole CSV file or nothing. Raises ``rules.CsvImportError`` naming every bad
    row and field. Returns (import, created); a re-submitted upload returns the first one."""
    token = _clean_token(token)
    if token is None:
        raise RuleError("The form has expired. Choose the file and import it again.")
    earlier = db.session.scalars(select(CostImport).where(CostImport.token == token)).first()
    if earlier is not None:
        _same_project(earlier.project_id, project)
        return earlier, False
    stage_refs, iteration_refs = cost_references(project)
    rows = rules.parse_cost_csv(text, stage_refs, iteration_refs, today=today or uk_today())
    problems = []
    for row in rows:
        if row.stage is not None:
            try:
                stages.check_booking(stage_refs[row.stage])
            except RuleError as error:
                problems.append(rules.CsvProblem(row.row, "stage", str(error)))
    if problems:
        raise rules.CsvImportError(problems)
    total = rules.money(sum((row.amount for row in rows), Decimal(0)))
    batch = CostImport(
        project_id=project.id,
        token=token,
        filename=(filename or "costs.csv")[:200],
        row_count=len(rows),
        total=total,
        imported_by_id=actor.id if actor else None,
    )
    try:
        # Added inside the savepoint: begin_nested() flushes what is pending first.
        with db.session.begin_nested():
            db.session.add(batch)
            db.session.flush()
    except IntegrityError:
        earlier = db.session.scalars(select(CostImport).where(CostImport.token == token)).first()
        if earlier is None:
            raise
        return earlier, False
    db.session.add_all(
        CostEntry(
            project_id=project.id,
            spent_on=row.day,
            amount=row.amount,
            category=row.category,
            supplier=row.supplier,
            description=row.description,
            stage_id=stage_refs[row.stage].id if row.stage else None,
            iteration_id=iteration_refs[row.iteration].id if row.iteration else None,
            import_id=batch.id,
            recorded_by_id=actor.id if actor else None,
        )
        for row in rows
    )
    db.session.flush()
    audit.record(
        "cost.imported",
        batch,
        project_id=project.id,
        summary=f"Imported {len(rows)} costs totalling {rules.format_gbp(total)} "
        f"from {batch.filename}",
        changes={"rows": len(rows), "total": total, "filename": batch.filename},
        actor=actor,
    )
    return batch, True


# --------------------------------------------------------------------------------------
# Baselines
# --------------------------------------------------------------------------------------


def baseline_kind(project: Project) -> str:
    kind = METHOD_KINDS.get(project.delivery_method or "")
    if kind is None:
        raise RuleError(
            "This project's delivery method is not decided yet: record a method decision "
            "before setting a budget baseline."
        )
    return kind


def current_baseline(project: Project) -> Baseline | None:
    return db.session.scalars(
        select(Baseline)
        .where(Baseline.project_id == project.id)
        .order_by(Baseline.number.desc())
        .limit(1)
    ).first()


def planned_iterations(project: Project) -> list[Iteration]:
    """The iterations a release plan can hold: every one of the project's, in date order."""
    query = select(Iteration).where(Iteration.project_id == project.id)
    if project.delivery_method == "hybrid":
        query = query.where(Iteration.stage_id.is_not(None))
    return list(db.session.scalars(query.order_by(Iteration.start_on, Iteration.id)))


@dataclass
class BaselineData:
    reason: str
    planned_points: int | None = None
    iteration_budgets: Mapping[int, Decimal | None] = field(default_factory=dict)


def stage_lines(baseline: Baseline) -> list[rules.StageBudget]:
    return [
        rules.StageBudget(line.name, line.start_on, line.end_on, line.budget)
        for line in baseline.lines
        if line.kind == "stage"
    ]


def iteration_lines(baseline: Baseline) -> list[rules.PlannedIteration]:
    return [
        rules.PlannedIteration(line.name, line.start_on, line.end_on, line.budget)
        for line in baseline.lines
        if line.kind == "iteration"
    ]


def curve_of(baseline: Baseline) -> rules.Baseline:
    """The PV curve of a stored baseline, rebuilt from its snapshot lines (for charts)."""
    if baseline.kind == "release":
        return rules.release_baseline(
            rules.ReleasePlan(tuple(iteration_lines(baseline)), baseline.planned_points or 1)
        )
    if baseline.kind == "hybrid":
        return rules.hybrid_baseline(stage_lines(baseline), iteration_lines(baseline))
    return rules.stage_baseline(stage_lines(baseline))


def planned_value_on(baseline: Baseline, on: date) -> Decimal:
    """PV of a stored baseline at the end of ``on``: the value its curve reads that day."""
    return rules.baseline_planned_value(
        baseline.kind, stage_lines(baseline), iteration_lines(baseline), on
    )


def set_baseline(project: Project, data: BaselineData, *, actor: User | None) -> Baseline:
    """Set the first baseline or re-baseline. Earlier baselines are kept, never changed."""
    kind = baseline_kind(project)
    project = _lock_project(project.id)
    previous = current_baseline(project)
    reason = (data.reason or "").strip()
    if previous is not None and not reason:
        raise RuleError("Enter the reason for re-baselining", "reason")
    lines: list[BaselineLine] = []
    if kind in ("stage", "hybrid"):
        planned = stages.stages_of(project)
        if not planned:
            raise RuleError("Plan at least one stage before setting a baseline.")
        lines += [
            BaselineLine(
                kind="stage",
                stage_id=stage.id,
                name=stage.label,
                start_on=stage.planned_start,
                end_on=stage.planned_finish,
                budget=stage.planned_budget,
            )
            for stage in planned
        ]
    if kind in ("release", "hybrid"):
        iterations = planned_iterations(project)
        if kind == "release" and not iterations:
            raise RuleError("Plan at least one iteration before setting a release baseline.")
        for iteration in iterations:
            budget = data.iteration_budgets.get(iteration.id)
            if budget is None:
                if kind == "release":
                    raise RuleError(
                        f"Enter the budget for {iteration.name}", f"budget_{iteration.id}"
                    )
                budget = Decimal(0)
            if budget < 0:
                raise RuleError(
                    f"The budget for {iteration.name} must be £0 or more",
                    f"budget_{iteration.id}",
                )
            lines.append(
                BaselineLine(
                    kind="iteration",
                    iteration_id=iteration.id,
                    name=iteration.name,
                    start_on=iteration.start_on,
                    end_on=iteration.end_on,
                    budget=rules.money(budget),
                )
            )
    if kind == "release":
        if data.planned_points is None or data.planned_points <= 0:
            raise RuleError(
                "Enter the story points the release plan should deliver: a whole number of "
                "1 or more",
                "planned_points",
            )
    elif data.planned_points is not None and data.planned_points <= 0:
        raise RuleError("Planned points must be 1 or more", "planned_points")
    baseline = Baseline(
        project_id=project.id,
        number=(previous.number + 1) if previous else 1,
        kind=kind,
        planned_points=data.planned_points,
        reason=reason or "First baseline",
        created_by_id=actor.id if actor else None,
        lines=lines,
    )
    try:
        curve = curve_of(baseline)
    except rules.BaselineError as error:
        raise RuleError(str(error)) from None
    if curve.bac > rules.money(project.budget_at_completion):
        raise RuleError(
            f"The plan adds up to {rules.format_gbp(curve.bac)}, more than the project's "
            f"budget at completion ({rules.format_gbp(project.budget_at_completion)}).",
            "reason" if kind == "stage" else "planned_points",
        )
    baseline.bac = curve.bac
    baseline.starts_on = curve.start or project.planned_start
    baseline.finishes_on = curve.finish or project.planned_finish
    try:
        # Added inside the savepoint: begin_nested() flushes what is pending first.
        with db.session.begin_nested():
            db.session.add(baseline)
            db.session.flush()
    except IntegrityError:
        raise RuleError(
            "Someone else set a baseline at the same moment. Reload the page to see it."
        ) from None
    audit.record(
        "baseline.rebaselined" if previous else "baseline.set",
        baseline,
        project_id=project.id,
        summary=(
            f"Re-baselined the budget (baseline {baseline.number}): {baseline.reason}"
            if previous
            else f"Set the budget baseline: {rules.format_gbp(baseline.bac)}"
        ),
        changes={
            "number": baseline.number,
            "kind": kind,
            "bac": [previous.bac if previous else None, baseline.bac],
            "planned_points": baseline.planned_points,
            "lines": [[line.name, line.start_on, line.end_on, line.budget] for line in lines],
            "reason": baseline.reason,
        },
        actor=actor,
    )
    return baseline


# --------------------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------------------


def actual_cost(project_id: int, on: date, *, stage_id: int | None = None) -> Decimal:
    """Money spent up to and including ``on``: cost entries plus the labour cost of logged
    time at the rates in force (for one stage: booked to it, or to an iteration inside it)."""
    return cost_entries_total(project_id, on, stage_id=stage_id) + labour_cost(
        project_id, on, stage_id=stage_id
    )


def cost_entries_total(project_id: int, on: date, *, stage_id: int | None = None) -> Decimal:
    """Cost entries up to and including ``on`` (for one stage: booked to it, or to an
    iteration inside it)."""
    query = select(func.coalesce(func.sum(CostEntry.amount), 0)).where(
        CostEntry.project_id == project_id, CostEntry.spent_on <= on
    )
    if stage_id is not None:
        inside = select(Iteration.id).where(Iteration.stage_id == stage_id)
        query = query.where(or_(CostEntry.stage_id == stage_id, CostEntry.iteration_id.in_(inside)))
    return rules.money(Decimal(db.session.scalar(query)))


def completed_points(project_id: int, on: date, *, stage_id: int | None = None) -> int:
    """Points completed in iterations closed by the end of ``on`` (AgileEVM counts at
    iteration boundaries)."""
    rows = db.session.execute(
        select(Iteration.completed_points, Iteration.closed_at, Iteration.end_on).where(
            Iteration.project_id == project_id,
            Iteration.status == IterationStatus.CLOSED,
            *([Iteration.stage_id == stage_id] if stage_id is not None else []),
        )
    )
    total = 0
    for points, closed_at, end_on in rows:
        if closed_on(closed_at, end_on) <= on:
            total += points or 0
    return total


def closed_on(closed_at: datetime | None, end_on: date) -> date:
    """The UK day an iteration closed (its planned end if the close time is unknown)."""
    return closed_at.astimezone(LONDON).date() if closed_at else end_on


def _stage_points(project_id: int, stage_id: int, on: date) -> tuple[int, int]:
    """(completed, planned) points of a hybrid stage's iterations."""
    planned = db.session.scalar(
        select(func.coalesce(func.sum(Iteration.committed_points), 0)).where(
            Iteration.stage_id == stage_id
        )
    )
    return completed_points(project_id, on, stage_id=stage_id), int(planned or 0)


def default_progress(project: Project, baseline: Baseline, on: date) -> dict[int, Decimal]:
    """Percent complete per stage when the manager has not said (automatic checkpoints,
    and the form's starting values): a closed stage is done; a hybrid stage with
    iterations counts their points; otherwise the last reported figure stands."""
    last = {
        row.stage_id: row.percent_complete
        for row in db.session.scalars(
            select(CheckpointStage)
            .join(Checkpoint, Checkpoint.id == CheckpointStage.checkpoint_id)
            .where(Checkpoint.project_id == project.id)
            .order_by(Checkpoint.taken_on, Checkpoint.id)
        )
    }
    statuses = {
        stage_id: status
        for stage_id, status in db.session.execute(
            select(Stage.id, Stage.status).where(Stage.project_id == project.id)
        )
    }

    def points(stage_id: int) -> tuple[int, int]:
        return _stage_points(project.id, stage_id, on)

    return progress_defaults(baseline.kind, _stage_line_ids(baseline), statuses, last, points)


def _stage_line_ids(baseline: Baseline) -> list[int]:
    return [
        line.stage_id
        for line in baseline.lines
        if line.kind == "stage" and line.stage_id is not None
    ]


def progress_defaults(
    kind: str,
    stage_ids: list[int],
    statuses: Mapping[int, str],
    last: Mapping[int, Decimal],
    points,
) -> dict[int, Decimal]:
    """The default percent complete of each stage line, in line order (no database):
    closed is done; a hybrid stage with planned points counts them (``points(stage_id)``
    gives completed and planned); else the last reported figure, else nothing yet."""
    progress: dict[int, Decimal] = {}
    for stage_id in stage_ids:
        if statuses.get(stage_id) == StageStatus.CLOSED:
            progress[stage_id] = Decimal(100)
            continue
        if kind == "hybrid":
            done, planned = points(stage_id)
            if planned > 0:
                progress[stage_id] = rules.percent_complete_from_points(done, planned)
                continue
        progress[stage_id] = Decimal(last.get(stage_id, Decimal(0)))
    return progress


CHECKPOINT_FIGURES = (
    "bac",
    "pv",
    "ev",
    "ac",
    "cv",
    "sv",
    "cpi",
    "spi",
    "eac",
    "eac_atypical",
    "eac_cpi_spi",
    "etc",
    "vac",
    "tcpi",
    "percent_complete",
    "percent_spent",
)
"""The figures of ``rules.Checkpoint`` a stored checkpoint keeps, column for column."""


def stage_budgets(baseline: Baseline) -> dict[int | None, Decimal]:
    """Each stage line's budget by stage, in the baseline's line order."""
    return {line.stage_id: line.budget for line in baseline.lines if line.kind == "stage"}


@dataclass(frozen=True)
class Figures:
    """What a checkpoint records, worked out from its inputs (no database)."""

    point: rules.Checkpoint
    progress: list[tuple[int, Decimal, Decimal, Decimal]]  # stage, budget, percent, EV
    completed_points: int | None
    planned_points: int | None


def checkpoint_figures(
    *,
    kind: str,
    bac: Decimal,
    planned_points: int | None,
    stage_budgets: Mapping[int | None, Decimal],
    pv: Decimal,
    ac: Decimal,
    completed: int | None,
    progress: Mapping[int, Decimal],
) -> Figures:
    """Every figure of a checkpoint from its inputs. The one place both the per-project
    service and the set-based monthly job turn inputs into figures, so they cannot differ.

    ``progress`` is the percent complete per stage (stage and hybrid baselines, in line
    order); ``completed`` the points completed by the date (release baselines, and any
    baseline with planned points).
    """
    rows: list[tuple[int, Decimal, Decimal, Decimal]] = []
    done = planned = None
    if kind == "release":
        planned = planned_points
        done = completed or 0
        ev = rules.agile_earned_value(bac, done, planned or 1)
    else:
        for stage_id, percent in progress.items():
            percent = Decimal(percent).quantize(rules.PERCENT_PLACES)
            budget = stage_budgets[stage_id]
            stage_ev = rules.earned_value([rules.StageProgress(budget, percent)])
            rows.append((stage_id, budget, percent, stage_ev))
        ev = rules.money(sum((row[3] for row in rows), Decimal(0)))
        if planned_points:
            planned = planned_points
            done = completed or 0
    return Figures(rules.checkpoint(bac, pv, ev, ac), rows, done, planned)


def stage_judgement(
    budget: Decimal, stage_ev: Decimal, stage_ac: Decimal, tolerance: rules.CostTolerance
) -> tuple[Decimal | None, rules.ToleranceCheck | None]:
    """The stage under way's EAC (from its EV and AC) and its check against the stage's
    cost tolerance; (None, None) while its EAC is undefined."""
    stage_point = rules.checkpoint(budget, 0, stage_ev, stage_ac)
    if stage_point.eac is None:
        return None, None
    return stage_point.eac, rules.check_cost(budget, stage_point.eac, tolerance)


@dataclass
class CheckpointData:
    taken_on: date | None
    progress: Mapping[int, Decimal | None] = field(default_factory=dict)
    note: str = ""


def _project_tolerance(project: Project) -> rules.CostTolerance:
    return stages.default_tolerances(project).cost


def take_checkpoint(
    project: Project,
    data: CheckpointData,
    *,
    trigger: str = "manual",
    actor: User | None,
    period: str | None = None,
    gate: GateReview | None = None,
    iteration: Iteration | None = None,
    today: date | None = None,
    token: str | None = None,
) -> Checkpoint | None:
    """Take a checkpoint: PV from the current baseline, EV from progress, AC from costs.

    Returns None when a scheduled or automatic checkpoint already exists for the same month,
    gate or iteration (the UNIQUE keys decide, so this holds under concurrency too).
    """
    today = today or uk_today()
    on = data.taken_on
    if on is None:
        raise RuleError("Enter the date of the checkpoint", "taken_on")
    if on > today:
        raise RuleError("The checkpoint date cannot be in the future", "taken_on")
    project = _lock_project(project.id)
    baseline = current_baseline(project)
    if baseline is None:
        raise RuleError(
            "Set a budget baseline first: a checkpoint compares progress and cost with it."
        )
    if period is not None and _exists(Checkpoint.project_id == project.id, period=period):
        return None
    pv = planned_value_on(baseline, on)
    ac = actual_cost(project.id, on)
    progress: dict[int, Decimal] = {}
    if baseline.kind != "release":
        progress = default_progress(project, baseline, on)
        for stage_id, percent in data.progress.items():
            if stage_id not in progress:
                continue
            if percent is None:
                raise RuleError("Enter the percent complete", f"percent_{stage_id}")
            if not Decimal(0) <= percent <= Decimal(100):
                raise RuleError("Percent complete must be between 0 and 100", f"percent_{stage_id}")
            progress[stage_id] = percent
    counts_points = baseline.kind == "release" or bool(baseline.planned_points)
    figures = checkpoint_figures(
        kind=baseline.kind,
        bac=baseline.bac,
        planned_points=baseline.planned_points,
        stage_budgets=stage_budgets(baseline),
        pv=pv,
        ac=ac,
        completed=completed_points(project.id, on) if counts_points else None,
        progress=progress,
    )
    point = figures.point
    progress_rows = [
        CheckpointStage(stage_id=stage_id, budget=budget, percent_complete=percent, ev=ev)
        for stage_id, budget, percent, ev in figures.progress
    ]
    done_points, planned_points = figures.completed_points, figures.planned_points
    tolerance = _project_tolerance(project)
    judged = rules.checkpoint_cost_status(point, tolerance)
    checkpoint = Checkpoint(
        project_id=project.id,
        baseline_id=baseline.id,
        taken_on=on,
        trigger=trigger,
        period=period,
        gate_id=gate.id if gate else None,
        iteration_id=iteration.id if iteration else None,
        **{name: getattr(point, name) for name in CHECKPOINT_FIGURES},
        completed_points=done_points,
        planned_points=planned_points,
        status=judged.status.value if judged else None,
        tolerance=tolerance.describe(),
        tolerance_limit=tolerance.limit_for(point.bac),
        reasons=json.dumps(dict(point.reasons)),
        note=(data.note or "").strip(),
        token=_clean_token(token),
        taken_by_id=actor.id if actor else None,
        progress=progress_rows,
    )
    try:
        # Added inside the savepoint: begin_nested() flushes what is pending first.
        with db.session.begin_nested():
            db.session.add(checkpoint)
            db.session.flush()
    except IntegrityError:
        if trigger == "manual":
            raise RuleError(
                "This checkpoint was already taken (the form was sent twice)."
            ) from None
        return None
    stage_breached = _judge_stage(project, checkpoint, actor)
    summary, changes = checkpoint_audit(checkpoint, point, trigger, baseline.number)
    audit.record(
        "checkpoint.taken",
        checkpoint,
        project_id=project.id,
        summary=summary,
        changes=changes,
        actor=actor,
    )
    if (
        judged is not None
        and judged.status is rules.ToleranceStatus.BREACHED
        and not (stage_breached)
    ):
        _raise_budget_exception(project, checkpoint.id, judged, actor)
    return checkpoint


def checkpoint_audit(
    checkpoint: Checkpoint, point: rules.Checkpoint, trigger: str, baseline_number: int
) -> tuple[str, dict]:
    """The audit entry's summary and changes for a checkpoint, however it was taken (by
    hand, at a gate or iteration, or by the monthly job in bulk)."""
    summary = (
        f"Took a budget checkpoint ({trigger}) on {checkpoint.taken_on:%d/%m/%Y}: "
        f"CPI {_show(point.cpi)}, SPI {_show(point.spi)}, EAC {_money(point.eac)}"
    )
    if checkpoint.rag:
        summary += f", {checkpoint.rag}"
    changes = {
        "trigger": trigger,
        "taken_on": checkpoint.taken_on,
        "baseline": baseline_number,
        "pv": point.pv,
        "ev": point.ev,
        "ac": point.ac,
        "cpi": point.cpi,
        "spi": point.spi,
        "eac": point.eac,
        "status": checkpoint.status,
        "stage_status": checkpoint.stage_status,
    }
    return summary, changes


def checkpoint_by_token(token: str | None) -> Checkpoint | None:
    token = _clean_token(token)
    if token is None:
        return None
    return db.session.scalars(select(Checkpoint).where(Checkpoint.token == token)).first()


def _exists(*criteria, period: str) -> bool:
    return (
        db.session.scalar(
            select(func.count(Checkpoint.id)).where(*criteria, Checkpoint.period == period)
        )
        > 0
    )


def _show(value: Decimal | None) -> str:
    return "—" if value is None else f"{rules.index_on_screen(value)}"


def _money(value: Decimal | None) -> str:
    return "—" if value is None else rules.format_gbp(value)


def _judge_stage(project: Project, checkpoint: Checkpoint, actor: User | None) -> bool:
    """Judge the stage under way against its own cost tolerance, through the stage's
    shared forecast check, which puts the stage in exception on a breach. True when the
    stage took the breach (so no separate budget exception is needed)."""
    if project.delivery_method not in stages.STAGED_METHODS:
        return False
    stage = stages.current_stage(project)
    if stage is None or stage.status not in (StageStatus.ACTIVE, StageStatus.IN_EXCEPTION):
        return False
    row = next((r for r in checkpoint.progress if r.stage_id == stage.id), None)
    if row is None:
        return False
    stage_ac = actual_cost(project.id, checkpoint.taken_on, stage_id=stage.id)
    stage_eac, judged = stage_judgement(
        stage.planned_budget, row.ev, stage_ac, stages.tolerances_of(stage).cost
    )
    checkpoint.stage_id = stage.id
    if stage_eac is None or judged is None:
        db.session.flush()
        return False
    checkpoint.stage_eac = stage_eac
    checkpoint.stage_status = judged.status.value
    db.session.flush()
    breaches = stages.apply_forecast(
        stage,
        finish=stage.forecast_finish or stage.planned_finish,
        cost=stage_eac,
        targets={name: getattr(stage, f"{name}_status") for name in STATED_TARGETS},
        actor=actor,
        source="budget_checkpoint",
    )
    return bool(breaches)


def _raise_budget_exception(
    project: Project, checkpoint_id: int, judged: rules.ToleranceCheck, actor: User | None
) -> BudgetException | None:
    if open_budget_exception(project) is not None:
        return None
    report = BudgetException(
        project_id=project.id,
        checkpoint_id=checkpoint_id,
        breach=breach_text(judged),
        required_roles=",".join(stages.regime_for(project).approver_roles),
        status=BudgetExceptionStatus.OPEN,
        raised_at=utcnow(),
    )
    try:
        # Added inside the savepoint: begin_nested() flushes what is pending first.
        with db.session.begin_nested():
            db.session.add(report)
            db.session.flush()
    except IntegrityError:
        return None  # another checkpoint raised one at the same moment
    audit.record(
        "budget_exception.raised",
        report,
        project_id=project.id,
        summary=f"A budget checkpoint breached cost tolerance: {report.breach}",
        changes={"checkpoint_id": checkpoint_id, "roles": list(report.roles)},
        actor=actor,
    )
    return report


def breach_text(judged: rules.ToleranceCheck) -> str:
    return (
        f"Forecast cost at completion {rules.format_gbp(judged.forecast)} is "
        f"{rules.format_gbp(abs(judged.variance))} {judged.direction} the budget of "
        f"{rules.format_gbp(judged.planned)}; the cost tolerance is "
        f"±{rules.format_gbp(judged.limit)}."
    )


def open_budget_exception(project: Project) -> BudgetException | None:
    return db.session.scalars(
        select(BudgetException).where(
            BudgetException.project_id == project.id,
            BudgetException.status == BudgetExceptionStatus.OPEN,
        )
    ).first()


def automatic_checkpoint(
    project: Project,
    *,
    trigger: str,
    actor: User | None,
    gate: GateReview | None = None,
    iteration: Iteration | None = None,
) -> Checkpoint | None:
    """A checkpoint at a gate approval or iteration close. Skipped (None) without a
    baseline: there is nothing yet to compare with, and the gate must not wait for one."""
    if current_baseline(project) is None:
        return None
    return take_checkpoint(
        project,
        CheckpointData(taken_on=uk_today(), note=""),
        trigger=trigger,
        actor=actor,
        gate=gate,
        iteration=iteration,
    )


def checkpoint_at_gate(gate: GateReview, actor: User | None) -> Checkpoint | None:
    return automatic_checkpoint(gate.project, trigger="gate", actor=actor, gate=gate)


def checkpoint_at_iteration_close(
    project: Project, iteration: Iteration, actor: User | None
) -> Checkpoint | None:
    return automatic_checkpoint(project, trigger="iteration", actor=actor, iteration=iteration)


def monthly_checkpoint(project: Project, today: date) -> Checkpoint | None:
    if current_baseline(project) is None:
        return None
    return take_checkpoint(
        project,
        CheckpointData(taken_on=today, note="Monthly budget check"),
        trigger="monthly",
        actor=None,
        period=f"{today:%Y-%m}",
        today=today,
    )


# --------------------------------------------------------------------------------------
# Budget exceptions (projects without stages)
# --------------------------------------------------------------------------------------


def decide_budget_exception(
    report: BudgetException,
    *,
    decision: str,
    comment: str,
    version: int | None,
    actor: User,
) -> BudgetException:
    comment = (comment or "").strip()
    project = _lock_project(report.project_id)
    report = db.session.scalars(
        select(BudgetException)
        .where(BudgetException.id == report.id)
        .with_for_update(of=BudgetException)
        .execution_options(populate_existing=True)
    ).one()
    held = stages.roles_held(actor, project) & set(report.roles)
    if not held:
        raise RuleError("Only the board members this exception was raised to can decide it.")
    if report.status != BudgetExceptionStatus.OPEN:
        raise RuleError(
            "This budget exception has already been decided: your decision was not recorded."
        )
    check_version(report, version)
    if decision not in tuple(BudgetDecision):
        raise RuleError("Choose a decision from the list", "decision")
    if not comment:
        raise RuleError("Enter the reason for your decision", "comment")
    role = next(r for r in report.roles if r in held)
    report.status = BudgetExceptionStatus.DECIDED
    report.decision = decision
    report.decision_comment = comment
    report.decided_by_id, report.decided_role, report.decided_at = actor.id, role, utcnow()
    db.session.flush()
    audit.record(
        "budget_exception.decided",
        report,
        project_id=project.id,
        summary=f"Decided the budget exception: {decision.replace('rebaseline', 're-baseline')}",
        changes={"decision": decision, "role": role, "comment": comment},
        actor=actor,
    )
    return report
