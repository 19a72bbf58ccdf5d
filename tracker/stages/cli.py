"""``flask governance check``: report records that break the segregation of duties."""

from __future__ import annotations

import sys

import click

from tracker.stages import bp, queries


@bp.cli.command("check")
def check() -> None:
    """List every breach of the segregation of duties; exit 1 if there is any. Nothing is
    changed: the PMO corrects each record through the pages, so the audit trail shows it."""
    breaches = queries.segregation_breaches()
    for line in breaches:
        click.echo(line)
    if breaches:
        click.echo(f"{len(breaches)} breaches of the segregation of duties.", err=True)
        sys.exit(1)
    click.echo("No breaches of the segregation of duties.")
