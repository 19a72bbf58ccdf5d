"""Pages and plumbing that belong to no one domain: home, health, errors, navigation."""

from flask import Blueprint

bp = Blueprint("core", __name__)

from tracker.core import input_guard, outage, views  # noqa: E402,F401
