"""End-project reports and the board's closing-gate decisions on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.closure.rules import ClosureStatus, ClosureVote
from tracker.db import utcnow
from tracker.extensions import db


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class EndProjectReport(db.Model):
    __tablename__ = "end_project_reports"
    __table_args__ = (
        UniqueConstraint("project_id", "round"),
        CheckConstraint(_in("status", ClosureStatus), name="status_known"),
        # One report waiting for the board per project.
        Index(
            "uq_end_project_reports_one_pending",
            "project_id",
            unique=True,
            sqlite_where=db.text("status = 'pending'"),
            postgresql_where=db.text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[int]
    gate_name: Mapped[str] = mapped_column(String(200))
    required_roles: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), default=ClosureStatus.PENDING)
    delivered_vs_business_case: Mapped[str] = mapped_column(Text)
    time_performance: Mapped[str] = mapped_column(Text)
    cost_performance: Mapped[str] = mapped_column(Text)
    scope_performance: Mapped[str] = mapped_column(Text)
    quality_performance: Mapped[str] = mapped_column(Text)
    risk_performance: Mapped[str] = mapped_column(Text)
    benefit_performance: Mapped[str] = mapped_column(Text)
    sustainability_performance: Mapped[str] = mapped_column(Text)
    lessons: Mapped[str] = mapped_column(Text)
    handover: Mapped[str] = mapped_column(Text)
    follow_on_actions: Mapped[str] = mapped_column(Text)
    benefits_to_review: Mapped[str] = mapped_column(Text)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    submitted_by: Mapped[User] = relationship()
    decisions: Mapped[list[ClosureDecision]] = relationship(order_by="ClosureDecision.id")

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(r for r in self.required_roles.split(",") if r)


class ClosureDecision(db.Model):
    __tablename__ = "closure_decisions"
    __table_args__ = (
        UniqueConstraint("report_id", "role"),
        UniqueConstraint("report_id", "decided_by_id"),
        CheckConstraint(_in("decision", ClosureVote), name="decision_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("end_project_reports.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(30))
    decision: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    decided_by: Mapped[User] = relationship()
