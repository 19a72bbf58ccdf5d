"""Who may see and change a project, and who may hold which role on it.

Load, check, act: views, the API, services and scheduled jobs call these before anything
else. Every question about a person's roles on a project goes through ``team``, one query
per project per request, so nobody re-derives it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import abort, current_app, g, has_app_context, request
from flask_login import current_user
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tracker.auth.access import forbid
from tracker.auth.models import User
from tracker.core.errors import RuleError
from tracker.extensions import db
from tracker.projects import governance
from tracker.projects.models import Project, ProjectMembership
from tracker.projects.rules import BOARD_ROLES, size_tier

log = logging.getLogger("tracker.policy")


# --------------------------------------------------------------------------------------
# The one lookup
# --------------------------------------------------------------------------------------


@dataclass
class Team:
    """Who holds which role on one project."""

    by_user: dict[int, frozenset[str]] = field(default_factory=dict)
    people: dict[int, User] = field(default_factory=dict)

    def roles_of(self, user_id: int) -> frozenset[str]:
        return self.by_user.get(user_id, frozenset())

    def holders(self, roles: Iterable[str]) -> list[User]:
        """Active people holding any of ``roles``, each once, by name."""
        wanted = set(roles)
        found = [
            self.people[uid]
            for uid, held in self.by_user.items()
            if held & wanted and self.people[uid].is_active_user
        ]
        return sorted(found, key=lambda user: (user.name, user.id))

    def holders_by_role(self, roles: Iterable[str]) -> dict[str, list[User]]:
        return {role: self.holders([role]) for role in roles}


def team(project_id: int) -> Team:
    """Everyone's roles on the project, fetched once per request (or job) and forgotten
    whenever a membership changes or the transaction ends."""
    cache = g.setdefault("_project_teams", {}) if has_app_context() else {}
    if project_id not in cache:
        found = Team()
        rows = db.session.execute(
            select(ProjectMembership.user_id, ProjectMembership.role, User)
            .join(User, User.id == ProjectMembership.user_id)
            .where(ProjectMembership.project_id == project_id)
        )
        roles: dict[int, set[str]] = {}
        for user_id, role, user in rows:
            roles.setdefault(user_id, set()).add(role)
            found.people[user_id] = user
        found.by_user = {uid: frozenset(held) for uid, held in roles.items()}
        cache[project_id] = found
    return cache[project_id]


def forget_teams() -> None:
    if has_app_context():
        g.pop("_project_teams", None)


@event.listens_for(Session, "after_flush")
def _memberships_changed(session, flush_context) -> None:
    if any(
        isinstance(obj, ProjectMembership)
        for obj in (*session.new, *session.dirty, *session.deleted)
    ):
        forget_teams()


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _transaction_ended(session, *args) -> None:
    forget_teams()


def project_roles(user, project_id: int) -> frozenset[str]:
    """The user's roles on one project."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return team(project_id).roles_of(user.id)


def can_view(user, project: Project) -> bool:
    return bool(user.is_pmo or project_roles(user, project.id))


def can_manage(user, project: Project) -> bool:
    """Project managers run their project; PMO staff and administrators may step in."""
    return bool(user.is_pmo or "project_manager" in project_roles(user, project.id))


def has_role(user, project: Project, *roles: str) -> bool:
    return bool(project_roles(user, project.id) & set(roles))


def load_project(project_id: int, *, manage: bool = False) -> Project:
    project = db.session.get(Project, project_id) or abort(404)
    allowed = can_manage(current_user, project) if manage else can_view(current_user, project)
    if not allowed:
        forbid()
    return project


# --------------------------------------------------------------------------------------
# Segregation of duties: who may hold which role
# --------------------------------------------------------------------------------------


def governance_level(project: Project):
    """The tailoring row that governs the project (size, raised by criticality)."""
    config = current_app.config
    tier = size_tier(
        project.budget_at_completion, config["TIER_SMALL_BELOW"], config["TIER_LARGE_ABOVE"]
    )
    return governance.gate_regime(tier, project.criticality).level


def check_grant(project: Project, user: User, role: str, field_name: str = "role") -> None:
    """Refuse a role the segregation of duties forbids this person on this project.

    Every way a role is granted (the team form, a manager named on the project form or
    the API, the demo loaders) calls this before the membership is written.
    """
    held = team(project.id).roles_of(user.id) if project.id is not None else frozenset()
    reason = governance.role_conflict(governance_level(project), held, role)
    if reason is not None:
        refused("grant", project=project.id, person=user.id, role=role, reason="segregation")
        raise RuleError(reason.replace("This person", user.name, 1), field_name)


def combined_board_roles(project: Project) -> list[tuple[User, tuple[str, ...]]]:
    """People holding more than one board role on the project (shown plainly on its page)."""
    found = []
    for user_id, held in team(project.id).by_user.items():
        board = tuple(r for r in BOARD_ROLES if r in held)
        if len(board) > 1:
            found.append((team(project.id).people[user_id], board))
    return sorted(found, key=lambda item: item[0].name)


def refused(action: str, **details) -> None:
    """Log a refused attempt (a forged role or decision): a log line, not an audit entry,
    because nothing changed."""
    who = getattr(current_user, "id", None) if has_app_context() else None
    where = request.path if has_app_context() and request else "-"
    log.warning(
        "refused %s by user %s at %s: %s",
        action,
        who,
        where,
        " ".join(f"{k}={v}" for k, v in details.items()),
    )
