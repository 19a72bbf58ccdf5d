"""Cost entries, baselines and budget checkpoints: the money side of every method.

Nothing here is edited once written. A wrong cost is corrected by a credit note, a changed
plan by a new baseline (with its reason), a wrong checkpoint by a later checkpoint. The
history is therefore the record, and the UNIQUE keys below are what stop a double-submitted
form, a re-run scheduled job or two people acting at once from writing anything twice.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.budget.rules import (
    COST_CATEGORIES,
    BudgetDecision,
    BudgetExceptionStatus,
    CheckpointStatus,
)
from tracker.db import utcnow
from tracker.extensions import db

CATEGORY_LABELS = {
    "staff": "Staff",
    "supplier": "Supplier",
    "capital": "Capital",
    "other": "Other",
}
BASELINE_KINDS = {
    "stage": "Stage plan",
    "release": "Release plan",
    "hybrid": "Stages with iterations inside",
}
TRIGGERS = {
    "manual": "Taken by the project manager",
    "gate": "Gate approval",
    "iteration": "Iteration close",
    "monthly": "Monthly check",
}
CHECKPOINT_STATUSES = {
    CheckpointStatus.WITHIN: "Within tolerance",
    CheckpointStatus.AT_RISK: "At risk",
    CheckpointStatus.BREACHED: "Breached",
}
EXCEPTION_STATUSES = {
    BudgetExceptionStatus.OPEN: "Waiting for the board",
    BudgetExceptionStatus.DECIDED: "Decided",
}
EXCEPTION_DECISIONS = {
    BudgetDecision.ACCEPT: "Accept the forecast and continue",
    BudgetDecision.REBASELINE: "Ask the manager to re-baseline",
}

# Indices are stored at full precision (the exact ratio of the checkpoint's own penny
# amounts, to 12 decimal places: the rules' INDEX_PLACES); pages show two. 16 digits before
# the point hold any ratio of two amounts a money column can store.
IndexExact = Numeric(28, 12)


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class CostImport(db.Model):
    """One CSV file imported whole. ``token`` makes a re-submitted upload a no-op."""

    __tablename__ = "cost_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    row_count: Mapped[int]
    total: Mapped[Decimal]
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    imported_by: Mapped[User | None] = relationship()


class CostEntry(db.Model):
    """Money spent (or, negative, credited back) on a project, on a day."""

    __tablename__ = "cost_entries"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        CheckConstraint(
            "amount > 0 OR (credit_reason IS NOT NULL AND credit_reason <> '')",
            name="credit_has_reason",
        ),
        CheckConstraint(_in("category", COST_CATEGORIES), name="category_known"),
        CheckConstraint("stage_id IS NULL OR iteration_id IS NULL", name="stage_or_iteration"),
        Index("ix_cost_entries_project_spent", "project_id", "spent_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    spent_on: Mapped[date]
    amount: Mapped[Decimal]
    category: Mapped[str] = mapped_column(String(20))
    supplier: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(String(500))
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"), index=True)
    iteration_id: Mapped[int | None] = mapped_column(ForeignKey("iterations.id"), index=True)
    credit_reason: Mapped[str | None] = mapped_column(Text)
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("cost_imports.id", ondelete="CASCADE"), index=True
    )
    # The hidden token of the form that created it: a second submission of the same form
    # hits this UNIQUE key instead of recording the cost twice.
    token: Mapped[str | None] = mapped_column(String(64), unique=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User | None] = relationship()


class Baseline(db.Model):
    """One version of the time-phased plan. The highest number is the current one."""

    __tablename__ = "budget_baselines"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(_in("kind", BASELINE_KINDS), name="kind_known"),
        CheckConstraint("bac >= 0", name="bac_not_negative"),
        CheckConstraint(
            "planned_points IS NULL OR planned_points > 0", name="planned_points_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    bac: Mapped[Decimal]
    planned_points: Mapped[int | None]
    starts_on: Mapped[date]
    finishes_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship()
    lines: Mapped[list[BaselineLine]] = relationship(
        back_populates="baseline",
        order_by="(BaselineLine.start_on, BaselineLine.id)",
        cascade="all, delete-orphan",
    )


class BaselineLine(db.Model):
    """A stage or iteration as it was planned when the baseline was set (a snapshot)."""

    __tablename__ = "budget_baseline_lines"
    __table_args__ = (
        CheckConstraint(_in("kind", ("stage", "iteration")), name="kind_known"),
        CheckConstraint("end_on >= start_on", name="end_after_start"),
        CheckConstraint("budget >= 0", name="budget_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    baseline_id: Mapped[int] = mapped_column(
        ForeignKey("budget_baselines.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))
    iteration_id: Mapped[int | None] = mapped_column(ForeignKey("iterations.id"))
    name: Mapped[str] = mapped_column(String(200))
    start_on: Mapped[date]
    end_on: Mapped[date]
    budget: Mapped[Decimal]

    baseline: Mapped[Baseline] = relationship(back_populates="lines")


class Checkpoint(db.Model):
    """A dated snapshot of PV, EV and AC and every figure derived from them.

    ``period`` (YYYY-MM) is set only by the monthly job; with the UNIQUE key it allows one
    scheduled checkpoint per project per month however often the job runs. A gate or an
    iteration produces at most one checkpoint (UNIQUE gate_id / iteration_id).
    """

    __tablename__ = "budget_checkpoints"
    __table_args__ = (
        UniqueConstraint("project_id", "period"),
        UniqueConstraint("gate_id"),
        UniqueConstraint("iteration_id"),
        CheckConstraint(_in("trigger", TRIGGERS), name="trigger_known"),
        CheckConstraint(
            "status IS NULL OR " + _in("status", CheckpointStatus), name="status_known"
        ),
        CheckConstraint("(trigger = 'monthly') = (period IS NOT NULL)", name="period_if_monthly"),
        Index("ix_budget_checkpoints_project_taken", "project_id", "taken_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    baseline_id: Mapped[int] = mapped_column(ForeignKey("budget_baselines.id"))
    taken_on: Mapped[date]
    trigger: Mapped[str] = mapped_column(String(20))
    period: Mapped[str | None] = mapped_column(String(7))
    gate_id: Mapped[int | None] = mapped_column(ForeignKey("gate_reviews.id"))
    iteration_id: Mapped[int | None] = mapped_column(ForeignKey("iterations.id"))
    bac: Mapped[Decimal]
    pv: Mapped[Decimal]
    ev: Mapped[Decimal]
    ac: Mapped[Decimal]
    cv: Mapped[Decimal]
    sv: Mapped[Decimal]
    cpi: Mapped[Decimal | None] = mapped_column(IndexExact)
    spi: Mapped[Decimal | None] = mapped_column(IndexExact)
    eac: Mapped[Decimal | None]
    eac_atypical: Mapped[Decimal]
    eac_cpi_spi: Mapped[Decimal | None]
    etc: Mapped[Decimal | None]
    vac: Mapped[Decimal | None]
    tcpi: Mapped[Decimal | None] = mapped_column(IndexExact)
    percent_complete: Mapped[Decimal | None] = mapped_column(Numeric(7, 1))
    percent_spent: Mapped[Decimal | None] = mapped_column(Numeric(12, 1))
    completed_points: Mapped[int | None]
    planned_points: Mapped[int | None]
    # Status against the project's cost tolerance (EAC against BAC), and the stage's.
    status: Mapped[str | None] = mapped_column(String(20))
    tolerance: Mapped[str] = mapped_column(String(40), default="")
    tolerance_limit: Mapped[Decimal | None]
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))
    stage_status: Mapped[str | None] = mapped_column(String(20))
    stage_eac: Mapped[Decimal | None]
    # JSON {figure: reason} for the figures that are undefined ("—" on the page).
    reasons: Mapped[str] = mapped_column(Text, default="{}")
    note: Mapped[str] = mapped_column(Text, default="")
    # A manual checkpoint's form token: submitting the form twice takes one checkpoint.
    token: Mapped[str | None] = mapped_column(String(64), unique=True)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    baseline: Mapped[Baseline] = relationship()
    taken_by: Mapped[User | None] = relationship()
    progress: Mapped[list[CheckpointStage]] = relationship(
        back_populates="checkpoint", cascade="all, delete-orphan"
    )

    @property
    def rag(self) -> str | None:
        worst = _worst(self.status, self.stage_status)
        return {"within": "green", "at_risk": "amber", "breached": "red"}.get(worst or "")


def _worst(*statuses: str | None) -> str | None:
    order = ["within", "at_risk", "breached"]
    known = [s for s in statuses if s in order]
    return max(known, key=order.index) if known else None


class CheckpointStage(db.Model):
    """The percent complete reported for one stage at a checkpoint, and the EV it earned."""

    __tablename__ = "budget_checkpoint_stages"
    __table_args__ = (
        UniqueConstraint("checkpoint_id", "stage_id"),
        CheckConstraint("percent_complete BETWEEN 0 AND 100", name="percent_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(
        ForeignKey("budget_checkpoints.id", ondelete="CASCADE")
    )
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"))
    budget: Mapped[Decimal]
    percent_complete: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    ev: Mapped[Decimal]

    checkpoint: Mapped[Checkpoint] = relationship(back_populates="progress")


class BudgetException(db.Model):
    """A cost-tolerance breach on a project without stages (agile): the board decides.

    Stage-gated and hybrid projects raise theirs through the stage's exception process.
    """

    __tablename__ = "budget_exceptions"
    __table_args__ = (
        UniqueConstraint("checkpoint_id"),
        CheckConstraint(_in("status", BudgetExceptionStatus), name="status_known"),
        CheckConstraint(
            "decision IS NULL OR " + _in("decision", BudgetDecision), name="decision_known"
        ),
        # One open budget exception per project at a time.
        Index(
            "uq_budget_exceptions_one_open",
            "project_id",
            unique=True,
            sqlite_where=db.text("status = 'open'"),
            postgresql_where=db.text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("budget_checkpoints.id"))
    breach: Mapped[str] = mapped_column(Text)
    required_roles: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), default=BudgetExceptionStatus.OPEN)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    decision: Mapped[str | None] = mapped_column(String(20))
    decision_comment: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_role: Mapped[str | None] = mapped_column(String(30))
    decided_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    checkpoint: Mapped[Checkpoint] = relationship()
    decided_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(role for role in self.required_roles.split(",") if role)
