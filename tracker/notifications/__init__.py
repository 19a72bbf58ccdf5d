"""Notifications: each person's in-app inbox, and email sent from an outbox after commit."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications", cli_group="notifications")


@bp.record_once
def _vocabulary(state) -> None:
    """Templates compare statuses with these enums, never with literals."""
    from tracker.notifications.vocabulary import EmailStatus

    state.app.jinja_env.globals.update(
        EmailStatus=EmailStatus,
    )


from tracker.notifications import cli, subscribers, views  # noqa: E402,F401
