"""Agile phases, their service assessments (each assessor's decision and point results)
and the exceptions raised when a phase spends past its released funding."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.db import utcnow
from tracker.extensions import db
from tracker.phases.rules import (
    PHASE_LABELS,
    AssessmentStatus,
    FundingExceptionStatus,
    PhaseKind,
    PhaseStatus,
)


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Phase(db.Model):
    __tablename__ = "phases"
    __table_args__ = (
        UniqueConstraint("project_id", "kind"),
        UniqueConstraint("project_id", "sequence"),
        CheckConstraint(_in("kind", PhaseKind), name="kind_known"),
        CheckConstraint(_in("status", PhaseStatus), name="status_known"),
        CheckConstraint("released_budget >= 0", name="released_not_negative"),
        CheckConstraint("sequence BETWEEN 1 AND 5", name="sequence_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    sequence: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default=PhaseStatus.PLANNED)
    released_budget: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    started_on: Mapped[date | None]
    passed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def label(self) -> str:
        return PHASE_LABELS[PhaseKind(self.kind)]


class ServiceAssessment(db.Model):
    """The assessment at the end of a phase; a failed one is re-run as the next round."""

    __tablename__ = "service_assessments"
    __table_args__ = (
        UniqueConstraint("phase_id", "round"),
        CheckConstraint(_in("status", AssessmentStatus), name="status_known"),
        CheckConstraint("round >= 1", name="round_positive"),
        # One assessment waiting per phase at a time.
        Index(
            "uq_service_assessments_one_pending",
            "phase_id",
            unique=True,
            sqlite_where=db.text("status = 'pending'"),
            postgresql_where=db.text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    phase_id: Mapped[int] = mapped_column(ForeignKey("phases.id", ondelete="CASCADE"))
    round: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    points: Mapped[str] = mapped_column(Text)  # the framework's points, one a line
    required_roles: Mapped[str] = mapped_column(String(60))
    summary: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=AssessmentStatus.PENDING)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    phase: Mapped[Phase] = relationship()
    requested_by: Mapped[User] = relationship()
    decisions: Mapped[list[AssessmentDecision]] = relationship(
        order_by="AssessmentDecision.id", back_populates="assessment"
    )

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(r for r in self.required_roles.split(",") if r)

    @property
    def point_list(self) -> list[str]:
        return [p for p in self.points.splitlines() if p.strip()]


class AssessmentDecision(db.Model):
    """One assessor's record: every point met or not (with a note), for one board role."""

    __tablename__ = "assessment_decisions"
    __table_args__ = (
        UniqueConstraint("assessment_id", "role"),
        UniqueConstraint("assessment_id", "decided_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("service_assessments.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(30))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    passed: Mapped[bool]
    comment: Mapped[str] = mapped_column(Text, default="")

    assessment: Mapped[ServiceAssessment] = relationship(back_populates="decisions")
    decided_by: Mapped[User] = relationship()
    results: Mapped[list[AssessmentPointResult]] = relationship(
        order_by="AssessmentPointResult.position", cascade="all, delete-orphan"
    )


class AssessmentPointResult(db.Model):
    __tablename__ = "assessment_point_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_decisions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    point: Mapped[str] = mapped_column(String(300))
    met: Mapped[bool]
    note: Mapped[str] = mapped_column(Text, default="")


class FundingException(db.Model):
    """A phase spent past its released funding: the Executive releases more or stops it."""

    __tablename__ = "phase_funding_exceptions"
    __table_args__ = (
        CheckConstraint(_in("status", FundingExceptionStatus), name="status_known"),
        Index(
            "uq_phase_funding_exceptions_one_open",
            "phase_id",
            unique=True,
            sqlite_where=db.text("status = 'open'"),
            postgresql_where=db.text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    phase_id: Mapped[int] = mapped_column(ForeignKey("phases.id", ondelete="CASCADE"))
    spent: Mapped[Decimal]
    released: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(20), default=FundingExceptionStatus.OPEN)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    phase: Mapped[Phase] = relationship()
