"""Read models: people with the organisation they speak for."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Select, select

from tracker.auth.models import User
from tracker.extensions import db
from tracker.orgs.models import Organisation


class PersonChoice(NamedTuple):
    """A person as a picker shows them: ``name`` carries their organisation."""

    id: int
    name: str


def _label(name: str, short_name: str | None, organisation: str | None) -> str:
    agency = short_name or organisation
    return f"{name} ({agency})" if agency else name


def people_choices() -> list[PersonChoice]:
    """Every active person, by name, labelled with their organisation: one query."""
    rows = db.session.execute(
        select(User.id, User.name, Organisation.short_name, Organisation.name)
        .outerjoin(Organisation, User.organisation_id == Organisation.id)
        .where(User.is_active_user)
        .order_by(User.name, User.id)
    )
    return [PersonChoice(uid, _label(name, short, org)) for uid, name, short, org in rows]


def people_of(org: Organisation) -> Select:
    """The organisation's people, for its page (paginated by the caller)."""
    return select(User).where(User.organisation_id == org.id).order_by(User.name, User.id)
