"""``flask scheduler …``: run the scheduler process, list the jobs, run one job now."""

from __future__ import annotations

import logging
import sys
from datetime import date

import click
from flask import current_app

from tracker.scheduler import bp, registry, rules, services
from tracker.scheduler.rules import RunOutcome


@bp.cli.command("run")
def run() -> None:
    """Run the scheduled jobs until stopped. On PostgreSQL run one on each of several
    machines: one is active, the others take over if it stops. On SQLite run one only."""
    from tracker.scheduler import process

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        process.check_registry()
    except RuntimeError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    try:
        process.run_forever(current_app._get_current_object())
    except process.SchedulerRefused as error:
        click.echo(str(error), err=True)
        sys.exit(1)


@bp.cli.command("list")
def list_jobs() -> None:
    """Show the registered jobs and when each runs."""
    for job_id, path, spec in registry.JOBS:
        click.echo(f"{job_id:<24} {rules.describe_trigger(spec):<24} {path}")


@bp.cli.command("run-job")
@click.argument("job_id")
@click.option(
    "--day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Run as if today were this day (YYYY-MM-DD).",
)
def run_job(job_id: str, day) -> None:
    """Run one job now, logged like a scheduled run."""
    if registry.find(job_id) is None:
        click.echo(f"No job called {job_id}. Jobs: {', '.join(registry.job_ids())}", err=True)
        sys.exit(2)
    today: date | None = day.date() if day else None
    run = services.run_job(job_id, today)
    if run.outcome == RunOutcome.FAILED:
        click.echo(f"{job_id} failed:\n{run.error}", err=True)
        sys.exit(1)
    click.echo(f"{job_id}: done {run.done} ({run.seconds:.1f}s).")
