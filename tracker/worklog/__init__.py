"""Work logging: time entries, weekly timesheets, hourly rates and labour cost."""

from flask import Blueprint

bp = Blueprint("worklog", __name__)


@bp.record_once
def _vocabulary(state) -> None:
    """Templates compare statuses with these enums, never with literals."""
    from tracker.worklog.rules import WeekStatus

    state.app.jinja_env.globals.update(
        WeekStatus=WeekStatus,
    )


from tracker.worklog import subscribers, views  # noqa: E402,F401
