"""Read models for the lessons pages: one statement each."""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.lessons.models import Lesson
from tracker.lessons.rules import SIMILAR_SHOWN


def of_project(project_id: int) -> Select:
    return (
        select(Lesson)
        .where(Lesson.project_id == project_id)
        .order_by(Lesson.raised_at.desc(), Lesson.id.desc())
    )


def library(text: str | None = None, method: str | None = None) -> Select:
    """The library, newest first; ``text`` searched in the title, what happened and the
    recommendation; ``method`` the delivery method the lesson came from."""
    statement = (
        select(Lesson).options(joinedload(Lesson.project)).where(Lesson.in_library.is_(True))
    )
    if method:
        statement = statement.where(Lesson.method == method)
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            or_(
                Lesson.title.ilike(pattern, escape="\\"),
                Lesson.what_happened.ilike(pattern, escape="\\"),
                Lesson.recommendation.ilike(pattern, escape="\\"),
            )
        )
    return statement.order_by(Lesson.raised_at.desc(), Lesson.id.desc())


def similar(project_id: int, method: str | None, zone: str | None) -> list[Lesson]:
    """Library lessons of other projects with the same method and uncertainty zone."""
    if method is None or zone is None:
        return []
    return list(
        db.session.scalars(
            select(Lesson)
            .options(joinedload(Lesson.project))
            .where(
                Lesson.in_library.is_(True),
                Lesson.method == method,
                Lesson.zone == zone,
                Lesson.project_id != project_id,
            )
            .order_by(Lesson.raised_at.desc(), Lesson.id.desc())
            .limit(SIMILAR_SHOWN)
        )
    )
