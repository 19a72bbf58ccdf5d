"""Who may read and keep a project's registers, on the one team lookup.

Anyone on the project (and PMO staff) reads them; the project manager keeps them (PMO
staff and administrators may step in), as with the rest of the project's plan. The board
answers escalations, and nobody answers their own.
"""

from __future__ import annotations

from tracker.projects.access import can_manage, can_view, team
from tracker.projects.governance import BOARD_ROLES


def can_read(user, project) -> bool:
    return can_view(user, project)


def can_keep(user, project) -> bool:
    return can_manage(user, project)


def manages(user, project) -> bool:
    """The project's own manager (not PMO staff): who acknowledges what other projects need
    from it."""
    return getattr(user, "is_authenticated", False) and "project_manager" in team(
        project.id
    ).roles_of(user.id)


def board_roles_of(user, project_id: int) -> frozenset[str]:
    return team(project_id).roles_of(user.id) & frozenset(BOARD_ROLES)


def answer_refusal(user, escalation) -> str | None:
    """Why ``user`` may not answer ``escalation`` for the board, or None. The board answers
    (any of its roles); whoever escalated it never answers their own escalation."""
    if not getattr(user, "is_authenticated", False):
        return "Sign in to answer for the board."
    if not board_roles_of(user, escalation.project_id):
        return "Only the project board answers an escalation."
    if escalation.escalated_by_id == user.id:
        return "You escalated this yourself: someone else on the board answers it."
    return None


def can_answer(user, escalation) -> bool:
    return answer_refusal(user, escalation) is None
