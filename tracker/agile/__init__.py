"""Agile iterations, backlog items and customer feedback loops."""

from flask import Blueprint

bp = Blueprint("agile", __name__, url_prefix="/projects/<int:project_id>")


@bp.record_once
def _vocabulary(state) -> None:
    """Templates compare statuses with these enums, never with literals."""
    from tracker.agile.rules import ItemStatus, IterationStatus

    state.app.jinja_env.globals.update(ItemStatus=ItemStatus, IterationStatus=IterationStatus)


from tracker.agile import subscribers, views  # noqa: E402,F401
