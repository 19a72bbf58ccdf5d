"""Log a lesson; curate the library (PMO staff). Each audits and flushes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.core.errors import RuleError, StaleEdit, check_version
from tracker.db import utcnow
from tracker.extensions import db
from tracker.lessons.models import Lesson
from tracker.lessons.rules import LESSON_CATEGORIES, VERDICTS
from tracker.methods.models import Assessment
from tracker.notifications.services import notify, path_for
from tracker.projects.access import team
from tracker.projects.models import Project


def zone_of(project_id: int) -> str | None:
    """The uncertainty zone of the project's latest assessment, or None."""
    return db.session.scalar(
        select(Assessment.zone)
        .where(Assessment.project_id == project_id)
        .order_by(Assessment.sequence.desc())
        .limit(1)
    )


@dataclass
class LessonData:
    title: str
    what_happened: str
    recommendation: str
    verdict: str
    category: str


def log_lesson(project: Project, data: LessonData, *, actor: User) -> Lesson:
    for name, message in (
        ("title", "Enter a title for the lesson"),
        ("what_happened", "Say what happened"),
        ("recommendation", "Say what to repeat or avoid, and how"),
    ):
        if not (getattr(data, name) or "").strip():
            raise RuleError(message, name)
    if data.verdict not in VERDICTS:
        raise RuleError("Choose whether to repeat or avoid it", "verdict")
    if data.category not in LESSON_CATEGORIES:
        raise RuleError("Choose the lesson's category from the list", "category")
    lesson = Lesson(
        project_id=project.id,
        title=data.title.strip()[:200],
        what_happened=data.what_happened.strip(),
        recommendation=data.recommendation.strip(),
        verdict=data.verdict,
        category=data.category,
        method=project.delivery_method,
        zone=zone_of(project.id),
        raised_by_id=actor.id,
        raised_at=utcnow(),
    )
    db.session.add(lesson)
    db.session.flush()
    audit.record(
        "lesson.logged",
        lesson,
        project_id=project.id,
        actor=actor,
        summary=f"Logged a lesson: {lesson.title}"[:300],
        changes={"verdict": data.verdict, "category": data.category},
    )
    return lesson


def curate(lesson: Lesson, in_library: bool, *, version: int | None, actor: User) -> Lesson:
    """PMO staff add a lesson to the organisation-wide library, or take it out."""
    if not actor.is_pmo:
        raise RuleError("Only PMO staff curate the lessons library")
    check_version(lesson, version)
    lesson.in_library = in_library
    lesson.curated_by_id = actor.id
    lesson.curated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleEdit() from None
    audit.record(
        "lesson.curated",
        lesson,
        project_id=lesson.project_id,
        actor=actor,
        summary=f"{'Added' if in_library else 'Took'} lesson {lesson.id} "
        f"{'to' if in_library else 'out of'} the library",
        changes={"in_library": in_library},
    )
    return lesson


def prompt_for_lessons(project: Project, moment: str) -> int:
    """Ask the project's managers, in their inbox (and by email unless they opted out), to
    log the lessons of ``moment`` ("the gate review …", "the iteration …") while they are
    fresh. Returns how many were asked."""
    managers = team(project.id).holders(["project_manager"])
    for manager in managers:
        notify(
            manager,
            "lessons_prompt",
            f"{project.code}: log the lessons of {moment}"[:200],
            f"{moment[0].upper()}{moment[1:]} on {project.code} {project.name} is done. "
            "While it is fresh, log what to repeat and what to avoid: the lessons library "
            "shows them to similar projects.",
            link=path_for("lessons.project_lessons", project_id=project.id),
            project_id=project.id,
        )
    return len(managers)
