"""Scheduled work for notifications: sending the outbox (every minute)."""

from __future__ import annotations

from datetime import date

from tracker.notifications import mailer


def send_due_emails(today: date) -> int:
    """Send the emails whose time has come. ``today`` is unused: each email carries its own
    next-attempt time."""
    return mailer.send_due()
