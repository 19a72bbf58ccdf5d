from __future__ import annotations

import time

import click

from tracker.extensions import db
from tracker.portfolio import bp, summary


@bp.cli.command("refresh")
def refresh() -> None:
    """Rebuild every project's stored portfolio facts from the history tables."""
    started = time.monotonic()
    count = summary.refresh()
    db.session.commit()
    seconds = time.monotonic() - started
    click.echo(f"Refreshed the portfolio facts of {count} projects in {seconds:.1f} s.")


@bp.cli.command("check")
def check() -> None:
    """Compare the stored portfolio facts with a fresh computation; exit 1 if they differ."""
    found = summary.differences()
    if not found:
        click.echo("The stored portfolio facts match the history tables.")
        return
    for difference in found[:20]:
        click.echo(str(difference), err=True)
    click.echo(f"{len(found)} differences: run `flask portfolio refresh`.", err=True)
    raise SystemExit(1)
