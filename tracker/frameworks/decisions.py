"""Decisions taken by the board roles a gate template names, shared by the service
assessments (phases), release gates (releases) and closing gates (closure).

Each of those records the roles the template named when it was requested
(``required_roles``), one decision per role and per person (UNIQUE constraints back both),
and keeps the segregation of duties: whoever requested it never decides it. What differs
is the wording and what a decision holds; the checks, their order and how the decision is
written are here, once. The outcome is the pure :func:`tracker.frameworks.rules.verdict`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Select, String, and_, cast, exists, literal, or_, select, text, union_all
from sqlalchemy.exc import IntegrityError

from tracker.auth.access import forbid
from tracker.core.dates import uk_today
from tracker.core.errors import RuleError
from tracker.core.waiting import Kind, Link
from tracker.extensions import db
from tracker.projects import access
from tracker.projects.models import Project, ProjectMembership
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


# --------------------------------------------------------------------------------------
# What waits for a person (the Decisions inbox and My work)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingDecision:
    """One request waiting for this person's decision, for the Decisions inbox's table."""

    what: str  # "Alpha assessment (round 2)"
    id: int
    project_id: int
    project_code: str
    project_name: str
    role: str
    waiting_since: datetime

    @property
    def days_waiting(self) -> int:
        return max((uk_today() - self.waiting_since.date()).days, 0)


@dataclass(frozen=True)
class WaitingSource:
    """A kind of request a domain above lists for the people who decide it. ``query(user)``
    selects, in this order: a label, the record's id, its project's id, code and name, the
    role it waits on, and since when it waits."""

    key: str
    one: str
    many: str
    endpoint: str
    id_name: str | None  # the record id's name in the endpoint; None: the project's page
    query: Callable[[Any], Select]


_SOURCES: list[WaitingSource] = []


def waits(key: str, one: str, many: str, *, endpoint: str, id_name: str | None):
    """Decorator: list the records ``query(user)`` selects as decisions waiting for
    ``user`` (registered once, in the order the domains' packages are imported)."""

    def register(query: Callable[[Any], Select]) -> Callable[[Any], Select]:
        if all(source.key != key for source in _SOURCES):
            _SOURCES.append(WaitingSource(key, one, many, endpoint, id_name, query))
        return query

    return register


def sources() -> list[WaitingSource]:
    return list(_SOURCES)


def _role_required(roles_column, role_column):
    """``role`` is one of a comma-separated roles snapshot, in portable SQL (the roles are
    a closed set in which no role matches another as a LIKE pattern)."""
    return (literal(",") + roles_column + literal(",")).contains(
        literal(",") + role_column + literal(",")
    )


def waiting_on(user, ballot, vote, *, vote_key, requested_by, requested_at, pending, label):
    """The statement selecting the ``ballot`` records (assessments, releases, reports)
    waiting for this person: pending, the person holds a required role, did not request
    it, and neither the role nor the person has decided it (the segregation of duties in
    SQL, as the gate inbox has it). ``label`` is a column expression naming each record."""
    return (
        select(
            cast(label, String),
            ballot.id,
            ballot.project_id,
            Project.code,
            Project.name,
            ProjectMembership.role,
            requested_at,
        )
        .join(Project, Project.id == ballot.project_id)
        .join(
            ProjectMembership,
            and_(
                ProjectMembership.project_id == ballot.project_id,
                ProjectMembership.user_id == user.id,
            ),
        )
        .where(
            ballot.status == pending,
            _role_required(ballot.required_roles, ProjectMembership.role),
            requested_by != user.id,
            ~exists().where(
                vote_key == ballot.id,
                or_(vote.role == ProjectMembership.role, vote.decided_by_id == user.id),
            ),
        )
    )


def waiting_for(user) -> list[Kind]:
    """Every registered kind of request waiting for this person, oldest first, read in one
    statement (My work and the Decisions inbox each ask once), one kind per source."""
    registered = sources()
    if not registered:
        return []
    parts = [
        source.query(user).add_columns(literal(index).label("source"))
        for index, source in enumerate(registered)
    ]
    rows = db.session.execute(union_all(*parts).order_by(text("7"), text("2"))).all()
    found: list[dict[int, WaitingDecision]] = [{} for _ in registered]
    for *values, index in rows:
        # Once per record, whatever roles the person holds.
        found[index].setdefault(values[1], WaitingDecision(*values))
    return [
        _kind(source, list(items.values())) for source, items in zip(registered, found, strict=True)
    ]


def _kind(source: WaitingSource, items: list[WaitingDecision]) -> Kind:
    return Kind(
        source.key,
        source.one,
        source.many,
        items,
        [
            Link(
                f"{item.project_code}: {item.what}",
                source.endpoint,
                {"project_id": item.project_id}
                | ({source.id_name: item.id} if source.id_name else {}),
            )
            for item in items
        ],
        is_decision=True,
    )
