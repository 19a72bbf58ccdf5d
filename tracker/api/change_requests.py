"""Change requests: read them, raise one from an issue with its impact on the seven
performance targets, and decide one as the delegated change authority (the same policy and
service as the page: segregation of duties, the authority checked again at the decision)."""

from __future__ import annotations

from functools import wraps

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
from tracker.auth.access import forbid
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


class ChangeDecisionSchema(Schema):
    decision = Text(required=True, validate=ma.validate.OneOf(["approve", "reject"]))
    comment = Text(load_default="", validate=ma.validate.Length(max=5000))
    version = Int(
        required=True,
        minimum=1,
        metadata={"description": "The change request's version you read: a stale one is 409."},
    )


def _for_its_decider(view):
    """Load the change request and check who decides it *before* the body is read: the
    requester, or anyone the delegation does not name, gets 403 whatever they send."""

    @wraps(view)
    def wrapper(*args, project, change_id: int, **kwargs):
        change = get_or_404(ChangeRequest, change_id, project=project)
        refusal = access.decide_refusal(current_user, change)
        if refusal:
            forbid(refusal)
        return view(*args, project=project, change=change, **kwargs)

    return wrapper


@blp.post("/projects/<id:project_id>/change-requests/<id:change_id>/decision")
@for_project(rule=access.may_decide_some)
@_for_its_decider
@blp.arguments(ChangeDecisionSchema)
@blp.response(200, ChangeRequestSchema)
def decide_change_request(data, project, change):
    """Approve or reject a change request as the authority it falls to: the project
    manager within the change budget and the stage's tolerances, the Executive above them;
    nobody decides their own request, and who decides is checked again now (approvals since
    may have used the budget: then 409). Rejecting needs a ``comment``. Approval re-plans
    the named stage and re-baselines the budget, as on the page."""
    with service_call():
        change = services.decide_change(
            project,
            change,
            approve=data["decision"] == "approve",
            comment=data["comment"],
            version=data["version"],
            actor=current_user,
        )
    return change
