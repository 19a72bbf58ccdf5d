"""What notifications contributes when other domains ask (``tracker.core.events``).

The mailer retries on the scheduler's back-off rules, so notifications sits above the
scheduler, whose job log asks for the email outbox instead of importing it.
"""

from __future__ import annotations

from flask import current_app

from tracker.core import events
from tracker.notifications import queries


@events.subscribe(events.job_log_sections, order=10)
def email_outbox(_sender) -> dict:
    """The outbox's counts and failures; with no mail server (development), the latest
    emails too, in full: they were written to the log instead of sent."""
    sections = {"outbox": queries.outbox_counts(), "email_problems": queries.failed_emails()}
    if not current_app.config.get("MAIL_SERVER"):
        sections["latest_emails"] = queries.latest_emails()
    return sections
