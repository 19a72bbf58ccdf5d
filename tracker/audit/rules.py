"""Pure hash-chain rules for the audit trail. No Flask, no database.

Each entry's hash is HMAC-SHA256, keyed with the audit key, over the previous entry's hash
and the entry's own canonical content, so altering, deleting or inserting a row anywhere
breaks the chain from that point. The key lives outside the database: someone who can write
to the database but does not hold the key cannot recompute the chain after changing it (a
plain hash they could). What the key cannot show is entries cut from the end together with
the head row; an anchor, a signed copy of the head kept elsewhere, shows that.

Every function takes the key as a parameter. ``key=None`` means the plain SHA-256 chain of
earlier versions, used only by the migration that re-keys it and by its downgrade.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

GENESIS_HASH = "0" * 64

# The fields that make up an entry's content, in the order they are hashed.
HASHED_FIELDS = (
    "seq",
    "created_at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "project_id",
    "summary",
    "changes",
)


def json_value(value: Any) -> Any:
    """A JSON-safe form of a value as it should read in the audit trail."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(json_value(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    return value


def canonical_json(data: Any) -> str:
    return json.dumps(json_value(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_content(entry: Mapping[str, Any]) -> str:
    content = {}
    for name in HASHED_FIELDS:
        value = entry[name]
        if name == "created_at":
            value = value.astimezone(UTC).isoformat(timespec="microseconds")
        content[name] = value
    return canonical_json(content)


def entry_hash(prev_hash: str, entry: Mapping[str, Any], key: bytes | None) -> str:
    """The entry's link in the chain: HMAC-SHA256 under ``key`` (plain SHA-256 if None)."""
    message = prev_hash.encode("ascii") + b"\n" + entry_content(entry).encode("utf-8")
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def key_id(key: bytes | None) -> str:
    """A short, public name for a key, so a mismatch can be named without showing the key.

    An HMAC of a fixed label: it tells keys apart and reveals nothing about them."""
    if key is None:
        return "plain"
    return hmac.new(key, b"governance-tracker audit key id", hashlib.sha256).hexdigest()[:8]


def rechain(
    entries: Iterable[Mapping[str, Any]], key: bytes | None
) -> Iterator[tuple[Any, str, str]]:
    """``(id, prev_hash, hash)`` for each entry, in chain order, chained afresh under ``key``.

    Used to re-key a chain that has just been verified under its old key: the content stays,
    only the links change."""
    previous = GENESIS_HASH
    for entry in entries:
        new_hash = entry_hash(previous, entry, key)
        yield entry["id"], previous, new_hash
        previous = new_hash


@dataclass(frozen=True)
class ChainBreak:
    seq: int | None
    entry_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"entry #{self.seq} (id {self.entry_id})" if self.seq is not None else "the head"
        return f"Audit trail broken at {where}: {self.problem}"


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    broken: ChainBreak | None
    # The hash of the last entry checked: the chain's head when it is intact.
    last_hash: str = GENESIS_HASH

    @property
    def is_intact(self) -> bool:
        return self.broken is None


def verify_chain(
    entries: Iterable[Mapping[str, Any]],
    head: Mapping[str, Any] | None = None,
    *,
    key: bytes | None,
    head_after: Callable[[], Mapping[str, Any] | None] | None = None,
) -> VerifyResult:
    """Walk entries in chain order and report the first one that does not fit.

    `entries` yields mappings with the hashed fields plus ``id``, ``prev_hash`` and ``hash``;
    `head` (seq and hash of the chain's recorded end) catches entries removed from the end;
    `key` is the audit key the chain should have been written with.

    On a live database entries may be appended while the walk runs. Then pass the head as
    read before the walk as `head`, and as `head_after` a function that reads it again
    (called when the walk has reached the end): the chain passes
    if the first is on it and it ends no later than the second (entries appended during
    the walk were chained on, and checked, like any other), so a busy tracker does not
    raise a false alarm and a head moved back or a cut-off tail is still caught.
    """
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    hash_at_head = GENESIS_HASH
    for entry in entries:
        seq, entry_id = entry["seq"], entry["id"]
        if seq != expected_seq:
            problem = f"expected entry #{expected_seq} next but found #{seq}" + (
                " (entries are missing)" if seq > expected_seq else ""
            )
            return VerifyResult(checked, ChainBreak(seq, entry_id, problem))
        if entry["prev_hash"] != expected_prev:
            return VerifyResult(
                checked,
                ChainBreak(seq, entry_id, "it does not follow the entry before it"),
            )
        if entry_hash(expected_prev, entry, key) != entry["hash"]:
            return VerifyResult(
                checked,
                ChainBreak(seq, entry_id, "its content does not match its hash (altered)"),
            )
        expected_prev = entry["hash"]
        expected_seq += 1
        checked += 1
        if head is not None and seq == head["seq"]:
            hash_at_head = expected_prev
    if head is not None:
        last = (head_after() if head_after is not None else None) or head
        on_chain = head["seq"] <= checked and head["hash"] == hash_at_head
        ends_in_time = checked < last["seq"] or (
            checked == last["seq"] and last["hash"] == expected_prev
        )
        if not (on_chain and ends_in_time):
            return VerifyResult(
                checked,
                ChainBreak(
                    None,
                    None,
                    f"the head records entry #{last['seq']} but the chain ends at #{checked}"
                    " (entries removed from the end, or the head was altered)",
                ),
            )
    return VerifyResult(checked, None, expected_prev)


# Anchors ------------------------------------------------------------------------------------

ANCHOR_KIND = "governance-tracker audit anchor"
ANCHOR_FIELDS = ("kind", "seq", "hash", "at", "key_id")


class AnchorError(ValueError):
    """An anchor line that cannot be read; the message says what is wrong with it."""


@dataclass(frozen=True)
class Anchor:
    """A signed copy of the chain's head, written by ``flask audit anchor`` and kept
    outside the database, so that a later check can prove the database still extends it."""

    seq: int
    hash: str
    at: str
    key_id: str
    signature: str

    def body(self) -> dict[str, Any]:
        return {
            "kind": ANCHOR_KIND,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "key_id": self.key_id,
        }

    def line(self) -> str:
        return canonical_json({**self.body(), "signature": self.signature})

    def is_signed_by(self, key: bytes) -> bool:
        return hmac.compare_digest(self.signature, _anchor_signature(self.body(), key))

    def __str__(self) -> str:
        return f"the anchor of entry #{self.seq} taken at {self.at}"


def _anchor_signature(body: Mapping[str, Any], key: bytes) -> str:
    # A label of its own, so an anchor's signature can never pass for an entry's hash.
    message = b"governance-tracker audit anchor\n" + canonical_json(body).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def make_anchor(seq: int, head_hash: str, at: datetime, key: bytes) -> Anchor:
    """The head at ``seq`` with hash ``head_hash``, signed with the audit key."""
    body = {
        "kind": ANCHOR_KIND,
        "seq": seq,
        "hash": head_hash,
        "at": at.astimezone(UTC).isoformat(timespec="seconds"),
        "key_id": key_id(key),
    }
    return Anchor(
        seq=seq,
        hash=head_hash,
        at=body["at"],
        key_id=body["key_id"],
        signature=_anchor_signature(body, key),
    )


def parse_anchor(line: str) -> Anchor:
    """Read one anchor line, refusing anything that is not a whole anchor.

    A line copied from a log keeps the log's own prefix (time, host, program): the anchor
    is the JSON from the first brace on."""
    if "{" in line:
        line = line[line.index("{") :]
    try:
        data = json.loads(line)
    except ValueError:
        raise AnchorError("it is not JSON (an anchor is one line of JSON)") from None
    if not isinstance(data, dict) or data.get("kind") != ANCHOR_KIND:
        raise AnchorError(f'it is not an audit anchor (no "kind": "{ANCHOR_KIND}")')
    missing = [name for name in (*ANCHOR_FIELDS, "signature") if name not in data]
    if missing:
        raise AnchorError(f"it lacks {', '.join(missing)}")
    seq, head_hash = data["seq"], data["hash"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise AnchorError("its seq is not a whole number of entries")
    texts = (head_hash, data["at"], data["key_id"], data["signature"])
    if not all(isinstance(value, str) for value in texts):
        raise AnchorError("its hash, at, key_id and signature must be text")
    return Anchor(
        seq=seq,
        hash=head_hash,
        at=data["at"],
        key_id=data["key_id"],
        signature=data["signature"],
    )


def check_anchor(entries: Iterable[Mapping[str, Any]], anchor: Anchor, key: bytes) -> str | None:
    """Why the chain does not extend ``anchor``, or None when it does.

    ``entries`` are the database's entries from the first, in chain order (at least up to
    the anchored one); ``key`` is the key the anchor was taken with. The entries are chained
    afresh under it, so an anchor taken before the key was rotated is checked against the
    content as it stands now: the hash at the anchored entry matches only if nothing up to
    it has changed since.
    """
    if anchor.seq == 0:
        return None
    reached, previous = 0, GENESIS_HASH
    for entry in entries:
        if entry["seq"] > anchor.seq:
            break
        previous = entry_hash(previous, entry, key)
        reached = entry["seq"]
    if reached < anchor.seq:
        return (
            f"the trail ends at entry #{reached} but the anchor records #{anchor.seq}: "
            "entries were removed from the end since the anchor was taken"
        )
    if previous != anchor.hash:
        return (
            f"entry #{anchor.seq} no longer has the anchored hash: the trail up to it was "
            "rewritten after the anchor was taken"
        )
    return None


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Field-by-field changes as ``{field: [old, new]}``, JSON-safe, unchanged fields left out."""
    changes: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = json_value(before.get(key)), json_value(after.get(key))
        if old != new:
            changes[key] = [old, new]
    return changes
