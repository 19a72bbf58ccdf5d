"""Stages, gate reviews and the board's decisions, highlight and exception reports."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects.models import Project
from tracker.stages import rules
from tracker.stages.rules import (
    ExceptionStatus,
    ExceptionVote,
    GateStatus,
    Rag,
    StageStatus,
    TargetStatus,
)

STAGE_STATUSES = {
    StageStatus.PLANNED: "Planned",
    StageStatus.AUTHORISED: "Authorised",
    StageStatus.ACTIVE: "Active",
    StageStatus.CLOSED: "Closed",
    StageStatus.IN_EXCEPTION: "In exception",
}
TARGET_STATUSES = {
    TargetStatus.MET: "Met",
    TargetStatus.AT_RISK: "At risk",
    TargetStatus.BREACHED: "Breached",
}
STATED_TARGETS = {
    "scope": "Scope",
    "quality": "Quality",
    "risk": "Risk",
    "benefit": "Benefit",
    "sustainability": "Sustainability",
}
GATE_STATUSES = {
    GateStatus.PENDING: "Waiting for decisions",
    GateStatus.APPROVED: "Approved",
    GateStatus.APPROVED_WITH_CONDITIONS: "Approved with conditions",
    GateStatus.REJECTED: "Rejected",
    GateStatus.CLOSED_EARLY: "Project closed early",
}
GATE_DECISIONS = {
    rules.GateDecision.APPROVE: "Approve",
    rules.GateDecision.APPROVE_WITH_CONDITIONS: "Approve with conditions",
    rules.GateDecision.REJECT: "Reject",
}
RAG = {Rag.GREEN: "Green", Rag.AMBER: "Amber", Rag.RED: "Red"}
EXCEPTION_STATUSES = {
    ExceptionStatus.OPEN: "Waiting for the board",
    ExceptionStatus.PLAN_REQUESTED: "Exception plan requested",
    ExceptionStatus.PLAN_SUBMITTED: "Exception plan waiting for the board",
    ExceptionStatus.DECIDED: "Decided",
}
EXCEPTION_DECISIONS = {
    ExceptionVote.APPROVE_OPTION: "Approve an option",
    ExceptionVote.REQUEST_EXCEPTION_PLAN: "Ask for an exception plan",
    ExceptionVote.APPROVE_EXCEPTION_PLAN: "Approve the exception plan",
    ExceptionVote.CLOSE_PROJECT: "Close the project early",
}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Stage(db.Model):
    """A management stage: its plan, its tolerances, the latest forecast and its status."""

    __tablename__ = "stages"
    __table_args__ = (
        UniqueConstraint("project_id", "sequence"),
        CheckConstraint("sequence >= 1", name="sequence_positive"),
        CheckConstraint("planned_finish >= planned_start", name="finish_after_start"),
        CheckConstraint("planned_budget >= 0", name="budget_not_negative"),
        CheckConstraint("time_tolerance_days >= 0", name="time_tolerance_not_negative"),
        CheckConstraint(
            "(cost_tolerance_percent IS NULL) <> (cost_tolerance_amount IS NULL)",
            name="one_cost_tolerance",
        ),
        CheckConstraint(
            "(cost_tolerance_percent IS NULL OR cost_tolerance_percent >= 0) AND "
            "(cost_tolerance_amount IS NULL OR cost_tolerance_amount >= 0)",
            name="cost_tolerance_not_negative",
        ),
        CheckConstraint(_in("status", StageStatus), name="status_known"),
        *(
            CheckConstraint(_in(f"{name}_status", TargetStatus), name=f"{name}_status_known")
            for name in STATED_TARGETS
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    sequence: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    planned_start: Mapped[date]
    planned_finish: Mapped[date]
    planned_budget: Mapped[Decimal]
    time_tolerance_days: Mapped[int]
    cost_tolerance_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    cost_tolerance_amount: Mapped[Decimal | None]
    scope_target: Mapped[str] = mapped_column(Text)
    quality_target: Mapped[str] = mapped_column(Text)
    risk_target: Mapped[str] = mapped_column(Text)
    benefit_target: Mapped[str] = mapped_column(Text)
    sustainability_target: Mapped[str] = mapped_column(Text)
    scope_status: Mapped[str] = mapped_column(String(10), default=TargetStatus.MET)
    quality_status: Mapped[str] = mapped_column(String(10), default=TargetStatus.MET)
    risk_status: Mapped[str] = mapped_column(String(10), default=TargetStatus.MET)
    benefit_status: Mapped[str] = mapped_column(String(10), default=TargetStatus.MET)
    sustainability_status: Mapped[str] = mapped_column(String(10), default=TargetStatus.MET)
    forecast_finish: Mapped[date | None]
    forecast_cost: Mapped[Decimal | None]
    forecast_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default=StageStatus.PLANNED)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    project: Mapped[Project] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def label(self) -> str:
        return f"Stage {self.sequence}: {self.name}"


class GateReview(db.Model):
    """One round of an end-stage assessment at a boundary, with the manager's report.

    Boundary 0 is the project start, boundary k the end of stage k. A rejected round stays
    on record; the manager may ask again in a new round.
    """

    __tablename__ = "gate_reviews"
    __table_args__ = (
        UniqueConstraint("project_id", "boundary", "round"),
        CheckConstraint("boundary >= 0", name="boundary_not_negative"),
        CheckConstraint("round >= 1", name="round_positive"),
        CheckConstraint(_in("status", GateStatus), name="status_known"),
        # At most one gate waits for decisions on a project at a time.
        Index(
            "uq_gate_reviews_one_pending",
            "project_id",
            unique=True,
            sqlite_where=db.text("status = 'pending'"),
            postgresql_where=db.text("status = 'pending'"),
        ),
        Index("ix_gate_reviews_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    boundary: Mapped[int]
    round: Mapped[int] = mapped_column(default=1)
    closes_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))
    authorises_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_vs_plan: Mapped[str] = mapped_column(Text)
    forecast: Mapped[str] = mapped_column(Text)
    lessons: Mapped[str] = mapped_column(Text)
    next_stage_plan: Mapped[str] = mapped_column(Text)
    # The end-stage report's risks and issues, from the registers when it was written (JSON).
    registers: Mapped[str | None] = mapped_column(Text)
    business_case_justified: Mapped[bool]
    # Snapshot of the approver roles the tailoring required when the gate was requested,
    # comma-separated in board order: a later change of size or criticality does not move
    # the goalposts of a round already under way.
    required_roles: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(30), default=GateStatus.PENDING)
    conditions: Mapped[str | None] = mapped_column(Text)
    outcome_note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    project: Mapped[Project] = relationship()
    requested_by: Mapped[User] = relationship(lazy="joined")
    closes_stage: Mapped[Stage | None] = relationship(foreign_keys=[closes_stage_id])
    authorises_stage: Mapped[Stage | None] = relationship(foreign_keys=[authorises_stage_id])
    decisions: Mapped[list[GateDecision]] = relationship(
        back_populates="gate", order_by="GateDecision.decided_at", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(role for role in self.required_roles.split(",") if role)


class GateDecision(db.Model):
    """One board role's decision on one gate round. A role decides once (unique)."""

    __tablename__ = "gate_decisions"
    __table_args__ = (
        UniqueConstraint("gate_id", "role"),
        CheckConstraint(_in("decision", rules.GateDecision), name="decision_known"),
        CheckConstraint(
            _in("role", ("executive", "senior_user", "senior_supplier")), name="role_known"
        ),
        Index("ix_gate_decisions_decided_by", "decided_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gate_id: Mapped[int] = mapped_column(ForeignKey("gate_reviews.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(30))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    gate: Mapped[GateReview] = relationship(back_populates="decisions")
    decided_by: Mapped[User] = relationship(lazy="joined")


class HighlightReport(db.Model):
    """Periodic status from the manager to the board. Never edited: a correction is a new one."""

    __tablename__ = "highlight_reports"
    __table_args__ = (
        CheckConstraint("period_end >= period_start", name="period_end_after_start"),
        CheckConstraint(_in("overall_status", Rag), name="overall_status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))
    period_start: Mapped[date]
    period_end: Mapped[date]
    overall_status: Mapped[str] = mapped_column(String(10))
    this_period: Mapped[str] = mapped_column(Text)
    next_period: Mapped[str] = mapped_column(Text)
    # JSON list of {"dimension", "status", "limit", "forecast"}, filled from the stage's data
    # when the report is written, so the report shows what the board saw at the time.
    tolerance_status: Mapped[str] = mapped_column(Text, default="[]")
    issues_and_risks: Mapped[str] = mapped_column(Text)
    # The registers' section as it stood when sent (tracker.registers.reports.section),
    # JSON; None on reports sent before the registers fed them.
    registers: Mapped[str | None] = mapped_column(Text)
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)

    stage: Mapped[Stage | None] = relationship()
    reported_by: Mapped[User] = relationship(lazy="joined")


class ExceptionReport(db.Model):
    """Raised when a stage's forecast breaches tolerance; the board decides what happens."""

    __tablename__ = "exception_reports"
    __table_args__ = (
        CheckConstraint(_in("status", ExceptionStatus), name="status_known"),
        CheckConstraint(
            "decision IS NULL OR " + _in("decision", ExceptionVote), name="decision_known"
        ),
        # One open exception per stage at a time.
        Index(
            "uq_exception_reports_one_open",
            "stage_id",
            unique=True,
            sqlite_where=db.text("status <> 'decided'"),
            postgresql_where=db.text("status <> 'decided'"),
        ),
        Index("ix_exception_reports_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"))
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The breaches as the manager saw them when raising the report (one per line).
    breaches: Mapped[str] = mapped_column(Text)
    cause: Mapped[str] = mapped_column(Text)
    consequences: Mapped[str] = mapped_column(Text)
    recommendation: Mapped[str] = mapped_column(Text)
    # The risks and issues when the exception was raised, from the registers (JSON).
    registers: Mapped[str | None] = mapped_column(Text)
    recommended_option: Mapped[int | None]
    # Board roles that may decide, snapshot at raising (comma-separated).
    required_roles: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), default=ExceptionStatus.OPEN)
    decision: Mapped[str | None] = mapped_column(String(30))
    chosen_option: Mapped[int | None]
    decision_comment: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_role: Mapped[str | None] = mapped_column(String(30))
    decided_at: Mapped[datetime | None]
    plan_finish: Mapped[date | None]
    plan_budget: Mapped[Decimal | None]
    plan_summary: Mapped[str | None] = mapped_column(Text)
    plan_submitted_at: Mapped[datetime | None]
    plan_submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Which round of board decisions is open: 1 for the options, one more for each exception
    # plan submitted (see ``ExceptionDecision``).
    round: Mapped[int] = mapped_column(default=1, server_default="1")
    version: Mapped[int] = mapped_column(default=1)

    stage: Mapped[Stage] = relationship()
    project: Mapped[Project] = relationship()
    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    plan_submitted_by: Mapped[User | None] = relationship(foreign_keys=[plan_submitted_by_id])
    decisions: Mapped[list[ExceptionDecision]] = relationship(
        back_populates="report",
        order_by="ExceptionDecision.decided_at",
        cascade="all, delete-orphan",
    )
    options: Mapped[list[ExceptionOption]] = relationship(
        back_populates="report",
        order_by="ExceptionOption.number",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(role for role in self.required_roles.split(",") if role)


class ExceptionDecision(db.Model):
    """One board role's decision in one round of an exception report. A role decides once
    per round (unique); the report resolves by ``rules.resolve_exception``."""

    __tablename__ = "exception_decisions"
    __table_args__ = (
        UniqueConstraint("report_id", "round", "role"),
        CheckConstraint(_in("decision", ExceptionVote), name="decision_known"),
        CheckConstraint(
            _in("role", ("executive", "senior_user", "senior_supplier")), name="role_known"
        ),
        Index("ix_exception_decisions_decided_by", "decided_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("exception_reports.id", ondelete="CASCADE"))
    round: Mapped[int]
    role: Mapped[str] = mapped_column(String(30))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(30))
    option: Mapped[int | None]
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[ExceptionReport] = relationship(back_populates="decisions")
    decided_by: Mapped[User] = relationship(lazy="joined")


class ExceptionOption(db.Model):
    """One way out of an exception, with its effect on cost, time and risk."""

    __tablename__ = "exception_options"
    __table_args__ = (
        UniqueConstraint("report_id", "number"),
        CheckConstraint("number BETWEEN 1 AND 3", name="number_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("exception_reports.id", ondelete="CASCADE"))
    number: Mapped[int]
    summary: Mapped[str] = mapped_column(Text)
    cost_effect: Mapped[str] = mapped_column(Text)
    time_effect: Mapped[str] = mapped_column(Text)
    risk_effect: Mapped[str] = mapped_column(Text)

    report: Mapped[ExceptionReport] = relationship(back_populates="options")
