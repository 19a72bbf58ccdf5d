"""Who may act on change control, on the one team lookup.

The project manager (or PMO staff) and the team raise change requests from issues. The
Executive sets the change budget, the board's delegation. A request is decided by the
authority it falls to: the project manager within the delegation, the Executive above it;
nobody decides their own request.
"""

from __future__ import annotations

from tracker.changes.rules import Authority
from tracker.projects.access import can_manage, team
from tracker.projects.governance import EXECUTIVE, PROJECT_MANAGER


def can_request(user, project) -> bool:
    return can_manage(user, project) or "team_member" in team(project.id).roles_of(user.id)


def can_set_budget(user, project) -> bool:
    return EXECUTIVE in team(project.id).roles_of(user.id)


def decide_refusal(user, change) -> str | None:
    """Why ``user`` may not decide ``change``, or None."""
    if not getattr(user, "is_authenticated", False):
        return "Sign in to decide."
    if change.requested_by_id == user.id:
        return "You requested this change: someone else decides it (segregation of duties)."
    roles = team(change.project_id).roles_of(user.id)
    if change.authority == Authority.MANAGER and PROJECT_MANAGER not in roles:
        return "The project manager decides this change, under the board's delegation."
    if change.authority == Authority.BOARD and EXECUTIVE not in roles:
        return "The board decides this change: its Executive records the decision."
    return None


def may_decide_some(user, project) -> bool:
    """Whether ``user`` holds a role that decides some change requests on the project (the
    project manager or the Executive): checked before a decision's body is read."""
    return bool(team(project.id).roles_of(user.id) & {PROJECT_MANAGER, EXECUTIVE})


def can_attach(user, project) -> bool:
    """Documents on a change request are attached by whoever attaches the project's
    documents: the project manager or the PMO."""
    return can_manage(user, project)
