"""What waits for a person, counted in one place.

My work (everyone's landing page) says how many things wait for the person; the Decisions
inbox lists the decisions among them. Both ask :func:`for_person`, which asks every domain
that knows a kind of waiting item (the ``waiting_for`` event, see ``core.events``): the
count on My work is the length of the very lists the inbox shows, so the two cannot
disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tracker.core import events


@dataclass(frozen=True)
class Link:
    """A link to one waiting item: the page renders it with ``url_for(endpoint, **values)``."""

    text: str
    endpoint: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    """One kind of waiting item: its records (the domain's own rows, for the page that
    lists them in full) and a link for each (for My work)."""

    key: str
    one: str  # "week to submit"
    many: str  # "weeks to submit"
    records: Sequence[Any]
    links: Sequence[Link] = field(default_factory=list)
    is_decision: bool = False

    @property
    def count(self) -> int:
        return len(self.records)

    @property
    def label(self) -> str:
        return f"{self.count} {self.one if self.count == 1 else self.many}"


@dataclass(frozen=True)
class Waiting:
    kinds: Sequence[Kind]

    def records(self, key: str) -> list:
        return [record for kind in self.kinds if kind.key == key for record in kind.records]

    @property
    def decisions(self) -> int:
        """Every decision the Decisions inbox lists for the person."""
        return sum(kind.count for kind in self.kinds if kind.is_decision)

    @property
    def others(self) -> list[Kind]:
        """The kinds that are not decisions, in the order their domains answer."""
        return [kind for kind in self.kinds if not kind.is_decision]

    @property
    def total(self) -> int:
        return sum(kind.count for kind in self.kinds)


def for_person(user, *, decisions_only: bool = False) -> Waiting:
    """Everything that waits for ``user`` (only the decisions, for the inbox)."""
    answers = events.send(events.waiting_for, user, decisions_only=decisions_only)
    kinds = [kind for answer in answers for kind in answer]
    if decisions_only:
        kinds = [kind for kind in kinds if kind.is_decision]
    return Waiting(kinds)
