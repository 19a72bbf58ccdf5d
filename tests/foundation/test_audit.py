"""The audit trail: every change appends a chained entry, and tampering is detected."""

from __future__ import annotations

import itertools

from sqlalchemy import select, text

from tracker.audit import services as audit
from tracker.audit.models import AuditEntry
from tracker.audit.rules import GENESIS_HASH, diff, entry_hash, verify_chain


def _entries(db):
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def test_creating_a_project_appends_chained_entries(db, make_project):
    project = make_project(name="Adult social care")
    entries = _entries(db)
    created = [e for e in entries if e.action == "project.created"]
    assert len(created) == 1
    assert created[0].project_id == project.id
    assert '"name":[null,"Adult social care"]' in created[0].changes
    assert entries[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
        assert after.seq == before.seq + 1
    assert audit.verify().is_intact
    assert audit.verify().checked == len(entries)


def test_verify_names_an_altered_entry(db, make_project):
    make_project()
    target = _entries(db)[1]
    db.session.execute(
        text("UPDATE audit_entries SET summary = 'nothing to see' WHERE id = :id"),
        {"id": target.id},
    )
    db.session.expire_all()
    result = audit.verify()
    assert not result.is_intact
    assert result.broken.seq == target.seq
    assert "altered" in str(result.broken)


def test_verify_names_the_entry_after_a_deleted_one(db, make_project):
    make_project()
    entries = _entries(db)
    db.session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": entries[1].id})
    db.session.expire_all()
    result = audit.verify()
    assert not result.is_intact
    assert result.broken.seq == entries[2].seq
    assert "missing" in str(result.broken)


def test_verify_detects_a_row_inserted_out_of_chain(db, make_project):
    make_project()
    last = _entries(db)[-1]
    db.session.execute(
        text(
            "INSERT INTO audit_entries (seq, created_at, actor_id, actor_name, action, "
            "object_type, object_id, project_id, summary, changes, prev_hash, hash) "
            "VALUES (:seq, :created_at, NULL, 'Mallory', 'project.updated', 'projects', 1, "
            "NULL, 'forged', '{}', :prev, :hash)"
        ),
        {
            "seq": last.seq + 1,
            "created_at": last.created_at.replace(tzinfo=None)
            if db.engine.dialect.name == "sqlite"
            else last.created_at,
            "prev": "f" * 64,
            "hash": "e" * 64,
        },
    )
    db.session.expire_all()
    result = audit.verify()
    assert not result.is_intact
    assert result.broken.seq == last.seq + 1
    assert "does not follow" in str(result.broken)


def test_verify_detects_entries_removed_from_the_end(db, make_project):
    make_project()
    last = _entries(db)[-1]
    db.session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": last.id})
    db.session.expire_all()
    result = audit.verify()
    assert not result.is_intact
    assert result.broken.seq is None
    assert "head" in str(result.broken)


def test_chain_rules_without_a_database():
    from datetime import UTC, datetime

    first = {
        "id": 1,
        "seq": 1,
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
        "actor_id": 1,
        "actor_name": "A",
        "action": "x",
        "object_type": "projects",
        "object_id": 1,
        "project_id": 1,
        "summary": "s",
        "changes": "{}",
        "prev_hash": GENESIS_HASH,
    }
    key = b"k" * 32
    first["hash"] = entry_hash(GENESIS_HASH, first, key)
    assert verify_chain([first], {"seq": 1, "hash": first["hash"]}, key=key).is_intact
    tampered = {**first, "actor_name": "B"}
    assert verify_chain([tampered], key=key).broken.seq == 1
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3}) == {"b": [2, 3]}
