from __future__ import annotations

import os
import secrets
import time
import urllib.request
from pathlib import Path

import click
from flask import current_app

from tracker.auth.models import User
from tracker.auth.rules import password_problems
from tracker.demo import bp, data, national
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
@click.option(
    "--scale",
    type=click.Choice(list(national.SCALES)),
    default="demo",
    show_default=True,
    help="demo: the demo portfolio; small and national add 100 or 10,000 generated "
    "projects (for the benchmark) to it.",
)
def load(scale: str) -> None:
    """Load the demo portfolio (safe to run again) and print the demo logins."""
    password = demo_password()
    problems = password_problems(password)
    if problems:
        raise click.BadParameter("; ".join(problems), param_hint="TRACKER_DEMO_PASSWORD")
    created = data.load(password)
    db.session.commit()
    added = ", ".join(f"{count} {what}" for what, count in created.items())
    click.echo(f"Demo data ready ({added} added).")
    if national.SCALES[scale]:
        _generate(national.SCALES[scale], password)
    click.echo("")
    _echo_logins(password)


def _echo_logins(password: str) -> None:
    click.echo(f"Demo logins (password for all: {password}):")
    for email, name, role in data.demo_logins():
        click.echo(f"  {email:<36} {name:<18} {role}")


def _wait_for(url: str, seconds: float) -> bool:
    """Whether the app at ``url`` answers its health check within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url.rstrip('/')}/health", timeout=2) as response:  # noqa: S310 - a local http(s) address
                if response.status == 200:
                    return True
        except (OSError, ValueError):
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.25)


@bp.cli.command("logins")
@click.option("--url", required=True, help="Where the tracker is served, as people open it.")
@click.option(
    "--wait",
    type=float,
    default=0,
    show_default=True,
    help="Seconds to wait for the tracker to answer at --url before printing.",
)
@click.option("--log", "log_file", default=None, help="The log file, named for the reader.")
def logins(url: str, wait: float, log_file: str | None) -> None:
    """Print where to open the tracker and the demo logins (``make run`` ends with this)."""
    if wait and not _wait_for(url, wait):
        message = f"The tracker did not start at {url}."
        if log_file:
            message += f" See {log_file}."
        raise click.ClickException(message)
    click.echo("")
    _echo_logins(demo_password())
    click.echo("")
    if log_file:
        click.echo(f"Log, and the emails it would send: {log_file}")
    click.echo(f"Governance Tracker is running at {url}  (press Ctrl+C to stop)")


def _generate(projects: int, password: str) -> None:
    """Add the generated portfolio once: a database that already has it is left alone."""
    if national.generated_projects():
        click.echo("The generated portfolio is already loaded: nothing added.")
        return
    hasher = User(name="", email="")
    hasher.set_password(password)  # hashed once; every generated person shares it
    started = time.monotonic()
    with click.progressbar(length=projects, label=f"Generating {projects:,} projects") as bar:

        def progress(plans):
            for plan in plans:
                yield plan
                bar.update(1)

        counts = national.generate(projects, password_hash=hasher.password_hash, progress=progress)
    db.session.commit()
    seconds = time.monotonic() - started
    click.echo(
        f"Generated in {seconds:.0f} s: "
        + ", ".join(f"{count:,} {table}" for table, count in counts.items())
        + "."
    )
    click.echo(
        f"Generated people sign in as e.g. manager.N@{national.EMAIL_DOMAIN}, same password."
    )
