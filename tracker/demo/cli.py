from __future__ import annotations

import os
import secrets
from pathlib import Path

import click
from flask import current_app

from tracker.auth.rules import password_problems
from tracker.demo import bp, data
from tracker.extensions import db


def demo_password() -> str:
    """``TRACKER_DEMO_PASSWORD`` if set; else one generated once and kept in the instance
    folder, so the printed logins stay the same from run to run."""
    configured = os.environ.get("TRACKER_DEMO_PASSWORD")
    if configured:
        return configured
    path = Path(current_app.instance_path) / "demo_password"
    if path.exists():
        return path.read_text().strip()
    password = "demo-" + secrets.token_urlsafe(12)
    path.write_text(password)
    path.chmod(0o600)
    return password


@bp.cli.command("load")
def load() -> None:
    """Load the demo portfolio (safe to run again) and print the demo logins."""
    password = demo_password()
    problems = password_problems(password)
    if problems:
        raise click.BadParameter("; ".join(problems), param_hint="TRACKER_DEMO_PASSWORD")
    created = data.load(password)
    db.session.commit()
    added = ", ".join(f"{count} {what}" for what, count in created.items())
    click.echo(f"Demo data ready ({added} added).")
    click.echo("")
    click.echo(f"Demo logins (password for all: {password}):")
    for email, name, role in data.demo_logins():
        click.echo(f"  {email:<36} {name:<18} {role}")
