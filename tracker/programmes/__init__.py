"""Programmes and portfolios: projects governed together, with roll-ups a programme board
can trust (docs/programmes.md)."""

from flask import Blueprint

bp = Blueprint("programmes", __name__)

from tracker.programmes import models, views  # noqa: E402,F401
