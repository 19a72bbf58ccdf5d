"""Every benchmarked page issues a fixed number of SQL queries (at most 15), whatever the
size of the portfolio: the count is the same with a few projects and with many more."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, update

from tracker.auth.models import User
from tracker.benefits.models import Benefit
from tracker.business_cases.models import BusinessCaseVersion
from tracker.changes.models import ChangeRequest
from tracker.demo import national
from tracker.extensions import cache
from tracker.frameworks.models import GovernanceFramework
from tracker.programmes.models import Programme, ProgrammeProject, ProgrammeRoleHolder
from tracker.projects.models import Project, ProjectMembership
from tracker.proposals.models import Proposal
from tracker.registers.models import Assumption, Dependency, Escalation, Issue, Risk
from tracker.stages.models import GateReview
from tracker.worklog.models import TimeEntry

MAX_QUERIES = 15


def _pick(db) -> tuple[dict, dict]:
    def first(method):
        return db.session.scalar(
            select(func.min(Project.id)).where(
                Project.code.like("NAT-%"),
                Project.delivery_method == method,
                Project.status == "active",
            )
        )

    def member(project_id, role):
        return db.session.scalar(
            select(func.min(ProjectMembership.user_id)).where(
                ProjectMembership.project_id == project_id, ProjectMembership.role == role
            )
        )

    staged, agile = first("stage_gated"), first("agile")
    pending = db.session.scalar(
        select(func.min(GateReview.project_id)).where(GateReview.status == "pending")
    )
    gate = db.session.scalar(
        select(func.min(GateReview.id)).where(
            GateReview.project_id == pending, GateReview.status == "pending"
        )
    )
    risk = db.session.scalar(select(func.min(Risk.id)).where(Risk.project_id == staged))

    def first_of(model) -> int:
        return db.session.scalar(select(func.min(model.id)).where(model.project_id == staged))

    issue, change = first_of(Issue), first_of(ChangeRequest)
    assumption, dependency = first_of(Assumption), first_of(Dependency)
    escalation = db.session.scalar(select(func.min(Escalation.id)))
    escalated = db.session.get(Escalation, escalation).project_id
    benefit = db.session.scalar(select(func.min(Benefit.id)).where(Benefit.project_id == staged))
    case = db.session.scalar(
        select(func.max(BusinessCaseVersion.number)).where(BusinessCaseVersion.project_id == staged)
    )
    team = member(staged, "team_member")
    last = db.session.scalar(
        select(func.max(TimeEntry.work_date)).where(TimeEntry.person_id == team)
    )
    pmo = User(email="pmo@example.gov.uk", name="PMO analyst", global_role="pmo", password_hash="x")
    db.session.add(pmo)
    db.session.commit()
    programme, portfolio = db.session.execute(
        select(Programme.id, Programme.portfolio_id).where(Programme.code == "NAT-PRG-001")
    ).one()
    people = {
        "programme_board": db.session.get(
            User,
            db.session.scalar(
                select(ProgrammeRoleHolder.user_id).where(
                    ProgrammeRoleHolder.programme_id == programme,
                    ProgrammeRoleHolder.role == "sro",
                )
            ),
        ),
        "pmo": pmo,
        "manager": db.session.get(User, member(staged, "project_manager")),
        "agile_manager": db.session.get(User, member(agile, "project_manager")),
        "approver": db.session.get(User, member(pending or staged, "executive")),
        "team": db.session.get(User, team),
    }
    week = (last - timedelta(days=last.weekday())).isoformat()
    proposals = list(
        db.session.scalars(
            select(Proposal.id).where(Proposal.status == "submitted").order_by(Proposal.id).limit(2)
        )
    )
    framework = db.session.scalar(
        select(GovernanceFramework.id).where(GovernanceFramework.is_default.is_(True))
    )
    pages = {
        "project list": ("pmo", "/projects/"),
        "project overview": ("manager", f"/projects/{staged}"),
        # The overview keeps its page until the project changes: count a first view too.
        "project overview, not cached": ("manager", f"/projects/{staged}", "cold"),
        "budget, stage-gated": ("manager", f"/projects/{staged}/budget"),
        "budget, agile": ("agile_manager", f"/projects/{agile}/budget"),
        "approver inbox": ("approver", "/decisions"),
        "my work, board member": ("approver", "/my-work"),
        "my work, team member": ("team", "/my-work"),
        "people picker search": ("manager", "/people/search?q=na"),
        "gate review, for the board": ("approver", f"/projects/{pending}/gates/{gate}"),
        "gate evidence, for the board": (
            "approver",
            f"/projects/{pending}/gates/{gate}/evidence",
        ),
        "board pack, rendered now": ("approver", f"/projects/{pending}/gates/{gate}/pack"),
        "conditions of a project": ("manager", f"/projects/{staged}/conditions"),
        "delivery confidence of a project": ("manager", f"/projects/{staged}/confidence"),
        "boards across the portfolio": ("pmo", "/portfolio/board"),
        "documents of a project": ("manager", f"/projects/{staged}/documents"),
        "weekly timesheet": ("team", f"/timesheet?week={week}"),
        "risk register": ("manager", f"/projects/{staged}/risks"),
        "a risk, with its history": ("manager", f"/projects/{staged}/risks/{risk}"),
        "issue register": ("manager", f"/projects/{staged}/issues"),
        "an issue": ("manager", f"/projects/{staged}/issues/{issue}"),
        "an escalation": ("pmo", f"/projects/{escalated}/escalations/{escalation}"),
        "a change request": ("manager", f"/projects/{staged}/change-requests/{change}"),
        "change an assumption": ("manager", f"/projects/{staged}/assumptions/{assumption}/edit"),
        "change a dependency": ("manager", f"/projects/{staged}/dependencies/{dependency}/edit"),
        "escalations, for the PMO": ("pmo", "/projects/escalations"),
        "assumptions and dependencies": (
            "manager",
            f"/projects/{staged}/assumptions-and-dependencies",
        ),
        "change control": ("manager", f"/projects/{staged}/change-requests"),
        "lessons log": ("manager", f"/projects/{staged}/lessons"),
        "lessons library": ("pmo", "/lessons?q=a&method=agile"),
        "risks and escalations across the portfolio": ("pmo", "/portfolio/registers"),
        "benefits register": ("manager", f"/projects/{staged}/benefits"),
        "a benefit, with its measurements": (
            "manager",
            f"/projects/{staged}/benefits/{benefit}",
        ),
        "benefits across the portfolio": ("pmo", "/portfolio/benefits"),
        "governance frameworks": ("pmo", "/frameworks/"),
        "governance framework": ("pmo", f"/frameworks/{framework}"),
        "a project's framework and checklists": ("manager", f"/projects/{staged}/framework"),
        "phases, agile project": ("agile_manager", f"/projects/{agile}/phases"),
        "releases, agile project": ("agile_manager", f"/projects/{agile}/releases"),
        "closure, agile project": ("agile_manager", f"/projects/{agile}/closure"),
        "business case versions": ("manager", f"/projects/{staged}/business-case"),
        "a business case version": (
            "manager",
            f"/projects/{staged}/business-case/versions/{case}",
        ),
        "what changed in a business case version": (
            "manager",
            f"/projects/{staged}/business-case/versions/{case}/changes",
        ),
        "switching method, agile project": ("agile_manager", f"/projects/{agile}/method-switch"),
        "PMO dashboard": ("pmo", "/portfolio/"),
        "proposals pipeline": ("pmo", "/proposals/pipeline"),
        "proposals pipeline, filtered": ("pmo", "/proposals/pipeline?stage=scored"),
        "a proposal": ("pmo", f"/proposals/{proposals[0]}"),
        "proposals side by side": (
            "pmo",
            f"/proposals/compare?ids={proposals[0]}&ids={proposals[1]}",
        ),
        "programme page": ("pmo", f"/programmes/{programme}"),
        "programme page, its board": ("programme_board", f"/programmes/{programme}"),
        "programme dependencies": ("pmo", f"/programmes/{programme}/dependencies"),
        "methods within a programme": ("pmo", f"/programmes/{programme}/methods"),
        "programme highlight report": ("pmo", f"/programmes/{programme}/highlight"),
        "portfolio of programmes": ("pmo", f"/portfolios/{portfolio}"),
        "portfolio table by programme": ("pmo", f"/portfolio/projects?programme={programme}"),
        "organisation and its people": (
            "pmo",
            f"/organisations/{db.session.get(Project, staged).lead_organisation_id}",
        ),
        "PMO dashboard, filtered": ("pmo", "/portfolio/?method=agile&status=active"),
        # The dashboard keeps its figures until the portfolio changes: count a first view.
        "PMO dashboard, figures not cached": ("pmo", "/portfolio/", "cold"),
        "PMO dashboard, filtered, not cached": (
            "pmo",
            "/portfolio/?method=agile&status=active",
            "cold",
        ),
        "evidence by zone and method": ("pmo", "/evidence/"),
        "evidence by criticality band": ("pmo", "/evidence/?grouping=band_criticality"),
        "calibration of the method model": ("pmo", "/evidence/calibration"),
    }
    return people, pages


def _grow_the_first_programme(db) -> None:
    """The second generation's projects join the first programme (and its programmes the
    first portfolio), so the programme and portfolio pages are counted small and large."""
    first, portfolio = db.session.execute(
        select(Programme.id, Programme.portfolio_id).where(Programme.code == "NAT-PRG-001")
    ).one()
    later = select(Programme.id).where(Programme.code > "NAT-PRG-002")
    db.session.execute(
        update(ProgrammeProject)
        .where(ProgrammeProject.programme_id.in_(later))
        .values(programme_id=first)
    )
    db.session.execute(
        update(Programme).where(Programme.id.in_(later)).values(portfolio_id=portfolio)
    )


def _counts(db, client, login, people, pages) -> dict[str, int]:
    counts = {}
    statements: list[str] = []

    def count(connection, cursor, statement, *args):
        if statement != "BEGIN":
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for name, (who, url, *cold) in pages.items():
            login(people[who])
            client.get(url)  # the first request of a session loads what later ones reuse
            if cold:
                cache.clear()
            # As in production, where each request's session starts empty: what the test's
            # shared session happens to hold must not save queries.
            db.session.expunge_all()
            statements.clear()
            response = client.get(url)
            assert response.status_code == 200, (name, response.status_code)
            counts[name] = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return counts


@pytest.mark.parametrize("more", [25])
def test_key_pages_issue_the_same_few_queries_at_any_scale(db, client, login, more):
    national.generate(12, password_hash="not-a-real-hash", seed=5)
    db.session.commit()
    people, pages = _pick(db)
    small = _counts(db, client, login, people, pages)
    national.generate(more, password_hash="not-a-real-hash", seed=6)
    _grow_the_first_programme(db)
    db.session.commit()
    large = _counts(db, client, login, people, pages)
    assert large == small
    assert max(small.values()) <= MAX_QUERIES, {k: v for k, v in small.items() if v > MAX_QUERIES}
