"""Who may do what in a project's iterations. Everyone on the project reads; the project
manager (or PMO) plans and closes iterations; the team works the backlog and logs feedback;
customer representatives add feedback."""

from __future__ import annotations

from tracker.projects.access import can_manage, has_role
from tracker.projects.models import Project


def can_plan(user, project: Project) -> bool:
    return can_manage(user, project)


def can_work(user, project: Project) -> bool:
    return can_manage(user, project) or has_role(user, project, "team_member")


def can_give_feedback(user, project: Project) -> bool:
    return can_work(user, project) or has_role(user, project, "customer_rep")


def can_close(user, project: Project) -> bool:
    """Only the Executive decides to close a project without stages (the board directs)."""
    return has_role(user, project, "executive")


def permissions(user, project: Project) -> dict[str, bool]:
    return {
        "can_close": can_close(user, project),
        "can_plan": can_plan(user, project),
        "can_work": can_work(user, project),
        "can_give_feedback": can_give_feedback(user, project),
    }
