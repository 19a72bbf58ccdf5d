"""Organisations: every signed-in person may read them (as on the pages)."""

from __future__ import annotations

import marshmallow as ma
from sqlalchemy import select

from tracker.api.core import PageArgs, Schema, envelope, get_or_404, page_of, resource
from tracker.core.pagination import paginate
from tracker.orgs.models import ORG_KINDS, Organisation

blp = resource("organisations", "The agencies that lead and partner in projects.")


class OrganisationSchema(Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    short_name = ma.fields.String(required=True, allow_none=True)
    kind = ma.fields.String(required=True, metadata={"enum": list(ORG_KINDS)})
    version = ma.fields.Integer(required=True)


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
