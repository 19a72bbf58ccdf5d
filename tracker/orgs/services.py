from __future__ import annotations

from sqlalchemy import func, select

from tracker.audit import services as audit
from tracker.audit.rules import diff
from tracker.core.errors import RuleError, check_version
from tracker.extensions import db
from tracker.orgs.models import Organisation


def _snapshot(org: Organisation) -> dict:
    return {"name": org.name, "short_name": org.short_name, "kind": org.kind}


def _check_unique_name(name: str, exclude_id: int | None = None) -> None:
    query = select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
    if exclude_id is not None:
        query = query.where(Organisation.id != exclude_id)
    if db.session.scalars(query).first() is not None:
        raise RuleError("An organisation with this name already exists", "name")


def create_organisation(*, name: str, short_name: str | None, kind: str) -> Organisation:
    name = name.strip()
    _check_unique_name(name)
    org = Organisation(name=name, short_name=(short_name or "").strip() or None, kind=kind)
    db.session.add(org)
    db.session.flush()
    audit.record(
        "organisation.created",
        org,
        summary=f"Created organisation {org.name}",
        changes=diff({}, _snapshot(org)),
    )
    return org


def update_organisation(
    org: Organisation, *, name: str, short_name: str | None, kind: str, version: int | None
) -> Organisation:
    check_version(org, version)
    name = name.strip()
    _check_unique_name(name, exclude_id=org.id)
    before = _snapshot(org)
    org.name, org.short_name, org.kind = name, (short_name or "").strip() or None, kind
    changes = diff(before, _snapshot(org))
    if changes:
        db.session.flush()
        audit.record(
            "organisation.updated",
            org,
            summary=f"Updated organisation {org.name}",
            changes=changes,
        )
    return org
