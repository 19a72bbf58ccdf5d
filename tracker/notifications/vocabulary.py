"""The notifications domain's statuses, in one place for models, the mailer and pages."""

from __future__ import annotations

from enum import StrEnum


class EmailStatus(StrEnum):
    """An outbox email: pending, claimed by a sender (sending), sent, or given up (failed)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
