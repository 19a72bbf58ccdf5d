"""Read models for people: the people picker's search."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from tracker.auth.models import User
from tracker.extensions import db

SEARCH_LIMIT = 10
SEARCH_MIN_LENGTH = 2


def search_people(text: str, limit: int = SEARCH_LIMIT) -> list[tuple[str, str]]:
    """Active people whose name or email contains ``text`` (any case), as (name, email),
    names first, at most ``limit`` of them (one query). Too short a text finds no one."""
    text = " ".join((text or "").split()).lower()
    if len(text) < SEARCH_MIN_LENGTH:
        return []
    name, email = func.lower(User.name), func.lower(User.email)
    rows = db.session.execute(
        select(User.name, User.email)
        .where(
            User.is_active_user,
            or_(name.contains(text, autoescape=True), email.contains(text, autoescape=True)),
        )
        .order_by(name.startswith(text, autoescape=True).desc(), User.name, User.id)
        .limit(limit)
    )
    return [(row.name, row.email) for row in rows]
