"""The issue register: requests for change, off-specifications, problems and concerns. A
problem can be raised from a risk that happened (``risk_id``): the risk is closed and the
link kept."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user

from tracker.api.core import (
    Choice,
    Id,
    Int,
    PageArgs,
    Schema,
    Text,
    envelope,
    for_project,
    get_or_404,
    merged,
    page_of,
    resource,
    service_call,
    values,
)
from tracker.core.pagination import paginate
from tracker.registers import access, queries, services
from tracker.registers.models import Issue, Risk
from tracker.registers.rules import IssueKind, IssueStatus, Priority

blp = resource("issues", "The project's issue register.")


class IssueSchema(Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": values(IssueKind)})
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    priority = ma.fields.String(required=True, metadata={"enum": values(Priority)})
    severity = ma.fields.Integer(required=True, metadata={"description": "1 (negligible) to 5"})
    owner_id = ma.fields.Integer(required=True)
    raised_by_id = ma.fields.Integer(required=True, allow_none=True)
    status = ma.fields.String(required=True, metadata={"enum": values(IssueStatus)})
    resolution = ma.fields.String(required=True)
    risk_id = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The risk that happened, for a problem raised from one."},
    )
    created_at = ma.fields.AwareDateTime(required=True)
    closed_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    version = ma.fields.Integer(required=True)


class IssueArgs(PageArgs):
    status = Choice(IssueStatus)


TITLE = ma.validate.Length(min=1, max=200)
TEXT = ma.validate.Length(max=5000)
SEVERITY = {"minimum": 1, "maximum": 5}


class IssueCreateSchema(Schema):
    kind = Choice(IssueKind, required=True)
    title = Text(required=True, validate=TITLE)
    description = Text(load_default="", validate=TEXT)
    priority = Choice(Priority, required=True)
    severity = Int(required=True, **SEVERITY)
    owner_id = Id(required=True)
    risk_id = Id(
        allow_none=True,
        load_default=None,
        metadata={"description": "Raise a problem from this open risk, which is then closed."},
    )


class IssueUpdateSchema(Schema):
    version = Int(required=True, minimum=1)
    kind = Choice(IssueKind)
    title = Text(validate=TITLE)
    description = Text(validate=TEXT)
    priority = Choice(Priority)
    severity = Int(**SEVERITY)
    owner_id = Id()
    status = Choice(IssueStatus)
    resolution = Text(validate=TEXT, metadata={"description": "Required to close."})


FIELDS = (
    "kind",
    "title",
    "owner_id",
    "priority",
    "severity",
    "description",
    "status",
    "resolution",
)


@blp.get("/projects/<id:project_id>/issues")
@for_project()
@blp.arguments(IssueArgs, location="query")
@blp.response(200, page_of(IssueSchema))
def list_issues(args, project):
    """The register: open first, then by priority and severity."""
    page = paginate(
        queries.issue_register(project.id, args.get("status")), args["page"], args["per_page"]
    )
    return envelope(page)


@blp.get("/projects/<id:project_id>/issues/<id:issue_id>")
@for_project()
@blp.response(200, IssueSchema)
def get_issue(project, issue_id: int):
    return get_or_404(Issue, issue_id, project=project)


@blp.post("/projects/<id:project_id>/issues")
@for_project(rule=access.can_keep)
@blp.arguments(IssueCreateSchema)
@blp.response(201, IssueSchema)
def create_issue(data, project):
    """Raise an issue. Manager or PMO; the owner must be on the project."""
    risk_id = data.pop("risk_id")
    risk = get_or_404(Risk, risk_id, project=project) if risk_id is not None else None
    with service_call():
        issue = services.create_issue(
            project, services.IssueData(**data), actor=current_user, from_risk=risk
        )
    return issue


@blp.patch("/projects/<id:project_id>/issues/<id:issue_id>")
@for_project(rule=access.can_keep)
@blp.arguments(IssueUpdateSchema)
@blp.response(200, IssueSchema)
def update_issue(changes, project, issue_id: int):
    """Change an issue; closing it needs a resolution. ``version`` must be the one you read."""
    issue = get_or_404(Issue, issue_id, project=project)
    version = changes.pop("version")
    with service_call():
        services.update_issue(
            project,
            issue,
            services.IssueData(**merged(issue, changes, FIELDS)),
            version=version,
            actor=current_user,
        )
    return issue
