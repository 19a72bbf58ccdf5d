"""Appending to, verifying, anchoring and re-keying the audit trail."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_login import current_user
from sqlalchemy import bindparam, select, update

from tracker.audit.models import AuditEntry, AuditHead
from tracker.audit.rules import (
    GENESIS_HASH,
    Anchor,
    ChainBreak,
    VerifyResult,
    canonical_json,
    check_anchor,
    entry_hash,
    key_id,
    make_anchor,
    rechain,
    verify_chain,
)
from tracker.db import utcnow
from tracker.extensions import db

HEAD_ID = 1
BATCH = 1000


class AuditKeyError(RuntimeError):
    """A re-key or anchor that cannot go ahead; the message says why and what to do."""


def audit_key() -> bytes:
    """The key the chain is written and checked with: the app's AUDIT_HMAC_KEY, which the
    app factory always sets (from the environment, or the instance folder in development)."""
    key = current_app.config.get("AUDIT_HMAC_KEY")
    if not key:
        raise AuditKeyError("AUDIT_HMAC_KEY is not set: the audit trail cannot be written")
    return key.encode("utf-8")


def _locked_head() -> AuditHead:
    head = db.session.scalars(
        select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update()
    ).first()
    if head is None:
        head = AuditHead(id=HEAD_ID, seq=0, hash=GENESIS_HASH, key_id=key_id(audit_key()))
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
    entry.hash = entry_hash(head.hash, _as_mapping(entry), audit_key())
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
    key = audit_key()
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
        row["hash"] = previous = entry_hash(previous, row, key)
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


def _entries(up_to: int | None = None) -> Iterator[dict[str, Any]]:
    """Every entry in chain order, a batch at a time (by seq, so the caller may write
    between batches and a long trail never fills memory)."""
    table = AuditEntry.__table__
    last = 0
    while True:
        query = select(table).where(table.c.seq > last).order_by(table.c.seq).limit(BATCH)
        if up_to is not None:
            query = query.where(table.c.seq <= up_to)
        rows = [dict(row) for row in db.session.execute(query).mappings()]
        yield from rows
        if len(rows) < BATCH:
            return
        last = rows[-1]["seq"]


def _head_now() -> dict[str, Any] | None:
    """The head as the database holds it at this moment (not the session's copy), so a
    walk can be bracketed by the head before and after it."""
    row = db.session.execute(
        select(AuditHead.seq, AuditHead.hash, AuditHead.key_id).where(AuditHead.id == HEAD_ID)
    ).first()
    return dict(row._mapping) if row is not None else None


def verify(key: bytes | None = None) -> VerifyResult:
    """Check the whole chain under the audit key (the app's, unless another is given).

    The head is read before and after the walk, so entries saved meanwhile are checked
    like the rest instead of being reported as a broken head.

    When it fails and the head says the chain was written with a different key, the break
    says so: the likeliest cause is a wrong AUDIT_HMAC_KEY, not tampering."""
    key = key if key is not None else audit_key()
    before = _head_now()
    result = verify_chain(_entries(), before, key=key, head_after=_head_now)
    if result.is_intact or before is None or before["key_id"] in (None, key_id(key)):
        return result
    broken = result.broken
    problem = (
        f"{broken.problem}; the entries were written with a different key (key id "
        f"{before['key_id']}) from this one (key id {key_id(key)}): set AUDIT_HMAC_KEY to the key "
        "they were written with, then re-key with 'flask audit rekey' if it is to change"
    )
    return VerifyResult(result.checked, ChainBreak(broken.seq, broken.entry_id, problem))


def anchor() -> Anchor:
    """A signed copy of the head of a chain that verifies, for operators to keep elsewhere."""
    result = verify()
    if not result.is_intact:
        raise AuditKeyError(f"The trail does not verify, so it was not anchored. {result.broken}")
    return make_anchor(result.checked, result.last_hash, utcnow(), audit_key())


def check_against(anchor: Anchor, keys: Mapping[str, bytes]) -> str | None:
    """Why the database does not extend ``anchor``, or None when it does.

    ``keys`` maps key ids to keys: the current key, and any earlier one the operator
    supplies for anchors taken before a rotation. Run after ``verify`` has passed, which
    shows the chain is whole from the first entry to the head under the current key."""
    key = keys.get(anchor.key_id)
    if key is None:
        return (
            f"it was signed with the audit key whose id is {anchor.key_id}, and none of the "
            f"keys given has that id (the current key's id is {key_id(audit_key())}): if the "
            "key was rotated since, pass the old key with --anchor-key-env"
        )
    if not anchor.is_signed_by(key):
        return "its signature does not match: the anchor was altered, or was not written here"
    return check_anchor(_entries(up_to=anchor.seq), anchor, key)


@dataclass(frozen=True)
class Rekeyed:
    entries: int
    old_key_id: str
    new_key_id: str


def rekey(old_key: bytes) -> Rekeyed:
    """Re-chain every entry under the app's current key, after proving the chain intact
    under ``old_key``, and record that it happened. The head stays locked throughout, so
    nothing is appended under either key meanwhile. Earlier anchors keep their worth: they
    are checked with the old key (``flask audit verify --anchor … --anchor-key-env``)."""
    new_key = audit_key()
    if old_key == new_key:
        raise AuditKeyError(
            "The old key is the same as AUDIT_HMAC_KEY: set AUDIT_HMAC_KEY to the new key "
            "and pass the old one in the variable named by --old-key-env"
        )
    head = _locked_head()
    result = verify(old_key)
    if not result.is_intact:
        raise AuditKeyError(
            f"The trail does not verify under the old key, so it was not re-keyed. {result.broken}"
        )
    table = AuditEntry.__table__
    last = GENESIS_HASH
    batch: list[dict[str, Any]] = []
    for entry_id, prev_hash, new_hash in rechain(_entries(), new_key):
        batch.append({"entry_id": entry_id, "new_prev": prev_hash, "new_hash": new_hash})
        last = new_hash
        if len(batch) == BATCH:
            _rewrite_links(table, batch)
            batch = []
    _rewrite_links(table, batch)
    old_id, new_id = key_id(old_key), key_id(new_key)
    head.hash, head.key_id = last, new_id
    db.session.flush()
    record(
        "audit.rekeyed",
        summary=f"Audit trail re-keyed: {result.checked} entries re-chained under key {new_id}",
        changes={"key_id": [old_id, new_id], "entries": result.checked},
        object_type="audit",
    )
    return Rekeyed(result.checked, old_id, new_id)


def _rewrite_links(table, batch: list[dict[str, Any]]) -> None:
    if not batch:
        return
    db.session.connection().execute(
        update(table)
        .where(table.c.id == bindparam("entry_id"))
        .values(prev_hash=bindparam("new_prev"), hash=bindparam("new_hash")),
        batch,
    )
