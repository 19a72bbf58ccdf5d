"""Budget checkpoints: cost entries, time-phased baselines and earned value in money."""

from flask import Blueprint

bp = Blueprint("budget", __name__, url_prefix="/projects/<int:project_id>/budget")


@bp.record_once
def _vocabulary(state) -> None:
    """Templates compare statuses with these enums, never with literals."""
    from tracker.budget.rules import BudgetExceptionStatus, CheckpointStatus

    state.app.jinja_env.globals.update(
        BudgetExceptionStatus=BudgetExceptionStatus,
        CheckpointStatus=CheckpointStatus,
    )


from tracker.budget import subscribers, views  # noqa: E402,F401
