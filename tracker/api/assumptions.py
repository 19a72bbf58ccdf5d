"""Assumptions: what the plan takes as true, with who confirms it and by when."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user

from tracker.api.core import Day, Id, Schema, Text, for_project, resource, service_call, values
from tracker.registers import access, queries, services
from tracker.registers.rules import AssumptionStatus

blp = resource("assumptions", "The project's assumptions.")


class AssumptionSchema(Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    statement = ma.fields.String(required=True)
    owner_id = ma.fields.Integer(required=True)
    confirm_by = ma.fields.Date(required=True)
    status = ma.fields.String(required=True, metadata={"enum": values(AssumptionStatus)})
    version = ma.fields.Integer(required=True)


class AssumptionListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(AssumptionSchema), required=True)


class AssumptionCreateSchema(Schema):
    statement = Text(required=True, validate=ma.validate.Length(min=1, max=300))
    owner_id = Id(required=True)
    confirm_by = Day(required=True)


@blp.get("/projects/<id:project_id>/assumptions")
@for_project()
@blp.response(200, AssumptionListSchema)
def list_assumptions(project):
    return {"items": queries.assumptions(project.id)}


@blp.post("/projects/<id:project_id>/assumptions")
@for_project(rule=access.can_keep)
@blp.arguments(AssumptionCreateSchema)
@blp.response(201, AssumptionSchema)
def create_assumption(data, project):
    with service_call():
        assumption = services.create_assumption(
            project, data["statement"], data["owner_id"], data["confirm_by"], actor=current_user
        )
    return assumption
