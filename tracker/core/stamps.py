"""Change stamps: a counter per scope, bumped in the transaction of every change.

A page that renders something expensive from a project's records can keep the HTML and
reuse it while the project's stamp is unchanged (see ``tracker.core.fragments``). The stamp
is bumped by a session hook, not by each service, so no code path can forget it:

* every ORM insert, update or delete of a record that belongs to a project (a ``Project``,
  or any row with a ``project_id``) bumps ``project:<id>``;
* a change to a person (their name appears on project pages) bumps ``people``, and a
  change to an organisation (a project's lead and partners) bumps ``organisations``;
* code that writes in bulk with Core statements, bypassing the ORM (the national demo
  loader, set-based jobs), calls :func:`bump` itself;
* whatever the PMO dashboard's figures are computed from (the stored portfolio facts, an
  organisation, a project team) bumps the one ``portfolio`` stamp (:func:`bump_at_end`).

Core knows no domain: the domains that own ``Project``, ``User`` and ``Organisation``
declare which stamps their tables move with :func:`moves`, next to their models.

The ``portfolio`` stamp is shared by every project, so it is bumped last of all, after the
portfolio's stored facts are refreshed: a transaction holding it never waits for another
lock, so it cannot close a cycle.

The bump runs just before the commit, after everything else in the transaction, and takes
the stamps' row locks in a fixed order, so two transactions never wait on each other in a
cycle. Because it is in the same transaction, a stamp never moves without its change and a
change never commits without moving its stamp.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Integer, String, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tracker.db import Base

PEOPLE = "people"
ORGANISATIONS = "organisations"
PORTFOLIO = "portfolio"
_KEY = "tracker.changed_scopes"
_LAST_KEY = "tracker.changed_scopes_last"


class ChangeStamp(Base):
    __tablename__ = "change_stamps"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


def project_scope(project_id: int) -> str:
    return f"project:{project_id}"


@dataclass(frozen=True)
class _Moves:
    scopes: Callable[[object], set[str]] | None
    last: frozenset[str]
    include_collections: bool


# Which stamps a change to a model moves, declared by the domain that owns the model (core
# knows no domain): ``projects`` for a project and its team, ``auth`` for people, ``orgs``
# for organisations. A model not declared here moves its ``project_id``'s stamp, if any.
_MOVES: dict[type, _Moves] = {}


def moves(
    model: type,
    *,
    scopes: Callable[[object], set[str]] | None = None,
    last: Iterable[str] = (),
    include_collections: bool = False,
) -> None:
    """Declare which stamps a change to ``model`` (or a subclass) moves.

    ``scopes(obj)`` replaces the default (the row's ``project_id``); ``last`` are shared
    scopes bumped at the very end of the commit; ``include_collections`` counts a change to
    a collection only (no column changed) as a change of the object.
    """
    _MOVES[model] = _Moves(scopes, frozenset(last), include_collections)


def _declared(obj: object) -> _Moves | None:
    for cls in type(obj).__mro__:
        if cls in _MOVES:
            return _MOVES[cls]
    return None


def last_scopes_of(obj: object) -> set[str]:
    """The shared scopes a changed ORM object belongs to (bumped at the very end)."""
    declared = _declared(obj)
    return set(declared.last) if declared else set()


def bump_at_end(scopes: Iterable[str], *, session: Session | None = None) -> None:
    """Have ``scopes`` bumped at the commit, after everything else the transaction does
    (for scopes many transactions share, such as ``portfolio``)."""
    from tracker.extensions import db

    session = session or db.session
    session.info.setdefault(_LAST_KEY, set()).update(scopes)


def scopes_of(obj: object) -> set[str]:
    """The scopes a changed ORM object belongs to."""
    if isinstance(obj, ChangeStamp):
        return set()
    declared = _declared(obj)
    if declared and declared.scopes:
        return declared.scopes(obj)
    project_id = getattr(obj, "project_id", None)
    if isinstance(project_id, int):
        return {project_scope(project_id)}
    return set()


def bump(scopes: Iterable[str], *, session: Session | None = None) -> None:
    """Move each scope's stamp on by one, in the caller's transaction."""
    from tracker.extensions import db

    session = session or db.session
    wanted = sorted(set(scopes))
    if not wanted:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = ChangeStamp.__table__
    for start in range(0, len(wanted), 1000):
        rows = [{"scope": scope, "generation": 1} for scope in wanted[start : start + 1000]]
        statement = insert(table).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.scope],
            set_={"generation": table.c.generation + 1},
        )
        session.execute(statement)


def read(scopes: Iterable[str]) -> dict[str, int]:
    """Each scope's stamp (0 for a scope never changed)."""
    from tracker.extensions import db

    wanted = list(scopes)
    found = dict(
        db.session.execute(
            select(ChangeStamp.scope, ChangeStamp.generation).where(ChangeStamp.scope.in_(wanted))
        ).all()
    )
    return {scope: found.get(scope, 0) for scope in wanted}


def _collect(session: Session, flush_context) -> None:
    # After the flush, new rows have their ids and the lists still show what was flushed.
    scopes: set[str] = session.info.setdefault(_KEY, set())
    last: set[str] = session.info.setdefault(_LAST_KEY, set())
    for obj in session.new:
        scopes |= scopes_of(obj)
        last |= last_scopes_of(obj)
    for obj in session.deleted:
        scopes |= scopes_of(obj)
        last |= last_scopes_of(obj)
    for obj in session.dirty:
        # A project's partners are a collection only (no column changes); other objects'
        # collections change as back-references of rows that bump their own scopes.
        declared = _declared(obj)
        collections = bool(declared and declared.include_collections)
        if session.is_modified(obj, include_collections=collections):
            scopes |= scopes_of(obj)
            last |= last_scopes_of(obj)


_AT_COMMIT: list[Callable[[Session], None]] = []


def at_commit(callback: Callable[[Session], None]) -> Callable[[Session], None]:
    """Run ``callback(session)`` at every commit, inside the transaction, after the stamps
    have moved: the one place where work is done just before a commit (the portfolio's
    stored facts use it), so every transaction takes those locks in the same order."""
    _AT_COMMIT.append(callback)
    return callback


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        # A savepoint is being released (``begin_nested``): the hook fires for it too, but
        # the transaction goes on, and may yet lock the audit trail's head. Taking the
        # stamps' locks now would hold them before that lock, the reverse of other
        # transactions' order, and two such transactions deadlock. The commit does it all.
        return
    session.flush()
    # Scopes collected in a transaction that was rolled back stay in the set and are bumped
    # with the next commit: a stamp moving without a change only costs a cache miss.
    scopes = session.info.pop(_KEY, set())
    if scopes:
        bump(scopes, session=session)
    for callback in _AT_COMMIT:
        callback(session)
    # Shared stamps last: once one is locked, this transaction waits for nothing else.
    last = session.info.pop(_LAST_KEY, set())
    if last:
        bump(last, session=session)


def install() -> None:
    """Register the session hooks (once per process)."""
    if event.contains(Session, "before_commit", _before_commit):
        return
    event.listen(Session, "after_flush", _collect)
    event.listen(Session, "before_commit", _before_commit)
