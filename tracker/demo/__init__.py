"""Believable demo data for trying the tracker."""

from flask import Blueprint

bp = Blueprint("demo", __name__)

from tracker.demo import cli  # noqa: E402,F401
