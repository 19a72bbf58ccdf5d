"""Programme operations: change state, write the audit entry, flush (never commit).

Every refusal is a ``RuleError`` raised before anything is written, so the unit of work
(tracker.core.unit_of_work) stores nothing and shows the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import aliased

from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.board.rules import DcaRating
from tracker.budget.models import Checkpoint
from tracker.core.dates import uk_today
from tracker.core.errors import RuleError, check_version
from tracker.db import utcnow
from tracker.extensions import db
from tracker.orgs.models import Organisation
from tracker.programmes import rules
from tracker.programmes.models import (
    PartnerPledge,
    PartnershipRating,
    Portfolio,
    Programme,
    ProgrammeConfidence,
    ProgrammeGate,
    ProgrammePartner,
    ProgrammeProject,
    ProgrammeRisk,
    ProgrammeRoleHolder,
)
from tracker.programmes.rules import (
    CONDITIONS,
    PROGRAMME_ROLES,
    GateStatus,
    PledgeKind,
    PledgeStatus,
    ProgrammeRole,
)
from tracker.projects.models import Project
from tracker.projects.rules import size_tier
from tracker.stages.rules import DEFAULT_TOLERANCES, SizeTier

# --------------------------------------------------------------------------------------
# Portfolios
# --------------------------------------------------------------------------------------


def create_portfolio(name: str, description: str, *, actor: User | None) -> Portfolio:
    name = (name or "").strip()
    if not name:
        raise RuleError("Enter the portfolio's name", "name")
    if db.session.scalar(select(Portfolio.id).where(Portfolio.name == name)) is not None:
        raise RuleError(f"A portfolio called {name} already exists", "name")
    portfolio = Portfolio(name=name[:200], description=(description or "").strip())
    db.session.add(portfolio)
    db.session.flush()
    audit.record("portfolio.created", portfolio, actor=actor, summary=f"Portfolio {name} created")
    return portfolio


# --------------------------------------------------------------------------------------
# Programmes
# --------------------------------------------------------------------------------------


@dataclass
class ProgrammeData:
    code: str
    name: str
    portfolio_id: int | None
    parent_id: int | None = None
    purpose: str = ""
    is_multi_agency: bool = False
    planned_finish: date | None = None
    cost_tolerance: Decimal | None = None
    time_tolerance_days: int | None = None
    benefits_tolerance_percent: Decimal | None = None


def _parents(portfolio_id: int) -> dict[int, int | None]:
    return dict(
        db.session.execute(
            select(Programme.id, Programme.parent_id).where(Programme.portfolio_id == portfolio_id)
        ).all()
    )


def _check_shape(programme: Programme | None, data: ProgrammeData) -> Portfolio:
    portfolio = db.session.get(Portfolio, data.portfolio_id) if data.portfolio_id else None
    if portfolio is None:
        raise RuleError("Choose the portfolio the programme belongs to", "portfolio_id")
    if data.parent_id is not None:
        parent = db.session.get(Programme, data.parent_id)
        if parent is None:
            raise RuleError("Choose the parent programme from the list", "parent_id")
        if parent.portfolio_id != portfolio.id:
            raise RuleError(
                "A sub-programme belongs to the same portfolio as its parent", "parent_id"
            )
    problem = rules.parent_problem(
        programme.id if programme else None, data.parent_id, _parents(portfolio.id)
    )
    if problem:
        raise RuleError(problem, "parent_id")
    if programme is not None and programme.portfolio_id != portfolio.id:
        has_children = db.session.scalar(
            select(Programme.id).where(Programme.parent_id == programme.id).limit(1)
        )
        if has_children is not None:
            raise RuleError(
                "Move the sub-programmes first: a programme changes portfolio alone",
                "portfolio_id",
            )
    return portfolio


def project_allowances(programme_id: int) -> list[Decimal]:
    """What each project now in the programme may overrun by, in pounds: the limit of its
    latest checkpoint's cost tolerance, or (before its first checkpoint) the default share
    of its budget for its size tier. One query, folded here."""
    point = aliased(Checkpoint)
    latest_id = (
        select(point.id)
        .where(point.project_id == Project.id)
        .order_by(point.taken_on.desc(), point.id.desc())
        .limit(1)
        .correlate(Project)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Project.budget_at_completion, Checkpoint.tolerance_limit)
        .join(ProgrammeProject, ProgrammeProject.project_id == Project.id)
        .outerjoin(Checkpoint, Checkpoint.id == latest_id)
        .where(ProgrammeProject.programme_id == programme_id, ProgrammeProject.to_on.is_(None))
    ).all()
    config = current_app.config
    found = []
    for bac, limit in rows:
        if limit is None:
            tier = size_tier(bac, config["TIER_SMALL_BELOW"], config["TIER_LARGE_ABOVE"])
            limit = DEFAULT_TOLERANCES[SizeTier(tier)].cost.limit_for(bac)
        found.append(Decimal(limit))
    return found


def _check_tolerances(programme: Programme | None, data: ProgrammeData) -> None:
    if programme is None:
        return
    problem = rules.cost_tolerance_problem(data.cost_tolerance, project_allowances(programme.id))
    if problem:
        raise RuleError(problem, "cost_tolerance")


def _apply(programme: Programme, data: ProgrammeData) -> dict:
    changes = {}
    for name in (
        "name",
        "portfolio_id",
        "parent_id",
        "purpose",
        "is_multi_agency",
        "planned_finish",
        "cost_tolerance",
        "time_tolerance_days",
        "benefits_tolerance_percent",
    ):
        value = getattr(data, name)
        if isinstance(value, str):
            value = value.strip()
        if getattr(programme, name) != value:
            changes[name] = value
            setattr(programme, name, value)
    return changes


def create_programme(data: ProgrammeData, *, actor: User | None) -> Programme:
    code = (data.code or "").strip().upper()
    if not code:
        raise RuleError("Enter the programme's code", "code")
    if not (data.name or "").strip():
        raise RuleError("Enter the programme's name", "name")
    if db.session.scalar(select(Programme.id).where(Programme.code == code)) is not None:
        raise RuleError(f"Another programme already has the code {code}", "code")
    _check_shape(None, data)
    programme = Programme(code=code)
    changes = _apply(programme, data)
    db.session.add(programme)
    db.session.flush()
    audit.record(
        "programme.created",
        programme,
        actor=actor,
        summary=f"Programme {code} {programme.name} created",
        changes=changes,
    )
    return programme


def update_programme(
    programme: Programme, data: ProgrammeData, *, version: int | None, actor: User | None
) -> None:
    check_version(programme, version)
    if not (data.name or "").strip():
        raise RuleError("Enter the programme's name", "name")
    _check_shape(programme, data)
    _check_tolerances(programme, data)
    changes = _apply(programme, data)
    if changes:
        db.session.flush()
        audit.record(
            "programme.updated",
            programme,
            actor=actor,
            summary=f"Programme {programme.code} changed: {', '.join(changes)}",
            changes=changes,
        )


# --------------------------------------------------------------------------------------
# Roles
# --------------------------------------------------------------------------------------


def _held(programme: Programme, user_id: int) -> set[str]:
    return set(
        db.session.scalars(
            select(ProgrammeRoleHolder.role).where(
                ProgrammeRoleHolder.programme_id == programme.id,
                ProgrammeRoleHolder.user_id == user_id,
            )
        )
    )


def grant_role(programme: Programme, user: User | None, role: str, *, actor: User | None):
    if user is None or not user.is_active_user:
        raise RuleError("Choose an active person", "user_id")
    if role not in PROGRAMME_ROLES:
        raise RuleError("Choose a programme role from the list", "role")
    held = _held(programme, user.id)
    if role in held:
        raise RuleError(f"{user.name} is already {PROGRAMME_ROLES[role].lower()}", "user_id")
    conflict = rules.role_conflict(held, role)
    if conflict:
        raise RuleError(conflict.replace("This person", user.name, 1), "role")
    if role in rules.SINGLE_HOLDER_ROLES:
        current = db.session.scalar(
            select(ProgrammeRoleHolder).where(
                ProgrammeRoleHolder.programme_id == programme.id, ProgrammeRoleHolder.role == role
            )
        )
        if current is not None:
            raise RuleError(
                f"{current.user.name} is already the {PROGRAMME_ROLES[role].lower()}: remove "
                "them first (a programme has one)",
                "role",
            )
    holder = ProgrammeRoleHolder(programme_id=programme.id, user_id=user.id, role=role)
    db.session.add(holder)
    db.session.flush()
    audit.record(
        "programme.role_granted",
        holder,
        actor=actor,
        summary=f"{user.name} is {PROGRAMME_ROLES[role].lower()} of {programme.code}",
        changes={"user": user.id, "role": role, "programme": programme.id},
    )
    return holder


def remove_role(programme: Programme, holder: ProgrammeRoleHolder, *, actor: User | None):
    if holder.programme_id != programme.id:
        raise RuleError("That role is not on this programme")
    audit.record(
        "programme.role_removed",
        holder,
        actor=actor,
        summary=(
            f"{holder.user.name} is no longer {PROGRAMME_ROLES[holder.role].lower()} "
            f"of {programme.code}"
        ),
        changes={"user": holder.user_id, "role": holder.role, "programme": programme.id},
    )
    db.session.delete(holder)
    db.session.flush()


def manager_of(programme_id: int) -> User | None:
    return db.session.scalar(
        select(User)
        .join(ProgrammeRoleHolder, ProgrammeRoleHolder.user_id == User.id)
        .where(
            ProgrammeRoleHolder.programme_id == programme_id,
            ProgrammeRoleHolder.role == ProgrammeRole.PROGRAMME_MANAGER,
        )
    )


# --------------------------------------------------------------------------------------
# Projects in programmes
# --------------------------------------------------------------------------------------


def current_membership(project_id: int, *, lock: bool = False) -> ProgrammeProject | None:
    statement = select(ProgrammeProject).where(
        ProgrammeProject.project_id == project_id, ProgrammeProject.to_on.is_(None)
    )
    if lock:
        statement = statement.with_for_update(of=ProgrammeProject)
    return db.session.scalar(statement)


def add_project(
    programme: Programme,
    project: Project | None,
    *,
    actor: User,
    move: bool = False,
    today: date | None = None,
) -> ProgrammeProject:
    """Put a project in the programme from today on. A project already in another programme
    moves only when asked to (``move``), and only with the receiving programme's manager:
    the manager does it, or the PMO does it for a programme that has one (their agreement is
    recorded). Past roll-ups keep the project where it was."""
    today = today or uk_today()
    if project is None:
        raise RuleError("Choose the project to add", "project_id")
    # Lock the project's row first: two moves of one project at once are serialised, and
    # the partial unique index refuses a second current membership whatever happens.
    db.session.execute(select(Project.id).where(Project.id == project.id).with_for_update())
    manager = manager_of(programme.id)
    if manager is None:
        raise RuleError(
            f"{programme.code} has no programme manager yet: name one before it takes "
            "projects, since a move needs the receiving programme's manager",
            "project_id",
        )
    if not (getattr(actor, "is_pmo", False) or actor.id == manager.id):
        raise RuleError(
            f"Only {programme.code}'s programme manager ({manager.name}) or the PMO can "
            "bring a project into it",
            "project_id",
        )
    current = current_membership(project.id, lock=True)
    if current is not None and current.programme_id == programme.id:
        raise RuleError(f"{project.code} is already in {programme.code}", "project_id")
    if current is not None and not move:
        raise RuleError(
            f"{project.code} is already in programme {current.programme.code}: a project "
            "belongs to at most one programme. To move it, tick 'Move it from its current "
            "programme'.",
            "project_id",
        )
    changes: dict = {"programme": programme.code, "from_on": today}
    if current is not None:
        changes["moved_from"] = current.programme.code
        current.to_on = today
        db.session.flush()
    membership = ProgrammeProject(
        programme_id=programme.id,
        project_id=project.id,
        from_on=today,
        added_by_id=actor.id,
        agreed_by_id=manager.id,
    )
    db.session.add(membership)
    db.session.flush()
    verb = f"moved from {current.programme.code} to" if current else "added to"
    audit.record(
        "programme.project_moved" if current else "programme.project_added",
        membership,
        project_id=project.id,
        actor=actor,
        summary=f"{project.code} {verb} {programme.code} from {today.isoformat()}",
        changes=changes,
    )
    return membership


def remove_project(
    programme: Programme, project: Project, *, actor: User, today: date | None = None
) -> None:
    today = today or uk_today()
    current = current_membership(project.id, lock=True)
    if current is None or current.programme_id != programme.id:
        raise RuleError(f"{project.code} is not in {programme.code}")
    current.to_on = today
    db.session.flush()
    audit.record(
        "programme.project_removed",
        current,
        project_id=project.id,
        actor=actor,
        summary=f"{project.code} left {programme.code} on {today.isoformat()}",
        changes={"programme": programme.code, "to_on": today},
    )


# --------------------------------------------------------------------------------------
# Partners, pledges and the partnership health check
# --------------------------------------------------------------------------------------


def _partner_ids(programme: Programme) -> set[int]:
    return set(
        db.session.scalars(
            select(ProgrammePartner.organisation_id).where(
                ProgrammePartner.programme_id == programme.id
            )
        )
    )


def add_partner(programme: Programme, organisation: Organisation | None, *, actor: User | None):
    if not programme.is_multi_agency:
        raise RuleError(
            "Partners belong to a multi-agency programme: mark the programme multi-agency first",
            "organisation_id",
        )
    if organisation is None:
        raise RuleError("Choose the partner organisation", "organisation_id")
    if organisation.id in _partner_ids(programme):
        raise RuleError(f"{organisation.name} is already a partner", "organisation_id")
    partner = ProgrammePartner(programme_id=programme.id, organisation_id=organisation.id)
    db.session.add(partner)
    db.session.flush()
    audit.record(
        "programme.partner_added",
        actor=actor,
        object_type="programmes",
        object_id=programme.id,
        summary=f"{organisation.name} joined {programme.code} as a partner",
        changes={"organisation": organisation.id},
    )
    return partner


@dataclass
class PledgeData:
    organisation_id: int | None
    kind: str
    text: str
    owner_id: int | None = None
    due_on: date | None = None


def add_pledge(programme: Programme, data: PledgeData, *, actor: User) -> PartnerPledge:
    if data.organisation_id not in _partner_ids(programme):
        raise RuleError("Choose one of the programme's partners", "organisation_id")
    if data.kind not in PledgeKind.__members__.values():
        raise RuleError("Choose ask, offer or commitment", "kind")
    text = (data.text or "").strip()
    if not text:
        raise RuleError("Say what was asked, offered or committed", "text")
    if data.kind == PledgeKind.COMMITMENT:
        if data.owner_id is None or db.session.get(User, data.owner_id) is None:
            raise RuleError("A commitment needs an owner who will see it through", "owner_id")
        if data.due_on is None:
            raise RuleError("A commitment needs a date it is due by", "due_on")
    pledge = PartnerPledge(
        programme_id=programme.id,
        organisation_id=data.organisation_id,
        kind=data.kind,
        text=text[:500],
        owner_id=data.owner_id if data.kind == PledgeKind.COMMITMENT else None,
        due_on=data.due_on if data.kind == PledgeKind.COMMITMENT else None,
        created_by_id=actor.id,
    )
    db.session.add(pledge)
    db.session.flush()
    audit.record(
        f"programme.{data.kind}_recorded",
        pledge,
        actor=actor,
        summary=f"{data.kind.capitalize()} recorded on {programme.code}: {text}"[:300],
        changes={"organisation": data.organisation_id, "due_on": data.due_on},
    )
    return pledge


def complete_commitment(
    programme: Programme, pledge: PartnerPledge, evidence: str, *, version: int | None, actor
) -> None:
    check_version(pledge, version)
    if pledge.programme_id != programme.id or pledge.kind != PledgeKind.COMMITMENT:
        raise RuleError("Only a commitment is tracked to done")
    if pledge.status != PledgeStatus.OPEN:
        raise RuleError("This commitment is already settled")
    evidence = (evidence or "").strip()
    if not evidence:
        raise RuleError("Say what shows the commitment is done", "evidence")
    pledge.status = PledgeStatus.DONE
    pledge.evidence = evidence
    pledge.done_by_id = actor.id
    pledge.done_at = utcnow()
    db.session.flush()
    audit.record(
        "programme.commitment_done",
        pledge,
        actor=actor,
        summary=f"Commitment done on {programme.code}: {pledge.text}"[:300],
        changes={"evidence": evidence},
    )


def rate_partnership(
    programme: Programme,
    organisation_id: int | None,
    scores: dict[str, int | None],
    *,
    note: str = "",
    actor: User,
    today: date | None = None,
) -> list[PartnershipRating]:
    """One partner's ratings of the five conditions on one day (all five, 1 to 5)."""
    today = today or uk_today()
    if organisation_id not in _partner_ids(programme):
        raise RuleError("Choose the partner whose view this is", "organisation_id")
    missing = [label for key, label in CONDITIONS.items() if scores.get(key) not in range(1, 6)]
    if missing:
        raise RuleError(f"Rate every condition from 1 to 5 (missing: {', '.join(missing)})")
    already = db.session.scalar(
        select(PartnershipRating.id).where(
            PartnershipRating.programme_id == programme.id,
            PartnershipRating.organisation_id == organisation_id,
            PartnershipRating.rated_on == today,
        )
    )
    if already is not None:
        raise RuleError("This partner has already rated the partnership today", "organisation_id")
    ratings = [
        PartnershipRating(
            programme_id=programme.id,
            organisation_id=organisation_id,
            condition=key,
            score=int(scores[key]),
            rated_on=today,
            note=(note or "").strip(),
            rated_by_id=actor.id,
        )
        for key in CONDITIONS
    ]
    db.session.add_all(ratings)
    db.session.flush()
    audit.record(
        "programme.partnership_rated",
        actor=actor,
        object_type="programmes",
        object_id=programme.id,
        summary=f"Partnership health check on {programme.code} by organisation {organisation_id}",
        changes={key: scores[key] for key in CONDITIONS},
    )
    return ratings


# --------------------------------------------------------------------------------------
# Programme gates
# --------------------------------------------------------------------------------------


def request_gate(
    programme: Programme, name: str, framework_gate: str, *, actor: User
) -> ProgrammeGate:
    name = (name or "").strip()
    if not name:
        raise RuleError("Name the gate or review", "name")
    waiting = db.session.scalar(
        select(ProgrammeGate.id).where(
            ProgrammeGate.programme_id == programme.id,
            ProgrammeGate.status == GateStatus.REQUESTED,
        )
    )
    if waiting is not None:
        raise RuleError("A programme gate is already waiting for the board", "name")
    gate = ProgrammeGate(
        programme_id=programme.id,
        name=name[:200],
        framework_gate=(framework_gate or "")[:200],
        requested_by_id=actor.id,
    )
    db.session.add(gate)
    db.session.flush()
    audit.record(
        "programme.gate_requested",
        gate,
        actor=actor,
        summary=f"{programme.code} asked its board to decide {name}",
    )
    return gate


def decide_gate(
    programme: Programme,
    gate: ProgrammeGate,
    approve: bool,
    rationale: str,
    *,
    version: int | None,
    actor: User,
    is_board_member: bool,
) -> None:
    check_version(gate, version)
    if gate.programme_id != programme.id:
        raise RuleError("That gate is not on this programme")
    if gate.status != GateStatus.REQUESTED:
        raise RuleError("This gate has already been decided")
    if not is_board_member:
        raise RuleError("Only a member of the programme board decides a programme gate")
    if gate.requested_by_id == actor.id:
        raise RuleError(
            "You requested this gate, so someone else on the programme board decides it"
        )
    rationale = (rationale or "").strip()
    if not rationale:
        raise RuleError("Give the board's reasons", "rationale")
    gate.status = GateStatus.APPROVED if approve else GateStatus.REJECTED
    gate.decided_by_id = actor.id
    gate.decided_at = utcnow()
    gate.rationale = rationale
    db.session.flush()
    audit.record(
        "programme.gate_decided",
        gate,
        actor=actor,
        summary=f"{programme.code} board {gate.status} {gate.name}",
        changes={"status": str(gate.status), "rationale": rationale},
    )


# --------------------------------------------------------------------------------------
# The programme's own risks and its board's confidence
# --------------------------------------------------------------------------------------


def raise_risk(
    programme: Programme,
    title: str,
    owner: User | None,
    likelihood: int | None,
    impact: int | None,
    *,
    actor: User,
) -> ProgrammeRisk:
    title = (title or "").strip()
    if not title:
        raise RuleError("Enter a title for the risk", "title")
    if owner is None or not owner.is_active_user:
        raise RuleError("Name the risk's owner: an active person", "owner")
    for name, value in (("likelihood", likelihood), ("impact", impact)):
        if value not in range(1, 6):
            raise RuleError(f"Choose the {name} from 1 to 5", name)
    risk = ProgrammeRisk(
        programme_id=programme.id,
        title=title[:200],
        owner_id=owner.id,
        likelihood=likelihood,
        impact=impact,
        raised_by_id=actor.id,
    )
    db.session.add(risk)
    db.session.flush()
    audit.record(
        "programme.risk_raised",
        risk,
        actor=actor,
        summary=f"Risk raised on {programme.code}: {title}"[:300],
        changes={"likelihood": likelihood, "impact": impact, "owner": owner.id},
    )
    return risk


def close_risk(programme: Programme, risk: ProgrammeRisk, *, version: int | None, actor) -> None:
    check_version(risk, version)
    if risk.programme_id != programme.id:
        raise RuleError("That risk is not on this programme")
    if risk.status == "closed":
        raise RuleError("This risk is already closed")
    risk.status = "closed"
    db.session.flush()
    audit.record(
        "programme.risk_closed",
        risk,
        actor=actor,
        summary=f"Risk closed on {programme.code}: {risk.title}"[:300],
    )


def assess_confidence(
    programme: Programme, rating: str, rationale: str, *, actor: User, is_board_member: bool
) -> ProgrammeConfidence:
    """A programme board member's DCA of the programme (a later view is a new one)."""
    if not is_board_member:
        raise RuleError("Only a member of the programme board rates its delivery confidence")
    if rating not in DcaRating.__members__.values():
        raise RuleError("Choose a delivery confidence rating", "rating")
    rationale = (rationale or "").strip()
    if not rationale:
        raise RuleError("Say why: the rating needs its reasons", "rationale")
    assessment = ProgrammeConfidence(
        programme_id=programme.id, rating=rating, rationale=rationale, assessed_by_id=actor.id
    )
    db.session.add(assessment)
    db.session.flush()
    audit.record(
        "programme.confidence_assessed",
        assessment,
        actor=actor,
        summary=f"{actor.name} rated {programme.code} {rating}",
        changes={"rating": rating},
    )
    return assessment
