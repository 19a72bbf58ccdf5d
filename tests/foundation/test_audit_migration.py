"""Migration 0014_audit_hmac: a database upgraded from the plain-hash chain is re-keyed once
under the audit key, a broken chain is refused unchanged, and the downgrade puts the plain
hashes back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from flask import current_app
from flask_migrate import downgrade, upgrade

from tests.conftest import make_app
from tracker.audit import services as audit
from tracker.audit.rules import GENESIS_HASH, entry_hash, key_id, verify_chain
from tracker.db import UTCDateTime
from tracker.extensions import db

BEFORE = "0013_portfolio"

# The tables as they stand at 0013 (no key_id on the head yet).
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
head = sa.table("audit_head", sa.column("id"), sa.column("seq"), sa.column("hash"))


def _write_plain_chain(count: int = 4) -> list[dict]:
    """Entries as the previous version wrote them: plain SHA-256 links."""
    previous, rows = GENESIS_HASH, []
    for seq in range(1, count + 1):
        row = {  # no id: the database's sequence gives it, as it did the app
            "seq": seq,
            "created_at": datetime(2026, 3, 1, 9, 30, 0, 123456, tzinfo=UTC)
            + timedelta(minutes=seq),
            "actor_id": None,
            "actor_name": "System",
            "action": "job.ran",
            "object_type": "system",
            "object_id": seq,
            "project_id": None,
            "summary": f"Entry {seq} — with a non-ASCII dash",
            "changes": '{"n":' + str(seq) + "}",
            "prev_hash": previous,
        }
        row["hash"] = previous = entry_hash(previous, row, None)
        rows.append(row)
    db.session.execute(entries.insert(), rows)
    db.session.execute(head.update().values(seq=count, hash=previous))  # made by 0001
    db.session.commit()
    return rows


def _stored() -> list[dict]:
    query = sa.select(entries).order_by(entries.c.seq)
    found = [dict(row) for row in db.session.execute(query).mappings()]
    db.session.rollback()
    return found


@pytest.fixture
def at_0013(backend, tmp_path_factory):
    app = make_app(backend, tmp_path_factory, "audithmac")
    with app.app_context():
        upgrade(revision=BEFORE)
        yield app
        db.session.remove()
        db.engine.dispose()


def test_upgrade_rekeys_the_plain_chain_and_downgrade_restores_it(at_0013):
    key = at_0013.config["AUDIT_HMAC_KEY"].encode()
    plain = _write_plain_chain(2100)  # more than the migration's batch of 1,000

    db.session.remove()  # no transaction of ours may hold SQLite's lock while migrating
    upgrade()
    rekeyed = _stored()
    assert [(r["summary"], r["created_at"]) for r in rekeyed] == [
        (r["summary"], r["created_at"]) for r in plain
    ]
    assert all(new["hash"] != old["hash"] for new, old in zip(rekeyed, plain, strict=True))
    result = audit.verify()
    assert result.is_intact and result.checked == len(plain)
    assert not verify_chain(rekeyed, key=None).is_intact  # no longer plain
    stored_head = db.session.execute(sa.text("SELECT seq, hash, key_id FROM audit_head")).one()
    assert stored_head == (len(plain), rekeyed[-1]["hash"], key_id(key))
    db.session.rollback()
    # New entries join the re-keyed chain.
    audit.record("job.ran", summary="after the migration")
    db.session.commit()
    assert audit.verify().checked == len(plain) + 1

    db.session.remove()
    downgrade(revision=BEFORE)
    back = _stored()
    assert [r["hash"] for r in back[: len(plain)]] == [r["hash"] for r in plain]
    assert verify_chain(back, key=None).is_intact
    db.engine.dispose()
    assert "key_id" not in {c["name"] for c in sa.inspect(db.engine).get_columns("audit_head")}

    upgrade()
    assert audit.verify().checked == len(plain) + 1
    db.session.remove()


def test_upgrade_refuses_a_broken_plain_chain_and_changes_nothing(at_0013):
    plain = _write_plain_chain()
    db.session.execute(entries.update().where(entries.c.seq == 2).values(summary="rewritten"))
    db.session.commit()
    before = _stored()
    db.session.remove()

    # Alembic's own command, which `flask db upgrade` runs and whose error it prints.
    config = current_app.extensions["migrate"].migrate.get_config()
    with pytest.raises(RuntimeError) as refused:
        command.upgrade(config, "head")
    assert "Audit trail broken at entry #2" in str(refused.value)
    assert "must be whole before it is re-keyed: nothing was changed" in str(refused.value)

    db.session.remove()
    db.engine.dispose()
    assert _stored() == before
    assert before[0]["hash"] == plain[0]["hash"]
    version = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    db.session.rollback()
    assert version == BEFORE
    assert "key_id" not in {c["name"] for c in sa.inspect(db.engine).get_columns("audit_head")}


def test_downgrade_refuses_a_key_other_than_the_trails(at_0013, monkeypatch):
    _write_plain_chain()
    db.session.remove()
    upgrade()
    before = _stored()
    db.session.remove()
    monkeypatch.setitem(at_0013.config, "AUDIT_HMAC_KEY", "another key altogether, 32 chars long")
    config = current_app.extensions["migrate"].migrate.get_config()
    with pytest.raises(RuntimeError, match="written with the key whose id is") as refused:
        command.downgrade(config, BEFORE)
    assert "Nothing was changed" in str(refused.value)
    db.engine.dispose()
    assert _stored() == before
