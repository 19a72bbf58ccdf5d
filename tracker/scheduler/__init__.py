"""Scheduled jobs: the registry, the separate scheduler process, and the job log for admins.

Web workers never start the scheduler: ``flask scheduler run`` is its own process, so
gunicorn with several workers still runs each job once.
"""

from flask import Blueprint

bp = Blueprint("scheduler", __name__, url_prefix="/admin/jobs", cli_group="scheduler")


@bp.record_once
def _vocabulary(state) -> None:
    """Templates compare statuses with these enums, never with literals."""
    from tracker.scheduler.rules import RunOutcome

    state.app.jinja_env.globals.update(
        RunOutcome=RunOutcome,
    )


from tracker.scheduler import cli, views  # noqa: E402,F401
