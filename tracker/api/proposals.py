"""Proposals: anyone signed in proposes (a draft) and reads their own; PMO staff and the
prioritisation board read the whole pipeline. Scoring and deciding stay on the pages,
where the criteria and the segregation of duties are shown."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from sqlalchemy import select

from tracker.api.core import (
    Day,
    Id,
    Money,
    PageArgs,
    Schema,
    Text,
    envelope,
    get_or_404,
    page_of,
    resource,
    service_call,
    values,
)
from tracker.auth.access import forbid
from tracker.core.pagination import paginate
from tracker.proposals import access, services
from tracker.proposals.models import Proposal
from tracker.proposals.rules import FundingSource, ProposalStatus

blp = resource("proposals", "Proposals (mandates) before a project exists, and the pipeline.")


class ProposalFundingSchema(Schema):
    source = ma.fields.String(required=True, metadata={"enum": values(FundingSource)})
    amount = Money(required=True)
    is_confirmed = ma.fields.Boolean(required=True)


class ProposalSchema(Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    problem = ma.fields.String(required=True)
    outcome = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": values(ProposalStatus)})
    proposer_id = ma.fields.Integer(required=True)
    lead_organisation_id = ma.fields.Integer(required=True, allow_none=True)
    partner_ids = ma.fields.Method("_partner_ids", required=True)
    rough_cost = Money(required=True, allow_none=True)
    start_on = ma.fields.Date(required=True, allow_none=True)
    finish_on = ma.fields.Date(required=True, allow_none=True)
    funding = ma.fields.List(ma.fields.Nested(ProposalFundingSchema), required=True)
    recommended_method = ma.fields.String(required=True, allow_none=True)
    zone = ma.fields.String(required=True, allow_none=True)
    submitted_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    deferred_until = ma.fields.Date(required=True, allow_none=True)
    project_id = ma.fields.Integer(required=True, allow_none=True)
    version = ma.fields.Integer(required=True)

    def _partner_ids(self, proposal) -> list[int]:
        return [org.id for org in proposal.partners]


class ProposalFundingInSchema(Schema):
    source = Text(required=True, validate=ma.validate.OneOf(values(FundingSource)))
    amount = Money(required=True)
    is_confirmed = ma.fields.Boolean(load_default=False)


TEXT = ma.validate.Length(max=5000)


class ProposalCreateSchema(Schema):
    title = Text(required=True, validate=ma.validate.Length(min=1, max=200))
    problem = Text(load_default="", validate=TEXT)
    outcome = Text(load_default="", validate=TEXT)
    lead_organisation_id = Id(allow_none=True, load_default=None)
    partner_ids = ma.fields.List(Id(), load_default=list)
    rough_cost = Money(allow_none=True, load_default=None)
    start_on = Day(allow_none=True, load_default=None)
    finish_on = Day(allow_none=True, load_default=None)
    funding = ma.fields.List(ma.fields.Nested(ProposalFundingInSchema), load_default=list)


@blp.get("/proposals")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(ProposalSchema))
def list_proposals(args):
    """Your own proposals; PMO staff and the prioritisation board see the whole pipeline, as
    on its page (drafts included, read only). Newest first."""
    statement = select(Proposal).order_by(Proposal.id.desc())
    if not access.can_run_pipeline(current_user):
        statement = statement.where(Proposal.proposer_id == current_user.id)
    return envelope(paginate(statement, args["page"], args["per_page"]))


@blp.get("/proposals/<id:proposal_id>")
@blp.response(200, ProposalSchema)
def get_proposal(proposal_id: int):
    """One proposal: its proposer, PMO staff and the prioritisation board."""
    proposal = get_or_404(Proposal, proposal_id)
    if not access.can_see(current_user, proposal):
        forbid()
    return proposal


@blp.post("/proposals")
@blp.arguments(ProposalCreateSchema)
@blp.response(201, ProposalSchema)
def create_proposal(data):
    """Draft a proposal. Answer its uncertainty assessment and submit it on the pages."""
    funding = [services.FundingLine(**line) for line in data.pop("funding")]
    with service_call():
        proposal = services.create_proposal(
            services.ProposalData(**data, funding=funding), actor=current_user
        )
    return proposal
