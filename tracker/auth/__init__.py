"""People, sign-in and global roles."""

from flask import Blueprint

bp = Blueprint("auth", __name__, cli_group="users")

from tracker.auth import cli, sso, views  # noqa: E402,F401

# Each app gets its own OpenID provider clients, from its own configuration.
bp.record_once(lambda state: sso.init_app(state.app))
