"""Demo release: CS-2026-09's private beta release, approved at its release gate by the
Executive and live, with the iterations (and so the feedback) that went into it. Through
the services; a project with releases already is left alone."""

from __future__ import annotations

from sqlalchemy import select

from tracker.agile.models import Iteration
from tracker.auth.models import User
from tracker.extensions import db
from tracker.projects.models import Project
from tracker.releases import services
from tracker.releases.models import Release

PROJECT = "CS-2026-09"


def load(projects_by_code: dict[str, Project], people_by_email: dict[str, User]) -> int:
    project = projects_by_code.get(PROJECT)
    if project is None or project.status != "active":
        return 0
    if db.session.scalar(select(Release.id).where(Release.project_id == project.id)):
        return 0
    iterations = list(
        db.session.scalars(
            select(Iteration.id).where(
                Iteration.project_id == project.id, Iteration.status == "closed"
            )
        )
    )
    if not iterations:
        return 0
    people = {m.role: m.user for m in project.memberships}
    release = services.request_release(
        project,
        name="Private beta release 1",
        notes="Online booking for 400 invited residents; tested with screen reader users.",
        iteration_ids=iterations,
        actor=people["project_manager"],
    )
    for role in release.roles:
        services.decide_release(
            release, role=role, decision="approve", comment="", actor=people[role]
        )
    services.go_live(release, version=None, actor=people["project_manager"])
    db.session.flush()
    return 1
