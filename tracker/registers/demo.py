"""Demo registers: a realistic risk and issue register on every demo project, through the
services (so the history, the audit trail and the escalations are the real ones). One high
risk on the adult social care project is scored past every tier's threshold: it waits in
its board's inbox. Every project has an assumption to confirm; the homelessness project
depends on the care project's shared records interface, which the care project's manager
has acknowledged and which is at risk (the care project finishes after the date needed). A
project whose register already has hand-raised risks is left alone."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tracker.auth.models import User
from tracker.extensions import db
from tracker.projects.access import team
from tracker.projects.models import Project
from tracker.projects.rules import FINISHED_STATUSES
from tracker.registers import services
from tracker.registers.models import Dependency, Risk

# (title, kind, category, cause, event, effect, likelihood, impact, response)
RISKS = (
    (
        "Partner council withdraws its funding share",
        "threat",
        "economic",
        "The partner's medium-term financial plan is under review",
        "Its cabinet withdraws the 30% share",
        "The later stages are unfunded",
        2,
        5,
        "share",
    ),
    (
        "Data-sharing agreement not signed in time",
        "threat",
        "legal",
        "Three legal teams must agree the wording",
        "The agreement is not signed before build starts",
        "Migration of live records is delayed",
        3,
        3,
        "reduce",
    ),
    (
        "Staff resist the new process",
        "threat",
        "organisational",
        "The change alters long-standing roles",
        "Teams keep the old workarounds",
        "Benefits arrive late",
        3,
        2,
        "reduce",
    ),
    (
        "Neighbouring council wants to share the platform",
        "opportunity",
        "political",
        "A neighbouring council has the same problem",
        "It joins as a paying partner",
        "Running costs fall for both",
        2,
        3,
        "exploit",
    ),
)
# The escalated one, on ASC-2026-01: 5 x 4 = 20 reaches every tier's threshold.
ESCALATED = (
    "Care provider market cannot absorb the new tariff",
    "threat",
    "economic",
    "Providers' costs rose 11% this year",
    "Two large providers hand back contracts",
    "Packages of care must be re-tendered during go-live",
    5,
    4,
    "reduce",
)
ISSUES = (
    ("request_for_change", "Add Welsh-language forms", "high", 3),
    ("concern", "Unclear ownership of the shared data", "medium", 2),
)


def _risk(project: Project, manager: User, spec) -> Risk:
    title, kind, category, cause, event, effect, likelihood, impact, response = spec
    return services.create_risk(
        project,
        services.RiskData(
            title=title,
            owner_id=manager.id,
            kind=kind,
            category=category,
            cause=cause,
            event=event,
            effect=effect,
            likelihood=likelihood,
            impact=impact,
            response=response,
            target_likelihood=max(1, likelihood - 1),
            target_impact=impact,
        ),
        actor=manager,
    )


def load(projects_by_code: dict[str, Project], people: dict[str, User]) -> None:
    kept = set(
        db.session.scalars(select(Risk.project_id).where(Risk.source == "register").distinct())
    )
    for code, project in sorted(projects_by_code.items()):
        if project.id in kept or project.status in FINISHED_STATUSES:
            continue
        managers = team(project.id).holders(["project_manager"])
        if not managers:
            continue
        manager = managers[0]
        for spec in RISKS:
            _risk(project, manager, spec)
        if code == "ASC-2026-01":
            _risk(project, manager, ESCALATED)
        for kind, title, priority, severity in ISSUES:
            services.create_issue(
                project,
                services.IssueData(kind, title, manager.id, priority, severity),
                actor=manager,
            )
        services.create_assumption(
            project,
            "Partner organisations keep their staff on the project until it closes",
            manager.id,
            min(project.planned_finish, date(2027, 3, 31)),
            actor=manager,
        )
    _dependency(projects_by_code)
    db.session.flush()


def _dependency(projects_by_code: dict[str, Project]) -> None:
    dependent, provider = projects_by_code.get("HOM-2026-02"), projects_by_code.get("ASC-2026-01")
    if dependent is None or provider is None:
        return
    if db.session.scalar(select(Dependency.id).where(Dependency.project_id == dependent.id)):
        return
    manager = team(dependent.id).holders(["project_manager"])[0]
    dependency = services.create_dependency(
        dependent,
        services.DependencyData(
            "project",
            "The shared care records interface, to see a household's care package",
            date(2027, 6, 30),
            provider.id,
        ),
        actor=manager,
    )
    provider_manager = team(provider.id).holders(["project_manager"])[0]
    services.acknowledge_dependency(dependency, version=None, actor=provider_manager)
