"""The PMO's portfolio: how each delivery method delivers, and whether following the
method recommendation pays."""

from flask import Blueprint

bp = Blueprint("portfolio", __name__, url_prefix="/portfolio")

from tracker.portfolio import cli, models, subscribers, summary, views  # noqa: E402,F401
