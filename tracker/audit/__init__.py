"""The tamper-evident audit trail."""

from flask import Blueprint

bp = Blueprint("audit", __name__)

from tracker.audit import cli  # noqa: E402,F401
