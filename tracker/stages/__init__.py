"""Stage-gated delivery: stages, tolerances, gate reviews and exceptions."""

from flask import Blueprint

bp = Blueprint("stages", __name__)

from tracker.stages import views  # noqa: E402,F401
