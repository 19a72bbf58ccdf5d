"""Who may do what with the board's follow-through (one place, asked by pages, the API
and the services)."""

from __future__ import annotations

from tracker.board.models import GateCondition
from tracker.projects.access import can_manage, project_roles
from tracker.projects.models import Project
from tracker.projects.rules import BOARD_ROLES


def on_board(user, project: Project) -> bool:
    return bool(project_roles(user, project.id) & set(BOARD_ROLES))


def can_settle(user, condition: GateCondition, project: Project) -> bool:
    """The owner, the project manager (or PMO) or a board member may record that a
    condition is met; only the board may waive one (the service says so in words)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return condition.owner_id == user.id or can_manage(user, project) or on_board(user, project)
