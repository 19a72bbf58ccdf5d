"""Time entries, the person-week they belong to, and dated hourly rates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects.models import Project
from tracker.projects.rules import PROJECT_ROLES
from tracker.worklog.rules import WeekStatus


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class TimesheetWeek(db.Model):
    """One person's week (Monday to Sunday). Its row is the lock every change to that
    person's time in the week takes, so the 24-hours-a-day rule holds when two saves race;
    its version tells a stale timesheet from a current one."""

    __tablename__ = "timesheet_weeks"
    __table_args__ = (
        UniqueConstraint("person_id", "week_start"),
        CheckConstraint(_in("status", WeekStatus), name="status_known"),
        CheckConstraint(
            "(status = 'submitted') = (submitted_at IS NOT NULL)", name="submitted_has_time"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    week_start: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default=WeekStatus.OPEN)
    submitted_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    person: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": version}


class TimeEntry(db.Model):
    __tablename__ = "time_entries"
    __table_args__ = (
        CheckConstraint("hours > 0 AND hours <= 24", name="hours_range"),
        CheckConstraint(_in("role", PROJECT_ROLES), name="role_known"),
        Index("ix_time_entries_person_date", "person_id", "work_date"),
        Index("ix_time_entries_project_date", "project_id", "work_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    week_id: Mapped[int] = mapped_column(ForeignKey("timesheet_weeks.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("stages.id", ondelete="SET NULL"), index=True
    )
    iteration_id: Mapped[int | None] = mapped_column(
        ForeignKey("iterations.id", ondelete="SET NULL"), index=True
    )
    backlog_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("backlog_items.id", ondelete="SET NULL"), index=True
    )
    work_date: Mapped[date]
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    # The person's role on the project when the time was logged: role rates apply to it.
    role: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    person: Mapped[User] = relationship(foreign_keys=[person_id])
    project: Mapped[Project] = relationship()
    week: Mapped[TimesheetWeek] = relationship()

    __mapper_args__ = {"version_id_col": version}


class HourlyRate(db.Model):
    """A rate per hour, in force from a day until the next rate for the same person or role."""

    __tablename__ = "hourly_rates"
    __table_args__ = (
        CheckConstraint("(person_id IS NULL) <> (role IS NULL)", name="person_or_role"),
        CheckConstraint("role IS NULL OR " + _in("role", PROJECT_ROLES), name="role_known"),
        CheckConstraint("rate > 0", name="rate_positive"),
        UniqueConstraint("person_id", "effective_from"),
        UniqueConstraint("role", "effective_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str | None] = mapped_column(String(30))
    rate: Mapped[Decimal]
    effective_from: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Rates are edited by PMO staff: an edit based on a stale version is refused.
    version: Mapped[int] = mapped_column(default=1)

    person: Mapped[User | None] = relationship(foreign_keys=[person_id])

    __mapper_args__ = {"version_id_col": version}
