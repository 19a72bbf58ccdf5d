"""Organisations: the agencies that lead and partner in projects."""

from flask import Blueprint

bp = Blueprint("orgs", __name__, url_prefix="/organisations")

from tracker.orgs import subscribers, views  # noqa: E402,F401
