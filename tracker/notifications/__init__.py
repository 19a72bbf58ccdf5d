"""Notifications: each person's in-app inbox, and email sent from an outbox after commit."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications", cli_group="notifications")

from tracker.notifications import cli, subscribers, views  # noqa: E402,F401
