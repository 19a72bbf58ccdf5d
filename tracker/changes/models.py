"""Change control: each project's delegated change authority (its change budget) and its
change requests, each raised from an issue."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.changes.rules import Authority, ChangeStatus
from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects.models import Project
from tracker.registers.models import Issue
from tracker.stages.models import Stage


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class ChangeAuthority(db.Model):
    """What the board delegates to the project manager: a change budget, debited by each
    change approved within it."""

    __tablename__ = "change_authorities"
    __table_args__ = (
        CheckConstraint("change_budget >= 0", name="budget_not_negative"),
        CheckConstraint("debited >= 0 AND debited <= change_budget", name="debited_within"),
    )

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    change_budget: Mapped[Decimal]
    debited: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    set_by: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def remaining(self) -> Decimal:
        return self.change_budget - self.debited


class ChangeRequest(db.Model):
    """A request to change the plan, with its impact on the seven performance targets."""

    __tablename__ = "change_requests"
    __table_args__ = (
        CheckConstraint(_in("status", ChangeStatus), name="status_known"),
        CheckConstraint(_in("authority", Authority), name="authority_known"),
        CheckConstraint("cost_impact >= 0", name="cost_not_negative"),
        CheckConstraint("time_impact_days >= 0", name="time_not_negative"),
        CheckConstraint("debited >= 0", name="debited_not_negative"),
        Index("ix_change_requests_project_status", "project_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))
    title: Mapped[str] = mapped_column(String(200))
    time_impact_days: Mapped[int]
    cost_impact: Mapped[Decimal]
    scope_impact: Mapped[str] = mapped_column(Text)
    quality_impact: Mapped[str] = mapped_column(Text)
    risk_impact: Mapped[str] = mapped_column(Text)
    benefit_impact: Mapped[str] = mapped_column(Text)
    sustainability_impact: Mapped[str] = mapped_column(Text)
    authority: Mapped[str] = mapped_column(String(10))
    authority_reason: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default=ChangeStatus.SUBMITTED)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    debited: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    new_finish: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)

    project: Mapped[Project] = relationship()
    issue: Mapped[Issue] = relationship()
    stage: Mapped[Stage | None] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_waiting(self) -> bool:
        return self.status == ChangeStatus.SUBMITTED
