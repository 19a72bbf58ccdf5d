"""Notifications sent the moment something happens (called from the domain services, in
their transaction: if the change rolls back, so does the notification and its email)."""

from __future__ import annotations

from collections.abc import Iterable

from tracker.auth.models import User
from tracker.extensions import db
from tracker.notifications.services import notify, notify_all, path_for
from tracker.projects.access import team
from tracker.projects.models import Project
from tracker.projects.rules import BOARD_ROLES, PROJECT_ROLES


def holders(project_id: int, roles: Iterable[str]) -> list[User]:
    """Active people holding any of ``roles`` on the project, each once, by name."""
    return team(project_id).holders(roles)


def gate_requested(gate) -> int:
    """Tell each approver the gate needs their decision."""
    project = db.session.get(Project, gate.project_id)
    roles = " or ".join(PROJECT_ROLES.get(role, role) for role in gate.roles)
    return notify_all(
        holders(gate.project_id, gate.roles),
        "gate_requested",
        f"{project.code}: a gate review needs your decision",
        f"{gate.requested_by.name} asked the board for a gate decision on {project.code} "
        f"{project.name}. Decide as {roles}.",
        link=path_for("stages.show_gate", project_id=gate.project_id, gate_id=gate.id),
        project_id=gate.project_id,
    )


def gate_resolved(gate) -> int:
    """Tell the project manager how the gate ended."""
    project = db.session.get(Project, gate.project_id)
    outcome = (gate.outcome_note or gate.status.replace("_", " ")).strip()
    managers = holders(gate.project_id, ["project_manager"])
    for manager in managers:
        notify(
            manager,
            "gate_resolved",
            f"{project.code}: the gate review has been decided",
            f"The board decided the gate review on {project.code} {project.name}: {outcome}",
            link=path_for("stages.show_gate", project_id=gate.project_id, gate_id=gate.id),
            project_id=gate.project_id,
        )
    return len(managers)


def highlight_sent(report, project: Project) -> int:
    """Tell the board a highlight report has been sent (once: when it is sent)."""
    return notify_all(
        holders(project.id, BOARD_ROLES),
        "highlight_sent",
        f"{project.code}: a highlight report has been sent",
        f"{report.reported_by.name} sent the highlight report on {project.code} {project.name} "
        f"for {report.period_start:%d/%m/%Y} to {report.period_end:%d/%m/%Y}: overall "
        f"{report.overall_status}.",
        link=path_for("stages.show_highlight", project_id=project.id, report_id=report.id),
        project_id=project.id,
    )


def exception_raised(report, project: Project) -> int:
    """Tell the board members who decide it that an exception report waits for them."""
    return notify_all(
        holders(project.id, report.roles),
        "exception_raised",
        f"{project.code}: an exception report needs the board",
        f"A stage of {project.code} {project.name} is forecast to breach its tolerance; the "
        "exception report waits for the board's decision.",
        link=path_for("stages.show_exception", project_id=project.id, report_id=report.id),
        project_id=project.id,
    )


def start_authorised(project: Project, executive: User) -> int:
    """Tell the project manager the Executive has authorised the start: the agile
    project's start gate, so it comes as a gate decision."""
    managers = holders(project.id, ["project_manager"])
    for manager in managers:
        notify(
            manager,
            "gate_resolved",
            f"{project.code}: the Executive authorised the start",
            f"{executive.name} authorised the start of {project.code} {project.name}: the "
            "project is active and its iterations can start.",
            link=path_for("projects.show_project", project_id=project.id),
            project_id=project.id,
        )
    return len(managers)
