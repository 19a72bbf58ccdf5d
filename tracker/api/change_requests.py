"""Change requests: read them, and raise one from an issue with its impact on the seven
performance targets. Deciding stays on the pages, where the authority's reasoning is shown."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from sqlalchemy import select

from tracker.api.core import (
    Id,
    Int,
    Money,
    PageArgs,
    Schema,
    Text,
    envelope,
    for_project,
    get_or_404,
    page_of,
    resource,
    service_call,
    values,
)
from tracker.changes import access, services
from tracker.changes.models import ChangeRequest
from tracker.changes.rules import Authority, ChangeStatus
from tracker.core.pagination import paginate
from tracker.registers.models import Issue

blp = resource("change_requests", "Change requests and who decides them.")

IMPACT = ma.validate.Length(min=1, max=5000)


class ChangeRequestSchema(Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    issue_id = ma.fields.Integer(required=True)
    stage_id = ma.fields.Integer(required=True, allow_none=True)
    title = ma.fields.String(required=True)
    time_impact_days = ma.fields.Integer(required=True)
    cost_impact = Money(required=True)
    scope_impact = ma.fields.String(required=True)
    quality_impact = ma.fields.String(required=True)
    risk_impact = ma.fields.String(required=True)
    benefit_impact = ma.fields.String(required=True)
    sustainability_impact = ma.fields.String(required=True)
    authority = ma.fields.String(required=True, metadata={"enum": values(Authority)})
    authority_reason = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": values(ChangeStatus)})
    requested_by_id = ma.fields.Integer(required=True)
    requested_at = ma.fields.AwareDateTime(required=True)
    decided_by_id = ma.fields.Integer(required=True, allow_none=True)
    decided_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    debited = Money(required=True)
    version = ma.fields.Integer(required=True)


class ChangeRequestCreateSchema(Schema):
    issue_id = Id(required=True, metadata={"description": "The open issue it comes from."})
    title = Text(required=True, validate=ma.validate.Length(min=1, max=200))
    stage_id = Id(allow_none=True, load_default=None)
    time_impact_days = Int(required=True, minimum=0, maximum=3650)
    cost_impact = Money(required=True)
    scope_impact = Text(required=True, validate=IMPACT)
    quality_impact = Text(required=True, validate=IMPACT)
    risk_impact = Text(required=True, validate=IMPACT)
    benefit_impact = Text(required=True, validate=IMPACT)
    sustainability_impact = Text(required=True, validate=IMPACT)


@blp.get("/projects/<id:project_id>/change-requests")
@for_project()
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(ChangeRequestSchema))
def list_change_requests(args, project):
    """The project's change requests, newest first."""
    statement = (
        select(ChangeRequest)
        .where(ChangeRequest.project_id == project.id)
        .order_by(ChangeRequest.id.desc())
    )
    return envelope(paginate(statement, args["page"], args["per_page"]))


@blp.post("/projects/<id:project_id>/change-requests")
@for_project(rule=access.can_request)
@blp.arguments(ChangeRequestCreateSchema)
@blp.response(201, ChangeRequestSchema)
def create_change_request(data, project):
    """Raise a change request from an issue. The answer says who decides it and why."""
    issue = get_or_404(Issue, data.pop("issue_id"), project=project)
    with service_call():
        change = services.request_change(
            project, issue, services.ChangeData(**data), actor=current_user
        )
    return change
