"""Closure through an end-project report and the board's closing gate."""

from flask import Blueprint

bp = Blueprint("closure", __name__)


@bp.record_once
def _vocabulary(state) -> None:
    from tracker.closure.rules import ClosureStatus

    state.app.jinja_env.globals.update(ClosureStatus=ClosureStatus)


from tracker.closure import subscribers, views  # noqa: E402,F401
