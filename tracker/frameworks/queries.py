"""Read models for the framework pages (set-based: the same queries however many
frameworks, versions or projects there are)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.frameworks.models import (
    FrameworkVersion,
    GovernanceFramework,
    ProjectFramework,
)
from tracker.frameworks.rules import VersionStatus


@dataclass(frozen=True)
class FrameworkRow:
    framework: GovernanceFramework
    published: int | None
    has_draft: bool
    projects: int


def framework_rows() -> list[FrameworkRow]:
    """Every framework with its newest published version, whether a draft is open, and how
    many projects follow one of its versions: one query."""
    published = (
        select(func.max(FrameworkVersion.number))
        .where(
            FrameworkVersion.framework_id == GovernanceFramework.id,
            FrameworkVersion.status == VersionStatus.PUBLISHED,
        )
        .scalar_subquery()
    )
    drafts = (
        select(func.count(FrameworkVersion.id))
        .where(
            FrameworkVersion.framework_id == GovernanceFramework.id,
            FrameworkVersion.status == VersionStatus.DRAFT,
        )
        .scalar_subquery()
    )
    projects = (
        select(func.count(ProjectFramework.project_id))
        .join(FrameworkVersion, FrameworkVersion.id == ProjectFramework.framework_version_id)
        .where(FrameworkVersion.framework_id == GovernanceFramework.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(GovernanceFramework, published, drafts, projects).order_by(
            GovernanceFramework.is_default.desc(), GovernanceFramework.name
        )
    )
    return [FrameworkRow(f, p, bool(d), n) for f, p, d, n in rows]


def versions_of(framework_id: int) -> list[FrameworkVersion]:
    return list(
        db.session.scalars(
            select(FrameworkVersion)
            .where(FrameworkVersion.framework_id == framework_id)
            .order_by(FrameworkVersion.number.desc())
        )
    )


def published_choices() -> list[tuple[str, str]]:
    """Every published version, newest first within each framework, for the move form."""
    rows = db.session.execute(
        select(FrameworkVersion.id, GovernanceFramework.name, FrameworkVersion.number)
        .join(GovernanceFramework, GovernanceFramework.id == FrameworkVersion.framework_id)
        .where(FrameworkVersion.status == VersionStatus.PUBLISHED)
        .order_by(GovernanceFramework.name, FrameworkVersion.number.desc())
    )
    return [(str(i), f"{name}, version {number}") for i, name, number in rows]
