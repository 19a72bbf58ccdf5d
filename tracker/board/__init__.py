"""What the board decides from and follows up: the evidence at a gate or exception and the
conditions of an approval, tracked as actions to done."""

from flask import Blueprint

bp = Blueprint("board", __name__)


@bp.record_once
def _vocabulary(state) -> None:
    """Templates compare statuses with these enums, never with literals."""
    from tracker.board.rules import ConditionStatus, DcaRating

    state.app.jinja_env.globals.update(ConditionStatus=ConditionStatus, DcaRating=DcaRating)


from tracker.board import subscribers, views  # noqa: E402,F401
