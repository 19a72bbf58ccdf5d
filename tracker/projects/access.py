"""Who may see and change a project. Load, check, act: views call these before anything else."""

from __future__ import annotations

from flask import abort, g
from flask_login import current_user
from sqlalchemy import select

from tracker.auth.access import forbid
from tracker.extensions import db
from tracker.projects.models import Project, ProjectMembership


def project_roles(user, project_id: int) -> frozenset[str]:
    """The user's roles on one project, fetched once per request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cache = g.setdefault("_project_roles", {})
    key = (user.id, project_id)
    if key not in cache:
        cache[key] = frozenset(
            db.session.scalars(
                select(ProjectMembership.role).where(
                    ProjectMembership.project_id == project_id,
                    ProjectMembership.user_id == user.id,
                )
            )
        )
    return cache[key]


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
