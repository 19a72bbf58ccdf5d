"""Change control: change requests raised from issues, decided under the project's
delegated change authority, and approved changes moving the plan through the stage
re-planning and budget re-baselining. Above stages and budget, whose services it calls."""

from flask import Blueprint

bp = Blueprint("changes", __name__, url_prefix="/projects")


@bp.record_once
def _vocabulary(state) -> None:
    from tracker.changes import rules

    state.app.jinja_env.globals.update(
        ChangeStatus=rules.ChangeStatus,
        CHANGE_STATUSES=rules.CHANGE_STATUSES,
        CHANGE_AUTHORITIES=rules.AUTHORITIES,
    )


from tracker.changes import views  # noqa: E402,F401
