"""The evidence: outcomes by uncertainty zone and method, whether following the method
recommendation went with better outcomes (within zone and size tier), for the PMO.

Above the portfolio: it reads the portfolio's per-project facts."""

from flask import Blueprint

bp = Blueprint("evidence", __name__, url_prefix="/evidence")

from tracker.evidence import views  # noqa: E402,F401
