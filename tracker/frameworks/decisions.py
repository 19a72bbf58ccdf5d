"""Decisions taken by the board roles a gate template names, shared by the service
assessments (phases), release gates (releases) and closing gates (closure).

Each of those records the roles the template named when it was requested
(``required_roles``), one decision per role and per person (UNIQUE constraints back both),
and keeps the segregation of duties: whoever requested it never decides it. What differs
is the wording and what a decision holds; the checks, their order and how the decision is
written are here, once. The outcome is the pure :func:`tracker.frameworks.rules.verdict`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError

from tracker.auth.access import forbid
from tracker.core.errors import RuleError
from tracker.extensions import db
from tracker.projects import access
from tracker.projects.rules import PROJECT_ROLES


class Vote(Protocol):
    role: str
    decided_by_id: int


class Ballot(Protocol):
    """A request the template's roles decide: an assessment, a release, a report."""

    project_id: int
    status: str

    @property
    def roles(self) -> tuple[str, ...]: ...

    @property
    def decisions(self) -> Sequence[Vote]: ...


@dataclass(frozen=True)
class Wording:
    """What the refusals say, in the words of the decision at hand."""

    not_asked: str  # the person holds none of the roles it was requested from
    own_request: str  # the person requested it
    decided: str  # it is no longer waiting
    already: str  # the person has decided it already
    role_taken: str  # "{role}" has decided already (a concurrent or repeated decision)
    choose_role: str = "Choose the board role you are deciding as"


def undecided_roles(user, ballot: Ballot) -> list[str]:
    """The required roles this person holds that nobody has decided as yet; none once the
    person has decided (one decision per person, whichever roles they hold)."""
    if any(d.decided_by_id == user.id for d in ballot.decisions):
        return []
    held = access.project_roles(user, ballot.project_id)
    decided = {d.role for d in ballot.decisions}
    return [r for r in ballot.roles if r in held and r not in decided]


def refusal(
    user, ballot: Ballot, *, requested_by_id: int, pending: str, wording: Wording
) -> str | None:
    """Why this person may not decide now, or None. ``pending`` is the ballot's waiting
    status."""
    if not access.project_roles(user, ballot.project_id) & set(ballot.roles):
        return wording.not_asked
    if requested_by_id == user.id:
        return wording.own_request
    if ballot.status != pending:
        return wording.decided
    if not undecided_roles(user, ballot):
        return wording.already
    return None


def check_decider(
    user, ballot: Ballot, role: str, *, requested_by_id: int, pending: str, wording: Wording
) -> None:
    """Refuse (``RuleError``) a decision as ``role`` by this person: a role the request
    names, a person allowed to decide, a role they hold."""
    if role not in ballot.roles:
        raise RuleError(wording.choose_role, "role")
    why = refusal(user, ballot, requested_by_id=requested_by_id, pending=pending, wording=wording)
    if why:
        raise RuleError(why)
    if role not in access.project_roles(user, ballot.project_id):
        raise RuleError(f"You do not hold the {PROJECT_ROLES[role]} role on this project", "role")


def record(decision: Any, *, role: str, wording: Wording) -> None:
    """Write one decision in a savepoint: a second decision by the same role or person
    (two tabs, two people at once) meets the UNIQUE constraints and is refused."""
    try:
        with db.session.begin_nested():
            db.session.add(decision)
            db.session.flush()
    except IntegrityError:
        raise RuleError(wording.role_taken.format(role=PROJECT_ROLES[role])) from None


def forbid_unless_decider(
    user,
    ballot: Ballot,
    *,
    requested_by_id: int,
    why: str | None,
    what: str,
    role: str | None = None,
    otherwise: str | None = None,
    **details,
) -> list[str]:
    """For a page or an API call: the roles this person may decide as, or a 403 (logged as
    a refused ``what``) when they may not decide at all, asked for it, or (``role`` given)
    cannot decide as that role. ``why`` is the policy's refusal, ``otherwise`` the words
    when the policy has none (a role the person does not hold)."""
    held = undecided_roles(user, ballot)
    if not held or requested_by_id == user.id or (role is not None and role not in held):
        access.refused(what, project=ballot.project_id, **details)
        forbid(why or otherwise)
    return held
