"""Change requests: raised from an issue with their impact on the seven targets, decided
by the delegated change authority, and, once approved, moving the plan through the
existing stage re-planning and budget re-baselining (never around them) and debiting the
change budget. Each operation audits and flushes; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.budget import services as budget
from tracker.changes import access, rules
from tracker.changes.models import ChangeAuthority, ChangeRequest
from tracker.changes.rules import Authority, ChangeStatus
from tracker.core.errors import RuleError, StaleEdit, check_version
from tracker.core.money import CostTolerance
from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects.access import team
from tracker.projects.governance import PROJECT_MANAGER
from tracker.projects.models import Project
from tracker.registers.models import Issue
from tracker.stages import services as stages
from tracker.stages.models import Stage
from tracker.stages.rules import StageStatus

ZERO = Decimal("0.00")


def _flush() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleEdit() from None


def authority_of(project: Project) -> ChangeAuthority | None:
    return db.session.get(ChangeAuthority, project.id)


def set_change_budget(
    project: Project, amount: Decimal | None, *, version: int | None, actor: User
) -> ChangeAuthority:
    """The Executive delegates a change budget to the project manager."""
    if not access.can_set_budget(actor, project):
        raise RuleError("Only the project's Executive sets the change budget")
    if amount is None or amount < 0:
        raise RuleError("Enter the change budget in pounds, £0 or more", "change_budget")
    authority = authority_of(project)
    if authority is None:
        authority = ChangeAuthority(
            project_id=project.id, change_budget=amount, debited=ZERO, set_by_id=actor.id
        )
        db.session.add(authority)
        before = None
    else:
        check_version(authority, version)
        if amount < authority.debited:
            raise RuleError(
                f"Approved changes have already used £{authority.debited:,.2f}: the change "
                "budget cannot be less than that",
                "change_budget",
            )
        before = authority.change_budget
        authority.change_budget = amount
        authority.set_by_id = actor.id
        authority.set_at = utcnow()
    _flush()
    audit.record(
        "change_budget.set",
        project_id=project.id,
        object_type="change_authorities",
        object_id=project.id,
        actor=actor,
        summary=f"Set the change budget to £{amount:,.2f}",
        changes={"change_budget": [before, amount]},
    )
    return authority


@dataclass
class ChangeData:
    title: str
    time_impact_days: int | None
    cost_impact: Decimal | None
    scope_impact: str = ""
    quality_impact: str = ""
    risk_impact: str = ""
    benefit_impact: str = ""
    sustainability_impact: str = ""
    stage_id: int | None = None


def _stage_tolerances(stage: Stage | None) -> tuple[Decimal | None, int | None]:
    if stage is None:
        return None, None
    tolerances = stages.tolerances_of(stage)
    cost: CostTolerance = tolerances.cost
    return cost.limit_for(stage.planned_budget), tolerances.time_days


def _decider(project: Project, change_cost: Decimal, days: int, stage, requester_id: int):
    authority = authority_of(project)
    remaining = authority.remaining if authority is not None else ZERO
    cost_tolerance, time_tolerance = _stage_tolerances(stage)
    by_manager = PROJECT_MANAGER in team(project.id).roles_of(requester_id)
    return rules.decider(
        cost=change_cost,
        time_days=days,
        remaining_budget=remaining,
        cost_tolerance=cost_tolerance,
        time_tolerance_days=time_tolerance,
        requested_by_manager=by_manager,
    )


def request_change(project: Project, issue: Issue, data: ChangeData, *, actor: User):
    if issue.project_id != project.id:
        raise RuleError("That issue is not on this project's register")
    if not issue.is_open:
        raise RuleError("That issue is closed: raise a change request from an open one")
    title = (data.title or "").strip()
    if not title:
        raise RuleError("Enter a title for the change", "title")
    if data.time_impact_days is None or data.time_impact_days < 0:
        raise RuleError("Enter the delay in days, 0 or more", "time_impact_days")
    if data.cost_impact is None or data.cost_impact < 0:
        raise RuleError("Enter the extra cost in pounds, £0 or more", "cost_impact")
    for target in rules.TARGETS[2:]:
        if not (getattr(data, f"{target}_impact") or "").strip():
            raise RuleError(
                f"State the impact on {target} (write 'None' if there is none)",
                f"{target}_impact",
            )
    stage = None
    if data.stage_id is not None:
        stage = db.session.get(Stage, data.stage_id)
        if stage is None or stage.project_id != project.id:
            raise RuleError("Choose a stage of this project", "stage_id")
        if stage.status != StageStatus.PLANNED:
            raise RuleError(
                f"{stage.label} is {stage.status.replace('_', ' ')}: its plan changes only "
                "through an exception plan the board approves. Raise an exception instead.",
                "stage_id",
            )
    decider = _decider(project, data.cost_impact, data.time_impact_days, stage, actor.id)
    change = ChangeRequest(
        project_id=project.id,
        issue_id=issue.id,
        stage_id=stage.id if stage else None,
        title=title,
        time_impact_days=data.time_impact_days,
        cost_impact=data.cost_impact,
        **{f"{t}_impact": getattr(data, f"{t}_impact").strip() for t in rules.TARGETS[2:]},
        authority=decider.authority,
        authority_reason=decider.reason[:300],
        status=ChangeStatus.SUBMITTED,
        requested_by_id=actor.id,
        requested_at=utcnow(),
    )
    db.session.add(change)
    db.session.flush()
    audit.record(
        "change.requested",
        change,
        project_id=project.id,
        actor=actor,
        summary=f"Requested change {change.id} from issue {issue.id}: {title}"[:300],
        changes={
            "time_impact_days": data.time_impact_days,
            "cost_impact": data.cost_impact,
            "authority": decider.authority,
            "why": decider.reason,
        },
    )
    return change


def _replan(project: Project, change: ChangeRequest, actor: User) -> None:
    """Move the plan through the stage re-planning and the budget re-baselining."""
    stage = change.stage
    if stage is not None:
        new_finish = stage.planned_finish + timedelta(days=change.time_impact_days)
        stages.update_stage(
            stage,
            stages.StageData(
                name=stage.name,
                planned_start=stage.planned_start,
                planned_finish=new_finish,
                planned_budget=stage.planned_budget + change.cost_impact,
                time_tolerance_days=stage.time_tolerance_days,
                cost_tolerance_kind="percent"
                if stage.cost_tolerance_percent is not None
                else "amount",
                cost_tolerance_value=stage.cost_tolerance_percent
                if stage.cost_tolerance_percent is not None
                else stage.cost_tolerance_amount,
                **{
                    f"{name}_target": getattr(stage, f"{name}_target")
                    for name in ("scope", "quality", "risk", "benefit", "sustainability")
                },
            ),
            version=None,
            actor=actor,
        )
        change.new_finish = new_finish
    previous = budget.current_baseline(project)
    if previous is not None:
        budgets = {line.iteration_id: line.budget for line in previous.lines if line.iteration_id}
        budget.set_baseline(
            project,
            budget.BaselineData(
                reason=f"Change request {change.id} approved: {change.title}"[:500],
                planned_points=previous.planned_points,
                iteration_budgets=budgets,
            ),
            actor=actor,
        )


def decide_change(
    project: Project,
    change: ChangeRequest,
    *,
    approve: bool,
    comment: str,
    version: int | None,
    actor: User,
) -> ChangeRequest:
    if change.project_id != project.id:
        raise RuleError("That change request is not on this project")
    check_version(change, version)
    if not change.is_waiting:
        raise RuleError("This change request has already been decided")
    refusal = access.decide_refusal(actor, change)
    if refusal:
        raise RuleError(refusal)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise RuleError("Say why the change is rejected", "comment")
    authority = authority_of(project)
    if approve:
        # Decided now, not when requested: approvals since may have used the budget.
        now = _decider(
            project,
            change.cost_impact,
            change.time_impact_days,
            change.stage,
            change.requested_by_id,
        )
        if change.authority == Authority.MANAGER and now.authority == Authority.BOARD:
            raise RuleError(
                f"This change now needs the board: {now.reason}. The project manager cannot "
                "approve it."
            )
        within = authority is not None and change.cost_impact <= authority.remaining
        if within and change.cost_impact > 0:
            authority.debited = authority.debited + change.cost_impact
            change.debited = change.cost_impact
        _replan(project, change, actor)
    change.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
    change.decided_by_id = actor.id
    change.decided_at = utcnow()
    change.decision_comment = comment
    _flush()
    audit.record(
        "change.approved" if approve else "change.rejected",
        change,
        project_id=project.id,
        actor=actor,
        summary=f"{'Approved' if approve else 'Rejected'} change {change.id}: {change.title}"[:300],
        changes={
            "status": ["submitted", change.status],
            "debited": change.debited,
            "new_finish": change.new_finish,
            "comment": comment,
        },
    )
    return change


def waiting_for(project: Project) -> list[ChangeRequest]:
    return list(
        db.session.scalars(
            select(ChangeRequest)
            .where(ChangeRequest.project_id == project.id)
            .order_by(ChangeRequest.id.desc())
        )
    )
