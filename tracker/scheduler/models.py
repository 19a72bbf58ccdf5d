"""The scheduler's state in the application database: APScheduler's job store, the run log,
and the unique keys that make every job idempotent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    Unicode,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import utcnow
from tracker.extensions import db
from tracker.scheduler.rules import RunOutcome

RUN_OUTCOMES = {
    RunOutcome.RUNNING: "Running",
    RunOutcome.SUCCEEDED: "Succeeded",
    RunOutcome.FAILED: "Failed",
}

# APScheduler's SQLAlchemyJobStore table, declared here (same columns as APScheduler's own)
# so that the migrations, not the scheduler, create it.
scheduler_jobs = Table(
    "scheduler_jobs",
    db.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


class JobRun(db.Model):
    """One run of one job: when, for which day, how it ended and what it did."""

    __tablename__ = "job_runs"
    __table_args__ = (
        CheckConstraint(
            "outcome IN (" + ", ".join(repr(str(o)) for o in RunOutcome) + ")", name="outcome_known"
        ),
        CheckConstraint("done >= 0", name="done_not_negative"),
        Index("ix_job_runs_job_started", "job_id", "started_at"),
        # One run per job per due time (and per attempt, when a successor re-runs a run its
        # dead predecessor left unfinished): two schedulers can never both run it.
        Index("ux_job_runs_job_due_attempt", "job_id", "due_at", "attempt", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(60))
    # The UK calendar day the run worked for (ISO date): the period its keys are counted in.
    period_key: Mapped[str] = mapped_column(String(20))
    # Which process ran it (host:pid), so two schedulers started by mistake show up here.
    runner: Mapped[str] = mapped_column(String(120), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(20), default=RunOutcome.RUNNING)
    done: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # When the scheduler was due to run it (none for runs started by hand with run-job).
    due_at: Mapped[datetime | None]
    attempt: Mapped[int] = mapped_column(default=1, server_default="1")

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class JobKey(db.Model):
    """Proof that a job has done its work for one subject in one period.

    Inserted in the same transaction as the work itself: a second run, even at the same
    moment in another process, meets the unique constraint and does nothing.
    """

    __tablename__ = "job_keys"
    __table_args__ = (UniqueConstraint("job_id", "subject", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(120))
    period_key: Mapped[str] = mapped_column(String(40))
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("job_runs.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SchedulerProcess(db.Model):
    """A ``flask scheduler run`` process that reported in: the active one and its standbys.

    Each process writes its own row every poll. Who is active is decided by the PostgreSQL
    advisory lock, never by this table: it is what the job log shows.
    """

    __tablename__ = "scheduler_processes"

    runner: Mapped[str] = mapped_column(String(120), primary_key=True)
    host: Mapped[str] = mapped_column(String(100))
    pid: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    active_since: Mapped[datetime | None]
