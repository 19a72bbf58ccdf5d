"""Scheduled reminders for the board's follow-through: each overdue condition is reminded
once, to its owner and to the project's board, claimed per condition
(``tracker.scheduler.services.claim``) in the transaction that writes the reminder."""

from __future__ import annotations

from datetime import date

from tracker.board import queries
from tracker.core.filters import day
from tracker.extensions import db
from tracker.notifications.events import holders
from tracker.notifications.services import notify_all, path_for
from tracker.projects.rules import BOARD_ROLES
from tracker.scheduler.services import claim


def remind_overdue_conditions(today: date) -> int:
    """Once per condition: tell its owner and the board that it is past its due date."""
    sent = 0
    for condition, project in queries.overdue_conditions(today):
        if not claim("condition_reminders", f"condition:{condition.id}", "overdue"):
            continue
        people = {condition.owner_id: condition.owner}
        for person in holders(project.id, BOARD_ROLES):
            people.setdefault(person.id, person)
        notify_all(
            [p for p in people.values() if p.is_active_user],
            "condition_overdue",
            f"{project.code}: a condition of the board's approval is overdue",
            f"“{condition.text[:300]}” was due on {day(condition.due_on)} and is still open. "
            f"Owner: {condition.owner.name}. Meet it with evidence, or the board may waive it "
            "with a reason; the next gate cannot be requested until then.",
            link=path_for("board.show_condition", project_id=project.id, condition_id=condition.id),
            project_id=project.id,
        )
        db.session.commit()
        sent += 1
    return sent
