"""Lessons as a spreadsheet (CSV and Excel): a project's log, or the library."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tracker.core.exports import Column, Kind
from tracker.lessons.models import Lesson
from tracker.lessons.rules import LESSON_CATEGORIES, VERDICTS
from tracker.methods import model as method_model
from tracker.projects.rules import DELIVERY_METHODS

COLUMNS = (
    Column("Id", Kind.COUNT),
    Column("Project"),
    Column("Lesson"),
    Column("What happened"),
    Column("Repeat or avoid"),
    Column("What to do next time"),
    Column("Category"),
    Column("Delivery method"),
    Column("Uncertainty zone"),
    Column("Logged by"),
    Column("Logged", Kind.DATE),
    Column("In the library"),
)
HEADERS = tuple(column.heading for column in COLUMNS)


def rows(lessons: Iterable[Lesson]) -> Iterator[list[object]]:
    """One row a lesson (with its project loaded by the caller's query)."""
    for lesson in lessons:
        zone = method_model.ZONES.get(lesson.zone or "")
        yield [
            lesson.id,
            f"{lesson.project.code} {lesson.project.name}",
            lesson.title,
            lesson.what_happened,
            VERDICTS[lesson.verdict],
            lesson.recommendation,
            LESSON_CATEGORIES[lesson.category],
            DELIVERY_METHODS.get(lesson.method, lesson.method) if lesson.method else None,
            zone.label if zone is not None else lesson.zone,
            lesson.raised_by.name,
            lesson.raised_at.date(),
            "Yes" if lesson.in_library else "No",
        ]
