"""Scheduled reminders for stage-gated governance: decisions waiting too long, highlight
reports due. Each reminder is claimed once per person or project and period
(``tracker.scheduler.services.claim``) in the transaction that creates it."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import and_, case, exists, func, select

from tracker.auth.models import User
from tracker.core.dates import add_months
from tracker.core.filters import LONDON, day
from tracker.extensions import db
from tracker.notifications.events import holders
from tracker.notifications.services import notify, path_for
from tracker.projects.models import Project, ProjectMembership
from tracker.projects.rules import OPEN_STATUSES, ProjectStatus
from tracker.scheduler.services import claim
from tracker.stages.models import ExceptionReport, GateReview, HighlightReport, Stage
from tracker.stages.queries import exception_waits_on, gate_waits_on
from tracker.stages.rules import (
    FORECAST_STATUSES,
    WAITING_FOR_BOARD,
    ExceptionStatus,
    GateStatus,
    StageStatus,
)
from tracker.stages.services import STAGED_METHODS, regime_for, role_label

OPEN_PROJECT_STATUSES = OPEN_STATUSES


def _uk_midnight(day_: date) -> datetime:
    return datetime.combine(day_, time(0), tzinfo=LONDON).astimezone(UTC)


def waiting_decisions(today: date, days: int) -> dict[int, list[dict]]:
    """Per approver, the gate and exception decisions waiting on them for more than
    ``days`` whole days (two queries)."""
    cutoff = _uk_midnight(today - timedelta(days=days))
    gates = db.session.execute(
        select(
            ProjectMembership.user_id,
            ProjectMembership.role,
            Project.code,
            Project.name,
            GateReview.requested_at,
        )
        .join(Project, Project.id == GateReview.project_id)
        .join(ProjectMembership, ProjectMembership.project_id == GateReview.project_id)
        .join(User, User.id == ProjectMembership.user_id)
        .where(
            GateReview.status == GateStatus.PENDING,
            GateReview.requested_at < cutoff,
            Project.status.in_(OPEN_PROJECT_STATUSES),
            User.is_active_user.is_(True),
            gate_waits_on(ProjectMembership.user_id, ProjectMembership.role),
        )
        .order_by(GateReview.requested_at, GateReview.id)
    )
    waiting_since = case(
        (
            ExceptionReport.status == ExceptionStatus.PLAN_SUBMITTED,
            ExceptionReport.plan_submitted_at,
        ),
        else_=ExceptionReport.raised_at,
    )
    exceptions = db.session.execute(
        select(
            ProjectMembership.user_id,
            ProjectMembership.role,
            Project.code,
            Project.name,
            waiting_since,
            ExceptionReport.status,
        )
        .join(Project, Project.id == ExceptionReport.project_id)
        .join(ProjectMembership, ProjectMembership.project_id == ExceptionReport.project_id)
        .join(User, User.id == ProjectMembership.user_id)
        .where(
            ExceptionReport.status.in_(WAITING_FOR_BOARD),
            waiting_since < cutoff,
            Project.status.in_(OPEN_PROJECT_STATUSES),
            User.is_active_user.is_(True),
            exception_waits_on(ProjectMembership.user_id, ProjectMembership.role),
        )
        .order_by(waiting_since, ExceptionReport.id)
    )
    waiting: dict[int, list[dict]] = defaultdict(list)
    for user_id, role, code, name, since in gates:
        waiting[user_id].append(
            {"what": "gate review", "role": role, "project": f"{code} {name}", "since": since}
        )
    for user_id, role, code, name, since, status in exceptions:
        what = "exception plan" if status == ExceptionStatus.PLAN_SUBMITTED else "exception report"
        waiting[user_id].append(
            {"what": what, "role": role, "project": f"{code} {name}", "since": since}
        )
    return waiting


def send_approval_reminders(today: date) -> int:
    """Once a day, one reminder to each approver with decisions waiting more than
    APPROVAL_REMINDER_DAYS days."""
    days = current_app.config["APPROVAL_REMINDER_DAYS"]
    waiting = waiting_decisions(today, days)
    sent = 0
    for user_id in sorted(waiting):
        items = waiting[user_id]
        if not claim("approval_reminders", f"user:{user_id}", today.isoformat()):
            continue
        lines = [
            f"- {item['project']}: {item['what']} waiting since {day(item['since'])} "
            f"({(today - item['since'].astimezone(LONDON).date()).days} days), "
            f"for your decision as {role_label(item['role'])}"
            for item in items
        ]
        count = len(items)
        notify(
            db.session.get(User, user_id),
            "approval_reminder",
            f"{count} decision{'s' if count != 1 else ''} waiting for you for more than "
            f"{days} day{'s' if days != 1 else ''}",
            "These wait for your decision:\n" + "\n".join(lines),
            link=path_for("stages.inbox"),
        )
        db.session.commit()
        sent += 1
    return sent


def highlight_due_on(last_period_end: date | None, started_on: date, every_months: int) -> date:
    """When the next highlight report is due: a cadence after the last report's period, or
    after the project's first stage began when there is none yet."""
    return add_months(last_period_end or started_on, every_months)


def remind_highlight_reports_due(today: date) -> int:
    """Remind the manager of each staged project whose highlight report is due, once per
    due date."""
    last_end = (
        select(func.max(HighlightReport.period_end))
        .where(HighlightReport.project_id == Project.id)
        .scalar_subquery()
    )
    started = (
        select(func.min(Stage.planned_start))
        .where(
            Stage.project_id == Project.id,
            Stage.status.in_((StageStatus.ACTIVE, StageStatus.IN_EXCEPTION, StageStatus.CLOSED)),
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Project, last_end, started)
        .where(
            Project.status == ProjectStatus.ACTIVE,
            Project.delivery_method.in_(STAGED_METHODS),
            exists().where(
                and_(Stage.project_id == Project.id, Stage.status.in_(FORECAST_STATUSES))
            ),
        )
        .order_by(Project.id)
    ).all()
    sent = 0
    for project, last, started_on in rows:
        every = regime_for(project).highlight_every_months
        due = highlight_due_on(last, started_on, every)
        if due > today:
            continue
        managers = holders(project.id, ["project_manager"])
        if not managers or not claim(
            "highlight_reports_due", f"project:{project.id}", f"due:{due.isoformat()}"
        ):
            continue
        cadence = "every month" if every == 1 else f"every {every} months"
        for manager in managers:
            notify(
                manager,
                "highlight_due",
                f"{project.code}: a highlight report is due",
                f"{project.code} {project.name} reports to its board {cadence}. "
                + (
                    f"The last highlight report covered up to {day(last)}"
                    if last
                    else "No highlight report has been sent yet"
                )
                + f", so the next was due on {day(due)}.",
                link=path_for("stages.create_highlight", project_id=project.id),
                project_id=project.id,
            )
        db.session.commit()
        sent += 1
    return sent
