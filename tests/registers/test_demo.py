"""The demo portfolio gains realistic registers, once, with an escalated risk."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.changes.models import ChangeRequest
from tracker.demo import data
from tracker.lessons.models import Lesson
from tracker.notifications.models import Notification
from tracker.projects.models import Project
from tracker.projects.rules import FINISHED_STATUSES
from tracker.registers.models import Dependency, Escalation, Issue, Risk


def test_demo_registers_load_once_with_an_escalated_risk_on_the_boards_inbox(db):
    data.load("demo password long enough")
    # Open demo projects; one just approved from the demo pipeline has no register yet.
    from tracker.proposals.models import Proposal

    open_projects = db.session.scalars(
        select(Project.id).where(
            Project.status.not_in(FINISHED_STATUSES),
            Project.id.not_in(select(Proposal.project_id).where(Proposal.project_id.is_not(None))),
        )
    ).all()
    with_risks = set(db.session.scalars(select(Risk.project_id).where(Risk.source == "register")))
    assert set(open_projects) <= with_risks
    assert db.session.scalar(select(func.count(Issue.id))) == 2 * len(open_projects)
    assert db.session.scalar(select(func.count(Risk.id)).where(Risk.kind == "opportunity")) > 0
    escalation = db.session.scalars(
        select(Escalation).join(Project).where(Project.code == "ASC-2026-01")
    ).one()
    assert escalation.is_awaiting and escalation.risk.score == 20
    assert db.session.scalar(
        select(func.count(Notification.id)).where(Notification.kind == "escalation")
    )
    dependency = db.session.scalars(select(Dependency)).one()
    assert dependency.on_project.code == "ASC-2026-01" and dependency.project.code == "HOM-2026-02"
    assert dependency.acknowledged_at is not None and dependency.is_at_risk
    # Change control and lessons: a change request waiting for ASC's board, a lesson in the
    # library for the next project's manager.
    change = db.session.scalars(select(ChangeRequest)).one()
    assert change.project.code == "ASC-2026-01" and change.is_waiting
    assert change.authority == "board"
    shared = db.session.scalars(select(Lesson).where(Lesson.in_library.is_(True))).one()
    assert shared.project.code == "HOM-2026-02"
    before = [
        db.session.scalar(select(func.count(model.id))) for model in (Risk, ChangeRequest, Lesson)
    ]
    data.load("demo password long enough")
    assert [
        db.session.scalar(select(func.count(model.id))) for model in (Risk, ChangeRequest, Lesson)
    ] == before
