"""Reads for the job log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Select, func, select

from tracker.db import utcnow
from tracker.extensions import db
from tracker.scheduler import registry, rules
from tracker.scheduler.models import JobRun, SchedulerProcess
from tracker.scheduler.rules import RunOutcome


@dataclass(frozen=True)
class JobStatus:
    job_id: str
    title: str
    schedule: str
    last_run: JobRun | None
    last_success: JobRun | None


def job_statuses() -> list[JobStatus]:
    """Each registered job with its latest run and latest successful run (two queries)."""
    ids = registry.job_ids()

    def latest(*conditions) -> dict[str, JobRun]:
        newest = (
            select(JobRun.job_id, func.max(JobRun.id).label("run_id"))
            .where(JobRun.job_id.in_(ids), *conditions)
            .group_by(JobRun.job_id)
            .subquery()
        )
        runs = db.session.scalars(select(JobRun).join(newest, newest.c.run_id == JobRun.id))
        return {run.job_id: run for run in runs}

    last = latest()
    succeeded = latest(JobRun.outcome == RunOutcome.SUCCEEDED)
    return [
        JobStatus(
            job_id,
            registry.JOB_TITLES.get(job_id, job_id),
            rules.describe_trigger(spec),
            last.get(job_id),
            succeeded.get(job_id),
        )
        for job_id, _, spec in registry.JOBS
    ]


def runs(job_id: str | None = None) -> Select:
    statement = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc())
    if job_id:
        statement = statement.where(JobRun.job_id == job_id)
    return statement


@dataclass(frozen=True)
class Processes:
    active: SchedulerProcess | None
    standbys: list[SchedulerProcess]


def processes(poll_seconds: float) -> Processes:
    """The scheduler processes that reported in within three polls (one query): the
    active one and its standbys."""
    seen = db.session.scalars(
        select(SchedulerProcess)
        .where(SchedulerProcess.seen_at >= utcnow() - timedelta(seconds=poll_seconds * 3))
        .order_by(SchedulerProcess.started_at)
    ).all()
    active = next((row for row in seen if row.active_since is not None), None)
    return Processes(active, [row for row in seen if row is not active])
