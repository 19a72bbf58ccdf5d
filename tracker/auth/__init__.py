"""People, sign-in and global roles."""

from flask import Blueprint

bp = Blueprint("auth", __name__, cli_group="users")

from tracker.auth import cli, views  # noqa: E402,F401
