"""The PMO's portfolio: how each delivery method delivers, and whether following the
method recommendation pays."""

from flask import Blueprint

bp = Blueprint("portfolio", __name__, url_prefix="/portfolio")

from tracker.core import sqlite  # noqa: E402
from tracker.portfolio import cli, models, subscribers, summary, views  # noqa: E402,F401
from tracker.portfolio.sql import register_sqlite_functions  # noqa: E402

sqlite.on_connect(register_sqlite_functions)
