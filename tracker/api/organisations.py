"""Organisations: every signed-in person may read them; PMO staff and administrators add
and change them (as on the pages), through the same services."""

from __future__ import annotations

from functools import wraps

import marshmallow as ma
from flask_login import current_user
from sqlalchemy import select

from tracker.api.core import (
    Choice,
    Int,
    PageArgs,
    Schema,
    Text,
    envelope,
    get_or_404,
    page_of,
    resource,
    service_call,
)
from tracker.auth.access import forbid
from tracker.core.pagination import paginate
from tracker.orgs import services as orgs
from tracker.orgs.models import ORG_KINDS, Organisation

blp = resource("organisations", "The agencies that lead and partner in projects.")


class OrganisationSchema(Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    short_name = ma.fields.String(required=True, allow_none=True)
    kind = ma.fields.String(required=True, metadata={"enum": list(ORG_KINDS)})
    version = ma.fields.Integer(required=True)


NAME = ma.validate.Length(min=1, max=200, error="Name must be 1 to 200 characters")
SHORT_NAME = ma.validate.Length(max=40, error="Short name must be 40 characters or fewer")


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("Enter the organisation's name")


class OrganisationCreateSchema(Schema):
    name = Text(required=True, validate=[NAME, _not_blank])
    short_name = Text(
        allow_none=True,
        load_default=None,
        validate=SHORT_NAME,
        metadata={"description": "Optional. Used in tables, for example 'NCC'."},
    )
    kind = Choice(ORG_KINDS, load_default="local_authority")


class OrganisationUpdateSchema(Schema):
    """Only the fields you send change; ``version`` must be the one you read."""

    version = Int(required=True, minimum=1)
    name = Text(validate=[NAME, _not_blank])
    short_name = Text(allow_none=True, validate=SHORT_NAME)
    kind = Choice(ORG_KINDS)


def pmo_only(view):
    """PMO staff and administrators only, checked before the body is read."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_pmo:
            forbid()
        return view(*args, **kwargs)

    return wrapper


@blp.get("/organisations")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(OrganisationSchema))
def list_organisations(args):
    """List organisations, by name."""
    statement = select(Organisation).order_by(Organisation.name, Organisation.id)
    return envelope(paginate(statement, args["page"], args["per_page"]))


@blp.get("/organisations/<id:org_id>")
@blp.response(200, OrganisationSchema)
def get_organisation(org_id: int):
    """One organisation."""
    return get_or_404(Organisation, org_id)


@blp.post("/organisations")
@pmo_only
@blp.arguments(OrganisationCreateSchema)
@blp.response(201, OrganisationSchema)
def create_organisation(data):
    """Add an organisation. PMO staff and administrators only; names are unique (422)."""
    with service_call():
        org = orgs.create_organisation(**data)
    return org


@blp.patch("/organisations/<id:org_id>")
@pmo_only
@blp.arguments(OrganisationUpdateSchema)
@blp.response(200, OrganisationSchema)
def update_organisation(changes, org_id: int):
    """Change an organisation. PMO staff and administrators only; a stale ``version`` gets
    409."""
    org = get_or_404(Organisation, org_id)
    version = changes.pop("version")
    current = {"name": org.name, "short_name": org.short_name, "kind": org.kind, **changes}
    with service_call():
        orgs.update_organisation(org, **current, version=version)
    return org
