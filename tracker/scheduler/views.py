"""The job log, for administrators: what ran, when, how long it took, and what failed."""

from __future__ import annotations

from flask import current_app, render_template, request

from tracker.auth.access import admin_required
from tracker.core import events
from tracker.core.pagination import paginate
from tracker.scheduler import bp, queries, registry
from tracker.scheduler.models import RUN_OUTCOMES


@bp.get("")
@admin_required
def job_log():
    job_id = request.args.get("job") or None
    if job_id not in registry.job_ids():
        job_id = None
    # The domains that run on the scheduler add their sections (notifications: the email
    # outbox); the scheduler imports none of them (docs/architecture.md).
    sections: dict = {}
    for values in events.send(events.job_log_sections):
        sections.update(values)
    return render_template(
        "scheduler/job_log.html",
        statuses=queries.job_statuses(),
        processes=queries.processes(current_app.config["SCHEDULER_POLL_SECONDS"]),
        page=paginate(queries.runs(job_id), request.args.get("page")),
        job_id=job_id,
        job_titles=registry.JOB_TITLES,
        outcomes=RUN_OUTCOMES,
        **sections,
    )
