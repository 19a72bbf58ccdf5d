"""Projects, their people, and their history."""

from flask import Blueprint

bp = Blueprint("projects", __name__, url_prefix="/projects")

from tracker.projects import subscribers, views  # noqa: E402,F401
