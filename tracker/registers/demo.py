"""Demo registers: a realistic risk and issue register on every demo project, through the
services (so the history, the audit trail and the escalations are the real ones). One high
risk on the adult social care project is scored past every tier's threshold: it waits in
its board's inbox. A project whose register already has hand-raised risks is left alone."""

from __future__ import annotations

from sqlalchemy import select

from tracker.auth.models import User
from tracker.extensions import db
from tracker.projects.access import team
from tracker.projects.models import Project
from tracker.projects.rules import FINISHED_STATUSES
from tracker.registers import services
from tracker.registers.models import Risk

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
    db.session.flush()
