"""Demo change control and lessons: a change request waiting for ASC's board, and lessons on
the two registers' demo projects, one of them in the library. Change control and lessons sit
above the registers (they read issues), so the demo loads them here, after the registers."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from tracker.auth.models import User
from tracker.changes import services as changes
from tracker.changes.models import ChangeRequest
from tracker.extensions import db
from tracker.lessons import services as lessons
from tracker.lessons.models import Lesson
from tracker.projects.access import team
from tracker.projects.models import Project
from tracker.registers.models import Issue

LESSONS = {
    "ASC-2026-01": (
        "Recruit residents for testing at kick-off",
        "Usability testing waited three weeks for volunteers from the residents' panel",
        "Recruit the residents' panel when the project starts, not when testing is due",
        "avoid",
        "stakeholders",
    ),
    "HOM-2026-02": (
        "Agree who owns shared data in the first board meeting",
        "The housing and care teams each assumed the other owned the household records",
        "Name an owner for each shared dataset before the first stage starts",
        "repeat",
        "partnership",
    ),
}


def load(projects_by_code: dict[str, Project], people: dict[str, User]) -> None:
    _change_request(projects_by_code.get("ASC-2026-01"))
    pmo = people.get("priya.shah@example.gov.uk")
    for code, spec in LESSONS.items():
        project = projects_by_code.get(code)
        if project is None or db.session.scalar(
            select(Lesson.id).where(Lesson.project_id == project.id).limit(1)
        ):
            continue
        manager = team(project.id).holders(["project_manager"])[0]
        lesson = lessons.log_lesson(project, lessons.LessonData(*spec), actor=manager)
        if pmo is not None and code == "HOM-2026-02":
            lessons.curate(lesson, True, version=None, actor=pmo)
    db.session.flush()


def _change_request(project: Project | None) -> None:
    """From the Welsh-language request for change: the manager asked, so the board decides."""
    if project is None or db.session.scalar(
        select(ChangeRequest.id).where(ChangeRequest.project_id == project.id).limit(1)
    ):
        return
    issue = db.session.scalars(
        select(Issue).where(
            Issue.project_id == project.id,
            Issue.kind == "request_for_change",
            Issue.status == "open",
        )
    ).first()
    if issue is None:
        return
    manager = team(project.id).holders(["project_manager"])[0]
    changes.request_change(
        project,
        issue,
        changes.ChangeData(
            title="Add Welsh-language versions of the assessment forms",
            time_impact_days=10,
            cost_impact=Decimal("4500.00"),
            scope_impact="Adds Welsh versions of the four assessment forms",
            quality_impact="Translations reviewed by the council's Welsh-language officer",
            risk_impact="A new translation supplier to manage",
            benefit_impact="Welsh-speaking residents can apply in their own language",
            sustainability_impact="None",
        ),
        actor=manager,
    )
