"""Iterations of agile and hybrid projects: read, plan and re-plan (the manager or PMO)."""

from __future__ import annotations

import marshmallow as ma

from tracker.agile import queries
from tracker.agile import services as agile
from tracker.agile.models import Iteration
from tracker.agile.rules import IterationStatus
from tracker.api.core import (
    Day,
    Int,
    Schema,
    Text,
    for_project,
    get_or_404,
    merged,
    resource,
    service_call,
    values,
)

blp = resource("iterations", "Iterations: goal, dates, committed and completed points.")


class IterationSchema(Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    goal = ma.fields.String(required=True)
    start_on = Day(required=True)
    end_on = Day(required=True)
    status = ma.fields.String(required=True, metadata={"enum": values(IterationStatus)})
    committed_points = ma.fields.Integer(required=True, allow_none=True)
    completed_points = ma.fields.Integer(required=True, allow_none=True)
    started_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    closed_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    version = ma.fields.Integer(required=True)


class IterationListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(IterationSchema), required=True)


NAME = ma.validate.Length(min=1, max=100)
GOAL = ma.validate.Length(max=2000)


class IterationCreateSchema(Schema):
    name = Text(required=True, validate=NAME)
    goal = Text(load_default="", validate=GOAL)
    start_on = Day(required=True)
    end_on = Day(required=True)
    committed_points = Int(
        allow_none=True,
        maximum=100000,
        metadata={"description": "Left out, it is the sum of the items' points at the start."},
    )


class IterationUpdateSchema(Schema):
    version = Int(required=True, minimum=1)
    name = Text(validate=NAME)
    goal = Text(validate=GOAL)
    start_on = Day()
    end_on = Day()
    committed_points = Int(allow_none=True, maximum=100000)


FIELDS = ("name", "goal", "start_on", "end_on", "committed_points")


@blp.get("/projects/<id:project_id>/iterations")
@for_project()
@blp.response(200, IterationListSchema)
def list_iterations(project):
    """The project's iterations by start date."""
    return {"items": queries.project_iterations(project.id)}


@blp.get("/projects/<id:project_id>/iterations/<id:iteration_id>")
@for_project()
@blp.response(200, IterationSchema)
def get_iteration(project, iteration_id: int):
    return get_or_404(Iteration, iteration_id, project=project)


@blp.post("/projects/<id:project_id>/iterations")
@for_project(manage=True)
@blp.arguments(IterationCreateSchema)
@blp.response(201, IterationSchema)
def create_iteration(data, project):
    """Plan an iteration. Manager or PMO; the project must be agile or hybrid (else 409)."""
    with service_call():
        iteration = agile.create_iteration(project, agile.IterationData(**data))
    return iteration


@blp.patch("/projects/<id:project_id>/iterations/<id:iteration_id>")
@for_project(manage=True)
@blp.arguments(IterationUpdateSchema)
@blp.response(200, IterationSchema)
def update_iteration(changes, project, iteration_id: int):
    """Re-plan an iteration that has not closed. ``version`` must be the one you read."""
    iteration = get_or_404(Iteration, iteration_id, project=project)
    version = changes.pop("version")
    data = agile.IterationData(**merged(iteration, changes, FIELDS))
    with service_call():
        agile.update_iteration(project, iteration, data, version=version)
    return iteration
