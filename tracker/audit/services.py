"""Appending to and verifying the audit trail."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from sqlalchemy import select

from tracker.audit.models import AuditEntry, AuditHead
from tracker.audit.rules import (
    GENESIS_HASH,
    VerifyResult,
    canonical_json,
    entry_hash,
    verify_chain,
)
from tracker.db import utcnow
from tracker.extensions import db

HEAD_ID = 1


def _locked_head() -> AuditHead:
    head = db.session.scalars(
        select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update()
    ).first()
    if head is None:
        head = AuditHead(id=HEAD_ID, seq=0, hash=GENESIS_HASH)
        db.session.add(head)
        db.session.flush()
    return head


def record(
    action: str,
    obj: Any | None = None,
    *,
    summary: str,
    changes: dict[str, Any] | None = None,
    project_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    actor: Any | None = None,
) -> AuditEntry:
    """Append one entry to the chain in the caller's transaction.

    The head row is locked first (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises
    writers), so two requests that act at once get consecutive entries, never a fork.
    """
    if actor is None and current_user and getattr(current_user, "is_authenticated", False):
        actor = current_user
    if obj is not None:
        db.session.flush()
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else obj.id
    head = _locked_head()
    entry = AuditEntry(
        seq=head.seq + 1,
        created_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.name if actor is not None else "System",
        action=action,
        object_type=object_type or "system",
        object_id=object_id,
        project_id=project_id,
        summary=summary[:300],
        changes=canonical_json(changes or {}),
        prev_hash=head.hash,
    )
    entry.hash = entry_hash(head.hash, _as_mapping(entry))
    db.session.add(entry)
    head.seq, head.hash = entry.seq, entry.hash
    db.session.flush()
    return entry


def record_many(entries: list[dict[str, Any]]) -> None:
    """``record`` for many entries of a set-based job, by the system, in one statement.

    Each item has ``action``, ``object_type``, ``object_id``, ``project_id``, ``summary``
    and ``changes``. The head is locked once and each entry hashed onto the one before,
    exactly as ``record`` does one at a time; the rows go in as one executemany. (Core, not
    the ORM: callers that write in bulk move their projects' change stamps themselves.)
    """
    if not entries:
        return
    head = _locked_head()
    seq, previous = head.seq, head.hash
    rows = []
    for item in entries:
        seq += 1
        row = {
            "id": None,
            "seq": seq,
            "created_at": utcnow(),
            "actor_id": None,
            "actor_name": "System",
            "action": item["action"],
            "object_type": item["object_type"],
            "object_id": item["object_id"],
            "project_id": item["project_id"],
            "summary": item["summary"][:300],
            "changes": canonical_json(item["changes"]),
            "prev_hash": previous,
            "hash": None,
        }
        row["hash"] = previous = entry_hash(previous, row)
        del row["id"]
        rows.append(row)
    db.session.connection().execute(AuditEntry.__table__.insert(), rows)
    head.seq, head.hash = seq, previous
    db.session.flush()


def _as_mapping(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "seq": entry.seq,
        "created_at": entry.created_at,
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "project_id": entry.project_id,
        "summary": entry.summary,
        "changes": entry.changes,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def verify() -> VerifyResult:
    """Check the whole chain, streaming rows so a long trail does not fill memory."""
    rows = db.session.scalars(
        select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000)
    )
    head = db.session.get(AuditHead, HEAD_ID)
    head_data = {"seq": head.seq, "hash": head.hash} if head is not None else None
    try:
        return verify_chain((_as_mapping(row) for row in rows), head_data)
    finally:
        rows.close()  # the walk may stop early; release the server-side cursor
