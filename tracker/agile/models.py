"""Iterations, backlog items, their append-only history, and customer feedback."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.agile.rules import Agreement, ItemStatus, IterationStatus, Priority
from tracker.agile.vocabulary import (
    CHANGE_REASONS,
    FEEDBACK_SOURCES,
)
from tracker.auth.models import User
from tracker.db import utcnow
from tracker.extensions import db


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Iteration(db.Model):
    __tablename__ = "iterations"
    __table_args__ = (
        UniqueConstraint("project_id", "name"),
        CheckConstraint("end_on >= start_on", name="end_after_start"),
        CheckConstraint(
            "committed_points IS NULL OR committed_points >= 0", name="committed_not_negative"
        ),
        CheckConstraint(
            "completed_points IS NULL OR completed_points >= 0", name="completed_not_negative"
        ),
        CheckConstraint(_in("status", IterationStatus), name="status_known"),
        # A project works in one iteration at a time.
        Index(
            "uq_iterations_one_active",
            "project_id",
            unique=True,
            sqlite_where=db.text("status = 'active'"),
            postgresql_where=db.text("status = 'active'"),
        ),
        Index("ix_iterations_project_start", "project_id", "start_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    # Hybrid projects iterate inside a stage its gate has authorised.
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    goal: Mapped[str] = mapped_column(Text, default="")
    start_on: Mapped[date]
    end_on: Mapped[date]
    committed_points: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(20), default=IterationStatus.PLANNED)
    completed_points: Mapped[int | None]
    started_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    closed_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Iteration {self.name}>"


class BacklogItem(db.Model):
    __tablename__ = "backlog_items"
    __table_args__ = (
        CheckConstraint("points > 0", name="points_positive"),
        CheckConstraint(_in("status", ItemStatus), name="status_known"),
        CheckConstraint("moscow IS NULL OR " + _in("moscow", Priority), name="moscow_known"),
        Index("ix_backlog_items_project_status", "project_id", "status"),
        # One item per place in a project's order: two people reordering at once can
        # neither lose a place nor give two items the same one.
        Index("uq_backlog_items_project_rank", "project_id", "rank", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    iteration_id: Mapped[int | None] = mapped_column(ForeignKey("iterations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default=ItemStatus.TODO)
    # The product owner's order: 1 is the top of the backlog. Ranks are unique in a project
    # and need not be consecutive; only their order means anything.
    rank: Mapped[int]
    moscow: Mapped[str | None] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    iteration: Mapped[Iteration | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<BacklogItem {self.title}>"


class ItemStatusChange(db.Model):
    """One row per change to an item's status or iteration, never edited or deleted.

    ``iteration_id`` is the iteration the item was in after the change, so both burndown
    (status over time) and scope (membership over time) can be rebuilt for any day.
    """

    __tablename__ = "item_status_changes"
    __table_args__ = (
        CheckConstraint(
            "from_status IS NULL OR " + _in("from_status", ItemStatus), name="from_known"
        ),
        CheckConstraint(_in("to_status", ItemStatus), name="to_known"),
        CheckConstraint(_in("reason", CHANGE_REASONS), name="reason_known"),
        Index("ix_item_status_changes_project_at", "project_id", "changed_at"),
        Index("ix_item_status_changes_item_at", "item_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("backlog_items.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    iteration_id: Mapped[int | None] = mapped_column(ForeignKey("iterations.id"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    changed_by: Mapped[User | None] = relationship()


class CarryOver(db.Model):
    """An unfinished item that spilled over when its iteration closed: kept so the
    spill-over stays visible on the closed iteration whatever happens to the item later."""

    __tablename__ = "iteration_carry_overs"
    __table_args__ = (
        UniqueConstraint("iteration_id", "item_id"),
        CheckConstraint("points > 0", name="points_positive"),
        CheckConstraint(_in("status", ItemStatus), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    iteration_id: Mapped[int] = mapped_column(ForeignKey("iterations.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("backlog_items.id", ondelete="CASCADE"))
    to_iteration_id: Mapped[int | None] = mapped_column(ForeignKey("iterations.id"))
    points: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[BacklogItem] = relationship()
    to_iteration: Mapped[Iteration | None] = relationship(foreign_keys=[to_iteration_id])


class Feedback(db.Model):
    """What a customer said about an iteration's work, and what the team did about it."""

    __tablename__ = "iteration_feedback"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint(_in("source", FEEDBACK_SOURCES), name="source_known"),
        CheckConstraint(_in("agreement", Agreement), name="agreement_known"),
        CheckConstraint(
            "(loop_closed AND loop_closed_at IS NOT NULL) OR "
            "(NOT loop_closed AND loop_closed_at IS NULL)",
            name="loop_closed_has_time",
        ),
        Index("ix_iteration_feedback_project_loop", "project_id", "loop_closed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    iteration_id: Mapped[int] = mapped_column(
        ForeignKey("iterations.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(30))
    given_by: Mapped[str] = mapped_column(String(120), default="")
    rating: Mapped[int]
    said: Mapped[str] = mapped_column(Text)
    agreement: Mapped[str] = mapped_column(String(20))
    action_taken: Mapped[str] = mapped_column(Text, default="")
    backlog_item_id: Mapped[int | None] = mapped_column(ForeignKey("backlog_items.id"))
    loop_closed: Mapped[bool] = mapped_column(default=False)
    loop_closed_at: Mapped[datetime | None]
    loop_closed_how: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    iteration: Mapped[Iteration] = relationship()
    backlog_item: Mapped[BacklogItem | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
