"""The audit trail: an append-only log of every change and decision, chained by HMAC."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import utcnow
from tracker.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Position in the chain, assigned under the head lock; unique so a fork cannot happen.
    seq: Mapped[int] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    summary: Mapped[str] = mapped_column(String(300))
    # Canonical JSON of what changed: {"field": [old, new]} or decision details.
    changes: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(db.Model):
    """One row: the chain's latest position. Appenders lock it, so entries form one line."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64))
    # The id of the key the chain is written with (rules.key_id), so that a check under
    # another key can say so instead of reporting tampering. Public: it reveals no key.
    key_id: Mapped[str | None] = mapped_column(String(16))
