"""Scheduled work for the board: each overdue condition is reminded once, to its owner and
to the project's board; each board pack asked for is built once. Both claim their subject
(``tracker.scheduler.services.claim``) in the transaction that writes the effect."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select

from tracker.board import packs, queries
from tracker.board.models import PackRequest
from tracker.core.filters import day
from tracker.db import utcnow
from tracker.extensions import db
from tracker.notifications.events import holders
from tracker.notifications.services import notify_all, path_for
from tracker.projects.rules import BOARD_ROLES
from tracker.scheduler.services import claim
from tracker.stages.models import ExceptionReport, GateReview

log = logging.getLogger(__name__)


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


def build_waiting_packs(today: date) -> int:
    """Build each waiting board pack exactly once: the request is locked and claimed in the
    transaction that stores the pack and writes its hash to the audit trail. A pack that
    fails to render is marked failed (the evidence page says so) and not tried again; the
    gate or exception is untouched either way."""
    built = 0
    waiting = db.session.scalars(
        select(PackRequest.id).where(PackRequest.status == "waiting").order_by(PackRequest.id)
    ).all()
    for request_id in waiting:
        request = db.session.scalars(
            select(PackRequest)
            .where(PackRequest.id == request_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        if request.status != "waiting" or not claim(
            "board_packs", f"request:{request.id}", "built"
        ):
            db.session.rollback()
            continue
        subject = (
            db.session.get(GateReview, request.gate_id)
            if request.gate_id is not None
            else db.session.get(ExceptionReport, request.exception_id)
        )
        try:
            with db.session.begin_nested():
                pack = packs.freeze_pack(subject, moment=request.moment, actor=request.requested_by)
        except Exception as error:
            log.exception("Board pack request %s failed to render", request.id)
            request.status, request.error = "failed", f"{type(error).__name__}: {error}"[:500]
        else:
            request.status, request.pack_id = "built", pack.id
            built += 1
        request.finished_at = utcnow()
        db.session.commit()
    return built
