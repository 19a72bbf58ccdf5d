"""Projects, their people, and their history."""

from flask import Blueprint

bp = Blueprint("projects", __name__, url_prefix="/projects")


@bp.record_once
def _vocabulary(state) -> None:
    """Templates compare a project's status with the enum, never with a literal."""
    from tracker.projects.rules import ProjectStatus

    state.app.jinja_env.globals["ProjectStatus"] = ProjectStatus


from tracker.projects import subscribers, views  # noqa: E402,F401
