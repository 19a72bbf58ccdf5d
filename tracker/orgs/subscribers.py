"""What orgs answers when the people's domain (auth, below it) asks (``tracker.core.events``)."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from tracker.core import events
from tracker.extensions import db
from tracker.orgs.models import Organisation


@events.subscribe(events.organisation_named, order=10)
def organisation_named(_sender, *, name: str) -> int | None:
    """The organisation a provider's sign-in names, by its name or short name (any case)."""
    wanted = name.strip().lower()
    return db.session.scalars(
        select(Organisation.id)
        .where(
            or_(
                func.lower(Organisation.name) == wanted,
                func.lower(Organisation.short_name) == wanted,
            )
        )
        .order_by(Organisation.id)
    ).first()


@events.subscribe(events.organisation_choices, order=10)
def organisation_choices(_sender) -> list[tuple[int, str]]:
    return [
        (org_id, name)
        for org_id, name in db.session.execute(
            select(Organisation.id, Organisation.name).order_by(Organisation.name)
        )
    ]
