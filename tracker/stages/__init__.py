"""Stage-gated delivery: stages, tolerances, gate reviews and exceptions."""

from flask import Blueprint

# Its commands are the board's: ``flask governance check``.
bp = Blueprint("stages", __name__, cli_group="governance")

from tracker.stages import cli, views  # noqa: E402,F401
