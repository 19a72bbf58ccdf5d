"""audit_hmac: the audit chain keyed with AUDIT_HMAC_KEY

Revision ID: 0014_audit_hmac
Revises: 0013_portfolio

Until now each audit entry's hash was plain SHA-256 over the previous hash and its content,
which anyone able to write to the database could recompute after changing a row. This
re-chains the existing trail once with HMAC-SHA256 under the audit key, which lives outside
the database (AUDIT_HMAC_KEY; in development the instance folder's ``audit_hmac_key``), and
records the key's id on the head. It first verifies the plain chain and refuses, changing
nothing, if it is broken: re-keying a broken trail would make it look whole.

The downgrade verifies the keyed chain under the same key and puts the plain hashes back.
"""

import os

import sqlalchemy as sa
from alembic import op

from tracker.audit.rules import GENESIS_HASH, key_id, rechain, verify_chain
from tracker.db import UTCDateTime

revision = "0014_audit_hmac"
down_revision = "0013_portfolio"
branch_labels = None
depends_on = None

# The tables as this revision knows them, whatever the models say later.
entries = sa.table(
    "audit_entries",
    sa.column("id", sa.Integer),
    sa.column("seq", sa.Integer),
    sa.column("created_at", UTCDateTime()),
    sa.column("actor_id", sa.Integer),
    sa.column("actor_name", sa.String),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.Integer),
    sa.column("project_id", sa.Integer),
    sa.column("summary", sa.String),
    sa.column("changes", sa.Text),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)
head = sa.table(
    "audit_head",
    sa.column("id", sa.Integer),
    sa.column("seq", sa.Integer),
    sa.column("hash", sa.String),
    sa.column("key_id", sa.String),
)


def _audit_key() -> bytes:
    """The key the app itself uses: its config when run by ``flask db upgrade`` (which the
    app factory fills from the environment or the instance folder), else the environment."""
    key = None
    try:
        from flask import current_app

        key = current_app.config.get("AUDIT_HMAC_KEY")
    except RuntimeError:  # not inside the app
        pass
    key = key or os.environ.get("AUDIT_HMAC_KEY")
    if not key:
        raise RuntimeError(
            "0014_audit_hmac re-keys the audit trail and needs its key: set AUDIT_HMAC_KEY "
            "(run it with 'flask db upgrade', which also finds the development key)."
        )
    return key.encode("utf-8")


BATCH = 1000


def _paged(bind):
    """Every entry in chain order, a batch at a time, so a long trail never fills memory;
    by seq, so rows rewritten between batches do not move."""
    last = 0
    while True:
        query = sa.select(entries).where(entries.c.seq > last).order_by(entries.c.seq)
        rows = [dict(row) for row in bind.execute(query.limit(BATCH)).mappings()]
        yield from rows
        if len(rows) < BATCH:
            return
        last = rows[-1]["seq"]


def _check(from_key: bytes | None, what: str) -> None:
    """Refuse, before changing anything, a trail that does not verify under ``from_key``:
    re-chaining a broken trail would make it look whole."""
    bind = op.get_bind()
    current = bind.execute(sa.select(head.c.seq, head.c.hash)).mappings().first()
    result = verify_chain(_paged(bind), dict(current) if current else None, key=from_key)
    if not result.is_intact:
        raise RuntimeError(
            f"{result.broken}. The audit trail must be whole before it is {what}: nothing "
            "was changed. Restore the latest backup whose trail verifies, or find out what "
            "changed the trail, before migrating."
        )


def _relink(to_key: bytes | None, head_values: dict) -> None:
    """Chain every entry afresh under ``to_key`` (None: plain SHA-256) and move the head."""
    bind = op.get_bind()
    update = (
        entries.update()
        .where(entries.c.id == sa.bindparam("entry_id"))
        .values(prev_hash=sa.bindparam("new_prev"), hash=sa.bindparam("new_hash"))
    )
    last, links = GENESIS_HASH, []
    for entry_id, prev_hash, new_hash in rechain(_paged(bind), to_key):
        links.append({"entry_id": entry_id, "new_prev": prev_hash, "new_hash": new_hash})
        last = new_hash
        if len(links) == BATCH:
            bind.execute(update, links)
            links = []
    if links:
        bind.execute(update, links)
    bind.execute(head.update().values(hash=last, **head_values))


def upgrade():
    key = _audit_key()
    _check(None, "re-keyed")
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
    _relink(key, {"key_id": key_id(key)})


def downgrade():
    key = _audit_key()
    written_with = op.get_bind().execute(sa.select(head.c.key_id)).scalar()
    if written_with not in (None, key_id(key)):
        raise RuntimeError(
            f"The audit trail was written with the key whose id is {written_with}, and "
            f"AUDIT_HMAC_KEY's id is {key_id(key)}: set AUDIT_HMAC_KEY to the key the trail "
            "was written with before downgrading. Nothing was changed."
        )
    _check(key, "put back to plain hashes")
    _relink(None, {})
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE audit_head DROP COLUMN key_id")
    else:
        op.drop_column("audit_head", "key_id")
