"""``flask notifications send``: send the queued emails now."""

from __future__ import annotations

import click

from tracker.notifications import bp, mailer


@bp.cli.command("send")
def send() -> None:
    """Send every email that is due (the scheduler does this every minute)."""
    sent = mailer.send_due()
    click.echo(f"Sent {sent} email{'s' if sent != 1 else ''}.")
