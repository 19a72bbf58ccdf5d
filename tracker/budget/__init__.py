"""Budget checkpoints: cost entries, time-phased baselines and earned value in money."""

from flask import Blueprint

bp = Blueprint("budget", __name__, url_prefix="/projects/<int:project_id>/budget")

from tracker.budget import subscribers, views  # noqa: E402,F401
