"""Backup and restore: ``flask backup FILE`` and ``flask restore FILE``."""

from flask import Blueprint

# No routes: only the two top-level commands.
bp = Blueprint("backup", __name__, cli_group=None)

from tracker.backup import cli  # noqa: E402,F401
