"""Read models for the programme and portfolio pages: set-based SQL, a fixed number of
statements whatever the number of projects (never a loop over projects).

A programme's projects on a day are those whose membership (``programme_projects``)
covers the day, in the programme or any of its sub-programmes (a recursive CTE over the
hierarchy). Each project's figures are its latest checkpoint taken on or before that day
(``row_number()`` over the project's checkpoints), so a project moved today counts in its
new programme from today on and in its old one for every earlier day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, and_, case, desc, func, literal, or_, select
from sqlalchemy.orm import aliased

from tracker.benefits import queries as benefit_queries
from tracker.board.models import ConfidenceAssessment
from tracker.board.rules import ASSURANCE
from tracker.budget.models import Checkpoint
from tracker.core.money import money
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
from tracker.projects.models import Project
from tracker.projects.rules import ProjectStatus
from tracker.registers.models import Dependency, Escalation, Risk
from tracker.registers.rules import EscalationStatus

ZERO = Decimal(0)


def tree_ids(programme_id: int):
    """The programme and every programme below it, as a recursive CTE of ids."""
    tree = (
        select(Programme.id.label("id"))
        .where(Programme.id == programme_id)
        .cte("programme_tree", recursive=True)
    )
    below = aliased(Programme)
    return tree.union_all(select(below.id).where(below.parent_id == tree.c.id))


def members_on(programme_id: int, day: date, *, whole_tree: bool = True):
    """Project ids (with the programme each sits in) in the programme on ``day``."""
    where = (
        ProgrammeProject.programme_id.in_(select(tree_ids(programme_id).c.id))
        if whole_tree
        else ProgrammeProject.programme_id == programme_id
    )
    return (
        select(
            ProgrammeProject.project_id.label("project_id"),
            ProgrammeProject.programme_id.label("programme_id"),
        )
        .where(
            where,
            ProgrammeProject.from_on <= day,
            or_(ProgrammeProject.to_on.is_(None), ProgrammeProject.to_on > day),
        )
        .subquery("members")
    )


def _latest_checkpoints(project_ids, day: date):
    ranked = (
        select(
            Checkpoint.project_id,
            Checkpoint.taken_on,
            Checkpoint.bac,
            Checkpoint.pv,
            Checkpoint.ev,
            Checkpoint.ac,
            Checkpoint.cpi,
            Checkpoint.spi,
            func.row_number()
            .over(
                partition_by=Checkpoint.project_id,
                order_by=[desc(Checkpoint.taken_on), desc(Checkpoint.id)],
            )
            .label("rn"),
        )
        .where(Checkpoint.project_id.in_(project_ids), Checkpoint.taken_on <= day)
        .subquery()
    )
    return select(ranked).where(ranked.c.rn == 1).subquery("latest")


def _latest_dca(project_ids, *, assurance: bool):
    role_test = (
        ConfidenceAssessment.role == ASSURANCE
        if assurance
        else ConfidenceAssessment.role != ASSURANCE
    )
    ranked = (
        select(
            ConfidenceAssessment.project_id,
            ConfidenceAssessment.rating,
            func.row_number()
            .over(
                partition_by=ConfidenceAssessment.project_id,
                order_by=[desc(ConfidenceAssessment.assessed_at), desc(ConfidenceAssessment.id)],
            )
            .label("rn"),
        )
        .where(ConfidenceAssessment.project_id.in_(project_ids), role_test)
        .subquery()
    )
    return select(ranked.c.project_id, ranked.c.rating).where(ranked.c.rn == 1).subquery()


# --------------------------------------------------------------------------------------
# The roll-up
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    project_id: int
    code: str
    name: str
    method: str | None
    status: str
    programme_id: int
    taken_on: date | None
    bac: Decimal | None
    pv: Decimal | None
    ev: Decimal | None
    ac: Decimal | None
    cpi: Decimal | None
    spi: Decimal | None
    board_dca: str | None
    assurance_dca: str | None
    ev_share: Decimal | None = None


def rollup(programme_id: int, day: date) -> rules.Rollup:
    """The summed figures in one aggregate statement; the projects without a checkpoint
    are named by ``contributions`` (the same members, the same day)."""
    return _summed(members_on(programme_id, day), day)


def _summed(members, day: date) -> rules.Rollup:
    """The members' (a subquery of ``project_id``) latest checkpoints on the day, summed in
    one aggregate statement: money adds; the ratios come from the sums (rules.Rollup)."""
    latest = _latest_checkpoints(select(members.c.project_id), day)
    projects, covered, bac, pv, ev, ac = db.session.execute(
        select(
            func.count(members.c.project_id),
            func.count(latest.c.project_id),
            func.coalesce(func.sum(latest.c.bac), ZERO),
            func.coalesce(func.sum(latest.c.pv), ZERO),
            func.coalesce(func.sum(latest.c.ev), ZERO),
            func.coalesce(func.sum(latest.c.ac), ZERO),
        ).select_from(members.outerjoin(latest, latest.c.project_id == members.c.project_id))
    ).one()
    return rules.Rollup(
        on=day,
        projects=projects,
        covered=covered,
        bac=money(Decimal(bac)),
        pv=money(Decimal(pv)),
        ev=money(Decimal(ev)),
        ac=money(Decimal(ac)),
    )


def contributions(programme_id: int, day: date) -> list[Contribution]:
    """Each project's figures on the day, its latest board and assurance DCA beside them:
    one statement."""
    members = members_on(programme_id, day)
    ids = select(members.c.project_id)
    latest = _latest_checkpoints(ids, day)
    board = _latest_dca(ids, assurance=False)
    assurance = _latest_dca(ids, assurance=True)
    rows = db.session.execute(
        select(
            Project.id,
            Project.code,
            Project.name,
            Project.delivery_method,
            Project.status,
            members.c.programme_id,
            latest.c.taken_on,
            latest.c.bac,
            latest.c.pv,
            latest.c.ev,
            latest.c.ac,
            latest.c.cpi,
            latest.c.spi,
            board.c.rating,
            assurance.c.rating,
        )
        .select_from(members)
        .join(Project, Project.id == members.c.project_id)
        .outerjoin(latest, latest.c.project_id == Project.id)
        .outerjoin(board, board.c.project_id == Project.id)
        .outerjoin(assurance, assurance.c.project_id == Project.id)
        .order_by(Project.code)
    ).all()
    return [Contribution(*row) for row in rows]


def with_shares(rows: list[Contribution], total: rules.Rollup) -> list[Contribution]:
    from dataclasses import replace

    return [replace(r, ev_share=rules.share(r.ev, total.ev)) for r in rows]


def missing_from(rows: list[Contribution]) -> list[Contribution]:
    return [r for r in rows if r.taken_on is None]


# --------------------------------------------------------------------------------------
# Method comparison within the programme
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MethodRow:
    method: str | None
    projects: int
    covered: int
    pv: Decimal
    ev: Decimal
    ac: Decimal

    @property
    def cpi(self) -> Decimal | None:
        return None if not self.ac else (self.ev / self.ac).quantize(rules.INDEX_PLACES)

    @property
    def spi(self) -> Decimal | None:
        return None if not self.pv else (self.ev / self.pv).quantize(rules.INDEX_PLACES)


def methods(programme_id: int, day: date) -> list[MethodRow]:
    """Delivery by method within the programme, each with n (projects and those with a
    checkpoint) and indices computed from each group's sums."""
    members = members_on(programme_id, day)
    latest = _latest_checkpoints(select(members.c.project_id), day)
    rows = db.session.execute(
        select(
            Project.delivery_method,
            func.count(Project.id),
            func.count(latest.c.project_id),
            func.coalesce(func.sum(latest.c.pv), ZERO),
            func.coalesce(func.sum(latest.c.ev), ZERO),
            func.coalesce(func.sum(latest.c.ac), ZERO),
        )
        .select_from(members)
        .join(Project, Project.id == members.c.project_id)
        .outerjoin(latest, latest.c.project_id == Project.id)
        .group_by(Project.delivery_method)
        .order_by(Project.delivery_method)
    ).all()
    return [
        MethodRow(m, n, c, money(Decimal(pv)), money(Decimal(ev)), money(Decimal(ac)))
        for m, n, c, pv, ev, ac in rows
    ]


# --------------------------------------------------------------------------------------
# Risks escalated to the programme, dependencies
# --------------------------------------------------------------------------------------


def escalated_risks(programme_id: int, day: date, limit: int = 50) -> list:
    """The risks and issues the programme's projects escalated (awaiting an answer first)."""
    members = members_on(programme_id, day)
    return db.session.execute(
        select(
            Escalation.id,
            Escalation.status,
            Escalation.reason,
            Escalation.escalated_at,
            Project.id.label("project_id"),
            Project.code,
            Risk.id.label("risk_id"),
            Risk.title,
            (Risk.likelihood * Risk.impact).label("score"),
        )
        .join(Project, Project.id == Escalation.project_id)
        .join(Risk, Risk.id == Escalation.risk_id)
        .where(Escalation.project_id.in_(select(members.c.project_id)))
        .order_by(
            case((Escalation.status == EscalationStatus.AWAITING, 0), else_=1),
            desc(Risk.likelihood * Risk.impact),
            Escalation.id,
        )
        .limit(limit)
    ).all()


@dataclass(frozen=True)
class DependencyRow:
    id: int
    project_id: int
    project_code: str
    on_project_id: int | None
    on_code: str | None
    external_party: str
    what: str
    needed_by: date
    on_finish: date | None
    acknowledged: bool
    at_risk: bool
    inside: bool


def dependencies(programme_id: int, day: date, limit: int = 500) -> list[DependencyRow]:
    """Every dependency of or on the programme's projects, the ones at risk first (the
    other project now finishes after the date needed, or was stopped)."""
    members = members_on(programme_id, day)
    ids = select(members.c.project_id)
    other = aliased(Project)
    at_risk = and_(
        Dependency.on_project_id.is_not(None),
        or_(
            other.status == ProjectStatus.CLOSED_EARLY, other.planned_finish > Dependency.needed_by
        ),
    )
    inside = and_(Dependency.project_id.in_(ids), Dependency.on_project_id.in_(ids))
    rows = db.session.execute(
        select(
            Dependency.id,
            Dependency.project_id,
            Project.code,
            Dependency.on_project_id,
            other.code,
            Dependency.external_party,
            Dependency.what,
            Dependency.needed_by,
            other.planned_finish,
            Dependency.acknowledged_at.is_not(None),
            case((at_risk, literal(True)), else_=literal(False)),
            case((inside, literal(True)), else_=literal(False)),
        )
        .join(Project, Project.id == Dependency.project_id)
        .outerjoin(other, other.id == Dependency.on_project_id)
        .where(or_(Dependency.project_id.in_(ids), Dependency.on_project_id.in_(ids)))
        .order_by(case((at_risk, 0), else_=1), Dependency.needed_by, Dependency.id)
        .limit(limit)
    ).all()
    return [
        DependencyRow(*(bool(v) if i in (9, 10, 11) else v for i, v in enumerate(r))) for r in rows
    ]


# --------------------------------------------------------------------------------------
# Programme page pieces
# --------------------------------------------------------------------------------------


def board(programme_id: int) -> list[ProgrammeRoleHolder]:
    return list(
        db.session.scalars(
            select(ProgrammeRoleHolder)
            .where(ProgrammeRoleHolder.programme_id == programme_id)
            .order_by(ProgrammeRoleHolder.role, ProgrammeRoleHolder.id)
        )
    )


def children(programme_id: int) -> list[Programme]:
    return list(
        db.session.scalars(
            select(Programme).where(Programme.parent_id == programme_id).order_by(Programme.code)
        )
    )


def history(programme_id: int, limit: int = 50) -> list[ProgrammeProject]:
    """Projects that joined or left the programme, newest first."""
    return list(
        db.session.scalars(
            select(ProgrammeProject)
            .where(ProgrammeProject.programme_id == programme_id)
            .order_by(desc(ProgrammeProject.from_on), desc(ProgrammeProject.id))
            .limit(limit)
        )
    )


def partners(programme_id: int) -> list[ProgrammePartner]:
    return list(
        db.session.scalars(
            select(ProgrammePartner)
            .join(Organisation, Organisation.id == ProgrammePartner.organisation_id)
            .where(ProgrammePartner.programme_id == programme_id)
            .order_by(Organisation.name)
        )
    )


def pledges(programme_id: int) -> list[PartnerPledge]:
    return list(
        db.session.scalars(
            select(PartnerPledge)
            .where(PartnerPledge.programme_id == programme_id)
            .order_by(
                PartnerPledge.kind, PartnerPledge.status, PartnerPledge.due_on, PartnerPledge.id
            )
        )
    )


def health(programme_id: int) -> dict:
    """Every rating: {rated_on: {organisation_id: {condition: score}}}, newest day first."""
    found: dict = {}
    for rated_on, org_id, condition, score in db.session.execute(
        select(
            PartnershipRating.rated_on,
            PartnershipRating.organisation_id,
            PartnershipRating.condition,
            PartnershipRating.score,
        )
        .where(PartnershipRating.programme_id == programme_id)
        .order_by(desc(PartnershipRating.rated_on))
    ):
        found.setdefault(rated_on, {}).setdefault(org_id, {})[condition] = score
    return found


def gates(programme_id: int) -> list[ProgrammeGate]:
    return list(
        db.session.scalars(
            select(ProgrammeGate)
            .where(ProgrammeGate.programme_id == programme_id)
            .order_by(desc(ProgrammeGate.requested_at), desc(ProgrammeGate.id))
        )
    )


def forecast_slip_days(programme: Programme, day: date) -> int | None:
    """Days the programme's latest-finishing project now ends after the programme's planned
    finish (None when the programme has no planned finish or no projects)."""
    if programme.planned_finish is None:
        return None
    members = members_on(programme.id, day)
    last = db.session.scalar(
        select(func.max(Project.planned_finish)).where(Project.id.in_(select(members.c.project_id)))
    )
    if last is None:
        return None
    return max(0, (last - programme.planned_finish).days)


# --------------------------------------------------------------------------------------
# Lists: programmes, portfolios
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeLine:
    id: int
    code: str
    name: str
    parent_id: int | None
    portfolio_id: int
    portfolio: str
    projects: int
    covered: int
    pv: Decimal
    ev: Decimal
    ac: Decimal
    depth: int = 0

    @property
    def cpi(self) -> Decimal | None:
        return None if not self.ac else (self.ev / self.ac).quantize(rules.INDEX_PLACES)

    @property
    def spi(self) -> Decimal | None:
        return None if not self.pv else (self.ev / self.pv).quantize(rules.INDEX_PLACES)


def programme_lines(day: date, *, portfolio_id: int | None = None, only: set[int] | None = None):
    """Every programme with the figures of its own projects (not its sub-programmes'),
    grouped in one statement: the portfolio page and the programme list."""
    current = (
        select(ProgrammeProject.programme_id, ProgrammeProject.project_id)
        .where(
            ProgrammeProject.from_on <= day,
            or_(ProgrammeProject.to_on.is_(None), ProgrammeProject.to_on > day),
        )
        .subquery()
    )
    latest = _latest_checkpoints(select(current.c.project_id), day)
    statement: Select = (
        select(
            Programme.id,
            Programme.code,
            Programme.name,
            Programme.parent_id,
            Programme.portfolio_id,
            Portfolio.name,
            func.count(current.c.project_id),
            func.count(latest.c.project_id),
            func.coalesce(func.sum(latest.c.pv), ZERO),
            func.coalesce(func.sum(latest.c.ev), ZERO),
            func.coalesce(func.sum(latest.c.ac), ZERO),
        )
        .join(Portfolio, Portfolio.id == Programme.portfolio_id)
        .outerjoin(current, current.c.programme_id == Programme.id)
        .outerjoin(latest, latest.c.project_id == current.c.project_id)
        .group_by(
            Programme.id,
            Programme.code,
            Programme.name,
            Programme.parent_id,
            Programme.portfolio_id,
            Portfolio.name,
        )
        .order_by(Portfolio.name, Programme.code)
    )
    if portfolio_id is not None:
        statement = statement.where(Programme.portfolio_id == portfolio_id)
    if only is not None:
        statement = statement.where(Programme.id.in_(only or {-1}))
    lines = [
        ProgrammeLine(
            i,
            c,
            n,
            p,
            pf,
            pfn,
            projects,
            covered,
            money(Decimal(pv)),
            money(Decimal(ev)),
            money(Decimal(ac)),
        )
        for i, c, n, p, pf, pfn, projects, covered, pv, ev, ac in db.session.execute(statement)
    ]
    return _as_tree(lines)


def _as_tree(lines: list[ProgrammeLine]) -> list[ProgrammeLine]:
    """Parents before their sub-programmes, each indented by its depth."""
    from dataclasses import replace

    by_parent: dict[int | None, list[ProgrammeLine]] = {}
    ids = {line.id for line in lines}
    for line in lines:
        parent = line.parent_id if line.parent_id in ids else None
        by_parent.setdefault(parent, []).append(line)
    ordered: list[ProgrammeLine] = []

    def walk(parent: int | None, depth: int) -> None:
        for line in by_parent.get(parent, []):
            ordered.append(replace(line, depth=depth))
            if depth < rules.MAX_DEPTH:
                walk(line.id, depth + 1)

    walk(None, 0)
    return ordered


def portfolios() -> list[Portfolio]:
    return list(db.session.scalars(select(Portfolio).order_by(Portfolio.name)))


def programme_choices(portfolio_id: int | None = None) -> list[tuple[int, str]]:
    statement = select(Programme.id, Programme.code, Programme.name).order_by(Programme.code)
    if portfolio_id is not None:
        statement = statement.where(Programme.portfolio_id == portfolio_id)
    return [(i, f"{c} {n}") for i, c, n in db.session.execute(statement)]


def project_programme(project_id: int):
    """The programme a project is in today, with its code (or None)."""
    return db.session.execute(
        select(Programme.id, Programme.code, Programme.name)
        .join(ProgrammeProject, ProgrammeProject.programme_id == Programme.id)
        .where(ProgrammeProject.project_id == project_id, ProgrammeProject.to_on.is_(None))
    ).first()


def openable_projects(user, project_ids: list[int]) -> set[int]:
    """Which of these projects the person may open (PMO: all; else those they are on)."""
    if getattr(user, "is_pmo", False):
        return set(project_ids)
    if not project_ids:
        return set()
    from tracker.projects.models import ProjectMembership

    return set(
        db.session.scalars(
            select(ProjectMembership.project_id)
            .where(
                ProjectMembership.user_id == user.id,
                ProjectMembership.project_id.in_(project_ids),
            )
            .distinct()
        )
    )


def portfolio_rollup(portfolio_id: int, day: date) -> rules.Rollup:
    """The portfolio's summed figures on the day over every project in any of its
    programmes: one aggregate statement."""
    members = (
        select(ProgrammeProject.project_id.label("project_id"))
        .join(Programme, Programme.id == ProgrammeProject.programme_id)
        .where(
            Programme.portfolio_id == portfolio_id,
            ProgrammeProject.from_on <= day,
            or_(ProgrammeProject.to_on.is_(None), ProgrammeProject.to_on > day),
        )
        .subquery("members")
    )
    return _summed(members, day)


def latest_highlights(programme_id: int, day: date) -> list:
    """Each project's latest highlight report (one statement), by project code."""
    from tracker.stages.models import HighlightReport

    members = members_on(programme_id, day)
    ranked = (
        select(
            HighlightReport.project_id,
            HighlightReport.period_start,
            HighlightReport.period_end,
            HighlightReport.overall_status,
            HighlightReport.this_period,
            HighlightReport.next_period,
            HighlightReport.issues_and_risks,
            func.row_number()
            .over(
                partition_by=HighlightReport.project_id,
                order_by=[desc(HighlightReport.reported_at), desc(HighlightReport.id)],
            )
            .label("rn"),
        )
        .where(HighlightReport.project_id.in_(select(members.c.project_id)))
        .subquery()
    )
    return db.session.execute(
        select(Project.code, Project.name, ranked)
        .join(Project, Project.id == ranked.c.project_id)
        .where(ranked.c.rn == 1)
        .order_by(Project.code)
    ).all()


def filter_choices() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The portfolios and programmes to filter the portfolio pages by: one statement."""
    portfolios: dict[int, str] = {}
    programmes: list[tuple[int, str]] = []
    for portfolio_id, portfolio, programme_id, code, name in db.session.execute(
        select(Portfolio.id, Portfolio.name, Programme.id, Programme.code, Programme.name)
        .outerjoin(Programme, Programme.portfolio_id == Portfolio.id)
        .order_by(Portfolio.name, Programme.code)
    ):
        portfolios[portfolio_id] = portfolio
        if programme_id is not None:
            programmes.append((programme_id, f"{code} {name}"))
    return list(portfolios.items()), sorted(programmes, key=lambda item: item[1])


def own_risks(programme_id: int) -> list[ProgrammeRisk]:
    """The programme's own risks, open ones first, by score."""
    return list(
        db.session.scalars(
            select(ProgrammeRisk)
            .where(ProgrammeRisk.programme_id == programme_id)
            .order_by(
                desc(ProgrammeRisk.status == "open"),
                desc(ProgrammeRisk.likelihood * ProgrammeRisk.impact),
                ProgrammeRisk.id,
            )
            .limit(100)
        )
    )


def board_confidence(programme_id: int) -> list[ProgrammeConfidence]:
    """Each programme board member's latest DCA of the programme (one statement)."""
    ranked = (
        select(
            ProgrammeConfidence.id,
            func.row_number()
            .over(
                partition_by=ProgrammeConfidence.assessed_by_id,
                order_by=[desc(ProgrammeConfidence.assessed_at), desc(ProgrammeConfidence.id)],
            )
            .label("rn"),
        )
        .where(ProgrammeConfidence.programme_id == programme_id)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(ProgrammeConfidence)
            .join(ranked, ranked.c.id == ProgrammeConfidence.id)
            .where(ranked.c.rn == 1)
            .order_by(ProgrammeConfidence.assessed_at.desc())
        )
    )


@dataclass(frozen=True)
class BenefitSummary:
    """The benefits of the programme's projects (its sub-programmes' too) on a day: a
    programme's benefits are its projects' (it keeps no register of its own)."""

    projects: int
    without: int
    planned: int
    reviewed: int
    realised: int
    planned_cash: Decimal
    realised_cash: Decimal


def benefit_summary(programme_id: int, day: date) -> BenefitSummary:
    """One statement: the projects in the programme on ``day`` joined to their benefit
    figures (benefits only, not dis-benefits), summed."""
    members = members_on(programme_id, day)
    per = benefit_queries.per_project()
    has_benefits = func.coalesce(per.c.planned, 0) > 0
    row = db.session.execute(
        select(
            func.count(func.distinct(members.c.project_id)),
            func.count(func.distinct(case((has_benefits, members.c.project_id)))),
            func.coalesce(func.sum(per.c.planned), 0),
            func.coalesce(func.sum(per.c.reviewed), 0),
            func.coalesce(func.sum(per.c.realised), 0),
            func.coalesce(func.sum(per.c.planned_cash), 0),
            func.coalesce(func.sum(per.c.realised_cash), 0),
        )
        .select_from(members)
        .outerjoin(per, per.c.project_id == members.c.project_id)
    ).one()
    projects, with_benefits, planned, reviewed, realised, planned_cash, realised_cash = row
    return BenefitSummary(
        projects=int(projects),
        without=int(projects) - int(with_benefits),
        planned=int(planned),
        reviewed=int(reviewed),
        realised=int(realised),
        planned_cash=Decimal(str(planned_cash)),
        realised_cash=Decimal(str(realised_cash)),
    )
