"""Lessons: logged per project at any time; PMO staff add the useful ones to the
organisation-wide library."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.db import utcnow
from tracker.extensions import db
from tracker.lessons.rules import LessonCategory, Verdict
from tracker.projects.models import Project


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Lesson(db.Model):
    __tablename__ = "lessons"
    __table_args__ = (
        CheckConstraint(_in("verdict", Verdict), name="verdict_known"),
        CheckConstraint(_in("category", LessonCategory), name="category_known"),
        Index("ix_lessons_project", "project_id"),
        Index("ix_lessons_library_method_zone", "in_library", "method", "zone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    what_happened: Mapped[str] = mapped_column(Text)
    recommendation: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(20))
    # The project's method and uncertainty zone when the lesson was logged: what "similar
    # projects" are matched on.
    method: Mapped[str | None] = mapped_column(String(20))
    zone: Mapped[str | None] = mapped_column(String(20))
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    in_library: Mapped[bool] = mapped_column(default=False)
    curated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    curated_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    project: Mapped[Project] = relationship()
    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}
