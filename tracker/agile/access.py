"""Who may do what in a project's iterations. Everyone on the project reads; the project
manager (or PMO) plans and closes iterations; the team works the backlog and logs feedback;
customer representatives add feedback; the Executive (the board) authorises an agile
project's start and closes it."""

from __future__ import annotations

from tracker.projects.access import can_manage, has_role, project_roles
from tracker.projects.models import Project


def can_plan(user, project: Project) -> bool:
    return can_manage(user, project)


def can_work(user, project: Project) -> bool:
    return can_manage(user, project) or has_role(user, project, "team_member")


def can_prioritise(user, project: Project) -> bool:
    """The backlog's order and MoSCoW labels are the product owner's: the tracker has no
    such role, so it is the project manager (or PMO), who answers to the board for what
    the team builds first."""
    return can_plan(user, project)


def can_give_feedback(user, project: Project) -> bool:
    return can_work(user, project) or has_role(user, project, "customer_rep")


def can_close(user, project: Project) -> bool:
    """Only the Executive decides to close a project without stages (the board directs)."""
    return has_role(user, project, "executive")


def start_refusal(user, project: Project) -> str | None:
    """Why this person may not authorise the project's start, or None if they may.

    The Executive alone authorises it: the board directs, the manager manages. The
    segregation of duties keeps a manager off their own board; a manager who still holds the
    Executive role (data from before the policy) is refused all the same.
    """
    held = project_roles(user, project.id)
    if "executive" not in held:
        return (
            "Only the project's Executive can authorise the start: the board directs the "
            "project, the manager manages it."
        )
    if "project_manager" in held:
        return "The project manager cannot authorise the start of their own project."
    return None


def can_authorise_start(user, project: Project) -> bool:
    return start_refusal(user, project) is None


def permissions(user, project: Project) -> dict[str, bool]:
    return {
        "can_authorise_start": can_authorise_start(user, project),
        "can_close": can_close(user, project),
        "can_plan": can_plan(user, project),
        "can_prioritise": can_prioritise(user, project),
        "can_work": can_work(user, project),
        "can_give_feedback": can_give_feedback(user, project),
    }
