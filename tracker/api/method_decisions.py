"""Method decisions: the method chosen, its drivers, and how it stands against the
recommendation. Choosing against the recommendation needs a rationale and opens a risk."""

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
    page_of,
    resource,
    service_call,
)
from tracker.core.pagination import paginate
from tracker.methods import model, queries, services

blp = resource("method_decisions", "Delivery method decisions, against the recommendation.")


class MethodDecisionSchema(Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    sequence = ma.fields.Integer(required=True)
    decided_at = ma.fields.AwareDateTime(required=True)
    decided_by_id = ma.fields.Integer(required=True)
    method = ma.fields.String(required=True, metadata={"enum": list(model.METHODS)})
    previous_method = ma.fields.String(
        required=True, allow_none=True, metadata={"enum": [*model.METHODS, None]}
    )
    drivers = ma.fields.List(
        ma.fields.String(metadata={"enum": list(model.DECISION_DRIVERS)}), required=True
    )
    rationale = ma.fields.String(required=True)
    assessment_id = ma.fields.Integer(required=True)
    recommended_method = ma.fields.String(required=True)
    follows_recommendation = ma.fields.Boolean(required=True)
    risk_id = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={
            "description": "The risk opened because the choice departs from the recommendation."
        },
    )


class MethodDecisionCreateSchema(Schema):
    method = Choice(model.METHODS, required=True)
    drivers = ma.fields.List(
        Choice(model.DECISION_DRIVERS),
        required=True,
        validate=ma.validate.Length(min=1, max=len(model.DECISION_DRIVERS)),
    )
    rationale = Text(
        load_default="",
        validate=ma.validate.Length(max=5000),
        metadata={"description": "Required when the method departs from the recommendation."},
    )
    assessment_id = Id(
        metadata={"description": "The assessment you decided against; 409 if a newer one exists."}
    )
    project_version = Int(
        minimum=1, metadata={"description": "The project version you read; 409 if stale."}
    )


@blp.get("/projects/<id:project_id>/method-decisions")
@for_project()
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(MethodDecisionSchema))
def list_method_decisions(args, project):
    """The project's method decisions, newest first."""
    return envelope(paginate(queries.decision_history(project.id), args["page"], args["per_page"]))


@blp.post("/projects/<id:project_id>/method-decisions")
@for_project(manage=True)
@blp.arguments(MethodDecisionCreateSchema)
@blp.response(201, MethodDecisionSchema)
def create_method_decision(data, project):
    """Record the method decision against the latest assessment. Manager or PMO."""
    with service_call():
        decision = services.decide(
            project,
            services.DecisionData(
                method=data["method"],
                drivers=data["drivers"],
                rationale=data["rationale"],
                assessment_id=data.get("assessment_id"),
                project_version=data.get("project_version"),
            ),
            decided_by=current_user,
        )
    return decision
