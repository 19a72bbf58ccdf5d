"""Agile iterations, backlog items and customer feedback loops."""

from flask import Blueprint

bp = Blueprint("agile", __name__, url_prefix="/projects/<int:project_id>")

from tracker.agile import subscribers, views  # noqa: E402,F401
