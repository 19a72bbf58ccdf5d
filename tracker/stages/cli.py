"""``flask governance check``: report records that break governance."""

from __future__ import annotations

import sys

import click

from tracker.core import events
from tracker.stages import bp, queries


@bp.cli.command("check")
def check() -> None:
    """List every breach of the segregation of duties, and every project whose status no
    governance decision explains; exit 1 if there is any. Nothing is changed: the PMO
    corrects each record through the pages, so the audit trail shows it."""
    breaches = queries.segregation_breaches()
    # The lifecycle's breaches come from the domains above stages (agile answers).
    lifecycle = [line for lines in events.send(events.governance_breaches) for line in lines]
    for line in [*breaches, *lifecycle]:
        click.echo(line)
    if breaches:
        click.echo(f"{len(breaches)} breaches of the segregation of duties.", err=True)
    if lifecycle:
        click.echo(f"{len(lifecycle)} project statuses no governance decision explains.", err=True)
    if breaches or lifecycle:
        sys.exit(1)
    click.echo("No breaches of the segregation of duties or of the project lifecycle.")
