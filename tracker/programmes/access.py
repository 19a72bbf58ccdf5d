"""Who may see and change a portfolio or a programme (one place, asked by the pages, the
API and the services).

PMO staff and administrators see everything. Anyone holding a role on a programme (its
SRO, manager or a board seat) sees that programme, its sub-programmes and its projects'
summary figures; a project's own pages stay behind the project's policy
(``tracker.projects.access``), so a board member sees a project's internals only if they
are on that project too.
"""

from __future__ import annotations

from flask import abort, g, has_app_context
from flask_login import current_user
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tracker.auth.access import forbid
from tracker.extensions import db
from tracker.programmes.models import Portfolio, Programme, ProgrammeRoleHolder
from tracker.programmes.rules import PROGRAMME_BOARD_ROLES, ProgrammeRole

_KEY = "_programme_roles"


def roles_of(user) -> dict[int, frozenset[str]]:
    """Every programme the person holds a role on, with the roles: one query per request."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cache = g.setdefault(_KEY, {}) if has_app_context() else {}
    if user.id not in cache:
        found: dict[int, set[str]] = {}
        for programme_id, role in db.session.execute(
            select(ProgrammeRoleHolder.programme_id, ProgrammeRoleHolder.role).where(
                ProgrammeRoleHolder.user_id == user.id
            )
        ):
            found.setdefault(programme_id, set()).add(role)
        cache[user.id] = {pid: frozenset(held) for pid, held in found.items()}
    return cache[user.id]


def forget() -> None:
    if has_app_context():
        g.pop(_KEY, None)


@event.listens_for(Session, "after_flush")
def _roles_changed(session, flush_context) -> None:
    if any(
        isinstance(obj, ProgrammeRoleHolder)
        for obj in (*session.new, *session.dirty, *session.deleted)
    ):
        forget()


def programme_roles(user, programme: Programme) -> frozenset[str]:
    """The person's roles on the programme or, failing that, on the nearest programme above
    it that they govern (a parent's board oversees its sub-programmes)."""
    held = roles_of(user)
    current: Programme | None = programme
    seen = 0
    while current is not None and seen < 8:
        if current.id in held:
            return held[current.id]
        current = current.parent
        seen += 1
    return frozenset()


def can_view(user, programme: Programme) -> bool:
    return bool(getattr(user, "is_pmo", False) or programme_roles(user, programme))


def can_manage(user, programme: Programme) -> bool:
    """The programme manager runs the programme; PMO staff may step in."""
    if getattr(user, "is_pmo", False):
        return True
    return ProgrammeRole.PROGRAMME_MANAGER in roles_of(user).get(programme.id, frozenset())


def on_board(user, programme: Programme) -> bool:
    return bool(roles_of(user).get(programme.id, frozenset()) & set(PROGRAMME_BOARD_ROLES))


def can_create(user) -> bool:
    """Portfolios and programmes are set up by the PMO."""
    return bool(getattr(user, "is_pmo", False))


def can_view_portfolio(user, portfolio_programme_ids: list[int]) -> bool:
    if getattr(user, "is_pmo", False):
        return True
    held = roles_of(user)
    return any(pid in held for pid in portfolio_programme_ids)


def visible_programme_ids(user) -> set[int] | None:
    """None: every programme (PMO); else the ones the person holds a role on."""
    if getattr(user, "is_pmo", False):
        return None
    return set(roles_of(user))


def load_programme(programme_id: int, *, manage: bool = False) -> Programme:
    programme = db.session.get(Programme, programme_id) or abort(404)
    allowed = can_manage(current_user, programme) if manage else can_view(current_user, programme)
    if not allowed:
        forbid()
    return programme


def load_portfolio(portfolio_id: int) -> Portfolio:
    portfolio = db.session.get(Portfolio, portfolio_id) or abort(404)
    if getattr(current_user, "is_pmo", False):
        return portfolio
    ids = list(
        db.session.scalars(select(Programme.id).where(Programme.portfolio_id == portfolio.id))
    )
    if not can_view_portfolio(current_user, ids):
        forbid()
    return portfolio
