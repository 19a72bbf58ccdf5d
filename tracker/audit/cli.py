from __future__ import annotations

import sys

import click

from tracker.audit import bp
from tracker.audit import services as audit


@bp.cli.command("verify")
def verify() -> None:
    """Check every audit entry's hash chain; exit 1 naming the first broken entry."""
    result = audit.verify()
    if result.is_intact:
        click.echo(f"Audit trail intact: {result.checked} entries verified.")
        return
    click.echo(str(result.broken), err=True)
    click.echo(f"{result.checked} entries verified before the break.", err=True)
    sys.exit(1)
