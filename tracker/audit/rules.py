"""Pure hash-chain rules for the audit trail. No Flask, no database.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's own canonical
content, so altering, deleting or inserting a row anywhere breaks the chain from that point.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
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


def entry_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(entry_content(entry).encode("utf-8"))
    return digest.hexdigest()


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

    @property
    def is_intact(self) -> bool:
        return self.broken is None


def verify_chain(
    entries: Iterable[Mapping[str, Any]], head: Mapping[str, Any] | None = None
) -> VerifyResult:
    """Walk entries in chain order and report the first one that does not fit.

    `entries` yields mappings with the hashed fields plus ``id``, ``prev_hash`` and ``hash``;
    `head` (seq and hash of the chain's recorded end) catches entries removed from the end.
    """
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
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
        if entry_hash(expected_prev, entry) != entry["hash"]:
            return VerifyResult(
                checked,
                ChainBreak(seq, entry_id, "its content does not match its hash (altered)"),
            )
        expected_prev = entry["hash"]
        expected_seq += 1
        checked += 1
    if head is not None and (head["seq"] != checked or head["hash"] != expected_prev):
        return VerifyResult(
            checked,
            ChainBreak(
                None,
                None,
                f"the head records entry #{head['seq']} but the chain ends at #{checked}"
                " (entries removed from the end, or the head was altered)",
            ),
        )
    return VerifyResult(checked, None)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Field-by-field changes as ``{field: [old, new]}``, JSON-safe, unchanged fields left out."""
    changes: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = json_value(before.get(key)), json_value(after.get(key))
        if old != new:
            changes[key] = [old, new]
    return changes
