"""The audit chain's key and anchors: a trail rewritten by someone who can write to the
database, with plain hashes, with a wrong key, cut short, or rewritten whole with the right
key after an anchor, is caught; the key can be rotated; the production key is checked."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, update

from tracker import create_app
from tracker.audit import services as audit
from tracker.audit.models import AuditEntry, AuditHead
from tracker.audit.rules import (
    GENESIS_HASH,
    AnchorError,
    check_anchor,
    entry_hash,
    key_id,
    make_anchor,
    parse_anchor,
    rechain,
    verify_chain,
)

WRONG_KEY = b"a key that is not the audit key, long enough anyway"
ENTRIES = AuditEntry.__table__


def _rows(db) -> list[dict]:
    return [dict(r) for r in db.session.execute(select(ENTRIES).order_by(ENTRIES.c.seq)).mappings()]


def _rewrite(db, key: bytes | None, *, summary: str | None = None) -> None:
    """What someone with write access to the database would do to hide a change: alter an
    entry, recompute every link after it with ``key`` (None: plain SHA-256), move the head."""
    rows = _rows(db)
    if summary is not None:
        rows[1]["summary"] = summary
        db.session.execute(
            update(ENTRIES).where(ENTRIES.c.id == rows[1]["id"]).values(summary=summary)
        )
    last = GENESIS_HASH
    for entry_id, prev_hash, new_hash in rechain(rows, key):
        db.session.execute(
            update(ENTRIES)
            .where(ENTRIES.c.id == entry_id)
            .values(prev_hash=prev_hash, hash=new_hash)
        )
        last = new_hash
    db.session.execute(update(AuditHead).values(seq=rows[-1]["seq"], hash=last))
    db.session.commit()  # the commands share the test's session, and end by rolling back


def _key(app) -> bytes:
    return app.config["AUDIT_HMAC_KEY"].encode()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture
def anchored(runner, db, make_project, tmp_path):
    """A trail of a few entries and an anchor file holding its head."""
    make_project()
    make_project()
    file = tmp_path / "anchors.jsonl"
    result = runner.invoke(args=["audit", "anchor", "--output", str(file)])
    assert result.exit_code == 0, result.output
    assert "Anchored entry #" in result.output
    return file


def _verify(runner, *args):
    return runner.invoke(args=["audit", "verify", *args])


# Pure rules -------------------------------------------------------------------------------


def _entry(seq: int, summary: str = "s") -> dict:
    return {
        "id": seq,
        "seq": seq,
        "created_at": datetime(2026, 1, seq, tzinfo=UTC),
        "actor_id": None,
        "actor_name": "System",
        "action": "x",
        "object_type": "projects",
        "object_id": seq,
        "project_id": None,
        "summary": summary,
        "changes": "{}",
    }


def _chain(entries: list[dict], key: bytes | None) -> list[dict]:
    for entry, (_, prev_hash, new_hash) in zip(entries, rechain(entries, key), strict=True):
        entry["prev_hash"], entry["hash"] = prev_hash, new_hash
    return entries


def test_the_keyed_hash_depends_on_the_key_and_is_not_the_plain_hash():
    entry = _entry(1)
    keyed = entry_hash(GENESIS_HASH, entry, b"k" * 32)
    assert keyed != entry_hash(GENESIS_HASH, entry, None)
    assert keyed != entry_hash(GENESIS_HASH, entry, b"j" * 32)
    assert key_id(b"k" * 32) != key_id(b"j" * 32)
    assert len(key_id(b"k" * 32)) == 8 and key_id(None) == "plain"


def test_a_chain_verifies_only_under_its_own_key():
    key = b"k" * 32
    chain = _chain([_entry(1), _entry(2), _entry(3)], key)
    head = {"seq": 3, "hash": chain[-1]["hash"]}
    assert verify_chain(chain, head, key=key).is_intact
    wrong = verify_chain(chain, head, key=b"j" * 32)
    assert wrong.broken.seq == 1 and "altered" in wrong.broken.problem
    plain = _chain([_entry(1), _entry(2), _entry(3)], None)
    assert verify_chain(plain, {"seq": 3, "hash": plain[-1]["hash"]}, key=key).broken.seq == 1


def test_a_head_moving_on_during_the_walk_is_no_alarm_but_a_head_moved_back_is():
    key = b"k" * 32
    chain = _chain([_entry(1), _entry(2), _entry(3)], key)

    def at(seq: int) -> dict:
        return {"seq": seq, "hash": chain[seq - 1]["hash"]}

    def head_later(seq: int):
        return lambda: at(seq)

    # Appended while the walk ran (seen by it, or committed just after it).
    assert verify_chain(chain, at(2), key=key, head_after=head_later(3)).is_intact
    assert verify_chain(chain[:2], at(2), key=key, head_after=head_later(3)).is_intact
    # Moved back, with the entries after it left in place.
    moved = verify_chain(chain, at(2), key=key, head_after=head_later(2))
    assert moved.broken.seq is None and "head records entry #2" in moved.broken.problem
    # The tail cut off, the head left.
    assert not verify_chain(chain[:2], at(3), key=key, head_after=head_later(3)).is_intact
    # A head whose hash is not the chain's.
    forged = {"seq": 2, "hash": "f" * 64}
    assert not verify_chain(chain, forged, key=key, head_after=head_later(3)).is_intact


def test_anchor_rules_without_a_database():
    key = b"k" * 32
    chain = _chain([_entry(1), _entry(2), _entry(3)], key)
    anchor = make_anchor(2, chain[1]["hash"], datetime(2026, 2, 1, tzinfo=UTC), key)
    read = parse_anchor(anchor.line())
    assert read == anchor and read.is_signed_by(key) and not read.is_signed_by(b"j" * 32)
    assert check_anchor(chain, read, key) is None
    assert "removed from the end" in check_anchor(chain[:1], read, key)
    rewritten = _chain([_entry(1), _entry(2, "changed"), _entry(3)], key)
    assert "rewritten" in check_anchor(rewritten, read, key)
    from_a_log = f"Dec  7 17:25:00 tracker-host tracker-audit-anchor: {anchor.line()}"
    assert parse_anchor(from_a_log) == anchor
    forged = json.loads(anchor.line()) | {"seq": 1}
    assert not parse_anchor(json.dumps(forged)).is_signed_by(key)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "not JSON"),
        ('{"seq": 1}', "not an audit anchor"),
        ('{"kind": "governance-tracker audit anchor", "seq": 1}', "lacks hash, at, key_id"),
        (
            '{"kind": "governance-tracker audit anchor", "seq": -1, "hash": "h", "at": "t", '
            '"key_id": "k", "signature": "s"}',
            "whole number",
        ),
    ],
)
def test_a_line_that_is_not_an_anchor_is_refused_by_name(line, message):
    with pytest.raises(AnchorError, match=message):
        parse_anchor(line)


# Tampering, caught ------------------------------------------------------------------------


def test_an_anchored_trail_that_grew_since_still_extends_its_anchor(runner, anchored, make_project):
    make_project()
    result = _verify(runner, "--anchor", str(anchored))
    assert result.exit_code == 0, result.output
    assert "Audit trail intact" in result.output
    assert "the trail extends it" in result.output


def test_a_chain_recomputed_with_plain_hashes_is_caught(runner, db, anchored):
    _rewrite(db, None, summary="nothing to see")
    assert not audit.verify().is_intact
    result = _verify(runner, "--anchor", str(anchored))
    assert result.exit_code == 1
    assert "broken at entry #1" in result.output
    assert "altered" in result.output


def test_a_chain_recomputed_with_a_wrong_key_is_caught(runner, db, anchored):
    _rewrite(db, WRONG_KEY, summary="nothing to see")
    result = _verify(runner, "--anchor", str(anchored))
    assert result.exit_code == 1
    assert "broken at entry #1" in result.output
    # And with the head claiming the forger's key, the message names the mismatch.
    db.session.execute(update(AuditHead).values(key_id=key_id(WRONG_KEY)))
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"written with a different key (key id {key_id(WRONG_KEY)})" in result.output


def test_a_tail_cut_off_with_its_head_passes_verify_but_not_the_anchor(runner, db, anchored):
    rows = _rows(db)
    db.session.execute(delete(ENTRIES).where(ENTRIES.c.seq > rows[-3]["seq"]))
    db.session.execute(update(AuditHead).values(seq=rows[-3]["seq"], hash=rows[-3]["hash"]))
    db.session.commit()
    # Without the anchor nothing shows: the head was moved back with the entries.
    assert _verify(runner).exit_code == 0
    result = _verify(runner, "--anchor", str(anchored))
    assert result.exit_code == 1, result.output
    assert f"ends at entry #{rows[-3]['seq']}" in result.output
    assert f"anchor records #{rows[-1]['seq']}" in result.output
    assert "removed from the end" in result.output


def test_a_chain_rewritten_with_the_right_key_after_an_anchor_is_caught(runner, db, app, anchored):
    _rewrite(db, _key(app), summary="rewritten by someone holding the key")
    assert audit.verify().is_intact  # the key alone cannot tell
    result = _verify(runner, "--anchor", str(anchored))
    assert result.exit_code == 1
    assert "no longer has the anchored hash" in result.output
    assert "1 of 1 anchors fail" in result.output


def test_an_altered_anchor_file_is_refused(runner, db, anchored):
    data = json.loads(anchored.read_text())
    anchored.write_text(json.dumps(data | {"seq": data["seq"] - 1}) + "\n")
    result = _verify(runner, "--anchor", str(anchored))
    assert result.exit_code == 1
    assert "signature does not match" in result.output
    anchored.write_text("garbage\n")
    result = _verify(runner, "--anchor", str(anchored))
    assert result.exit_code == 1
    assert "line 1 is not an anchor: it is not JSON" in result.output


def test_anchor_prints_one_signed_line_and_refuses_a_broken_trail(runner, db, app, make_project):
    make_project()
    result = runner.invoke(args=["audit", "anchor"])
    assert result.exit_code == 0, result.output
    line = result.output.strip()
    anchor = parse_anchor(line)
    head = db.session.get(AuditHead, 1)
    assert (anchor.seq, anchor.hash) == (head.seq, head.hash)
    assert anchor.key_id == key_id(_key(app)) and anchor.is_signed_by(_key(app))
    db.session.execute(update(ENTRIES).where(ENTRIES.c.seq == 1).values(summary="changed"))
    db.session.commit()
    refused = runner.invoke(args=["audit", "anchor"])
    assert refused.exit_code == 1
    assert "not anchored" in refused.output


def test_an_entry_appended_while_verifying_is_no_alarm(db, make_project, monkeypatch):
    make_project()
    walk = audit._entries

    def busy_walk(up_to=None):
        # Someone saves after verify read the head and before it reads the entries.
        audit.record("test.appended", summary="Saved while the trail was being verified")
        yield from walk(up_to)

    monkeypatch.setattr(audit, "_entries", busy_walk)
    result = audit.verify()
    assert result.is_intact, result.broken
    assert db.session.get(AuditHead, 1).seq == result.checked


def test_set_based_entries_use_the_keyed_hash(db, app):
    audit.record_many(
        [
            {
                "action": "job.ran",
                "object_type": "system",
                "object_id": n,
                "project_id": None,
                "summary": f"Job {n}",
                "changes": {"n": n},
            }
            for n in range(3)
        ]
    )
    assert audit.verify().checked == 3
    assert audit.verify(WRONG_KEY).broken.seq == 1
    rows = _rows(db)
    assert rows[0]["hash"] == entry_hash(GENESIS_HASH, rows[0], _key(app))


# Rotation ---------------------------------------------------------------------------------

NEW_KEY = "the next audit key, generated for rotation, long enough"


def test_rotating_the_key_rechains_the_trail_and_keeps_old_anchors_checkable(
    runner, db, app, anchored, monkeypatch
):
    old_key = app.config["AUDIT_HMAC_KEY"]
    before = len(_rows(db))
    monkeypatch.setattr(audit, "BATCH", 2)  # read and rewrite many batches, as a long trail would
    monkeypatch.setenv("OLD_AUDIT_KEY", old_key)
    monkeypatch.setitem(app.config, "AUDIT_HMAC_KEY", NEW_KEY)
    # Before the re-key the trail was written with the old key, and verify says so.
    mismatch = _verify(runner)
    assert mismatch.exit_code == 1
    assert "written with a different key" in mismatch.output

    result = runner.invoke(args=["audit", "rekey", "--old-key-env", "OLD_AUDIT_KEY"])
    assert result.exit_code == 0, result.output
    assert f"{before} entries moved from key id {key_id(old_key.encode())}" in result.output

    assert audit.verify().checked == before + 1
    assert not audit.verify(old_key.encode()).is_intact
    last = _rows(db)[-1]
    assert last["action"] == "audit.rekeyed"
    assert json.loads(last["changes"])["key_id"] == [
        key_id(old_key.encode()),
        key_id(NEW_KEY.encode()),
    ]
    assert db.session.get(AuditHead, 1).key_id == key_id(NEW_KEY.encode())

    # An anchor from before the rotation: checked with the old key, which must be supplied.
    without = _verify(runner, "--anchor", str(anchored))
    assert without.exit_code == 1
    assert "--anchor-key-env" in without.output
    with_old = _verify(runner, "--anchor", str(anchored), "--anchor-key-env", "OLD_AUDIT_KEY")
    assert with_old.exit_code == 0, with_old.output
    assert "the trail extends it" in with_old.output


def test_rekey_refuses_a_wrong_old_key_and_changes_nothing(
    runner, db, app, make_project, monkeypatch
):
    make_project()
    before = _rows(db)
    monkeypatch.setenv("NOT_THE_KEY", WRONG_KEY.decode())
    result = runner.invoke(args=["audit", "rekey", "--old-key-env", "NOT_THE_KEY"])
    assert result.exit_code == 1
    assert "does not verify under the old key, so it was not re-keyed" in result.output
    db.session.expire_all()
    assert _rows(db) == before

    monkeypatch.setenv("SAME_KEY", app.config["AUDIT_HMAC_KEY"])
    same = runner.invoke(args=["audit", "rekey", "--old-key-env", "SAME_KEY"])
    assert same.exit_code == 1
    assert "same as AUDIT_HMAC_KEY" in same.output
    unset = runner.invoke(args=["audit", "rekey", "--old-key-env", "NO_SUCH_VARIABLE_SET"])
    assert unset.exit_code == 1
    assert "NO_SUCH_VARIABLE_SET is not set" in unset.output
    assert _rows(db) == before


# Configuration ----------------------------------------------------------------------------

GOOD_SECRET = "s" * 48


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "AUDIT_HMAC_KEY must be set to a long random value"),
        ("", "AUDIT_HMAC_KEY must be set to a long random value"),
        ("changeme", "AUDIT_HMAC_KEY must be set to a long random value"),
        ("x" * 31, "AUDIT_HMAC_KEY must be set to a long random value"),
        (GOOD_SECRET, "must not be the same as SECRET_KEY"),
    ],
)
def test_production_refuses_a_missing_weak_or_borrowed_audit_key(
    monkeypatch, tmp_path, key, message
):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match=message):
        create_app(
            {
                "ENV_NAME": "production",
                "SECRET_KEY": GOOD_SECRET,
                "AUDIT_HMAC_KEY": key,
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
            }
        )
    assert not (tmp_path / "audit_hmac_key").exists()  # never made up in production


def test_production_accepts_a_long_key_of_its_own(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {
            "ENV_NAME": "production",
            "SECRET_KEY": GOOD_SECRET,
            "AUDIT_HMAC_KEY": "a" * 32,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
        }
    )
    assert app.config["AUDIT_HMAC_KEY"] == "a" * 32


def test_development_generates_an_audit_key_of_its_own(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    overrides = {"ENV_NAME": "development", "SECRET_KEY": None, "AUDIT_HMAC_KEY": None}
    first = create_app(overrides)
    key = first.config["AUDIT_HMAC_KEY"]
    assert len(key) >= 32 and key != first.config["SECRET_KEY"]
    assert (tmp_path / "audit_hmac_key").read_text() == key
    assert (tmp_path / "audit_hmac_key").stat().st_mode & 0o077 == 0
    # Rotating the secret key leaves the audit key alone, and the other way round.
    (tmp_path / "secret_key").unlink()
    second = create_app(overrides)
    assert second.config["SECRET_KEY"] != first.config["SECRET_KEY"]
    assert second.config["AUDIT_HMAC_KEY"] == key
    third = create_app({**overrides, "AUDIT_HMAC_KEY": "set in the environment, 32 chars+"})
    assert third.config["SECRET_KEY"] == second.config["SECRET_KEY"]


def test_testing_has_a_random_key_of_its_own(app):
    key = app.config["AUDIT_HMAC_KEY"]
    assert key.startswith("testing-audit-") and len(key) > 32
    assert key != app.config["SECRET_KEY"]
