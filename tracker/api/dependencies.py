"""Dependencies: on another project in the tracker (acknowledged by its manager) or on an
outside party; both directions, each with whether it is at risk."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user

from tracker.api.core import (
    Choice,
    Day,
    Id,
    Schema,
    Text,
    for_project,
    resource,
    service_call,
    values,
)
from tracker.registers import access, queries, services
from tracker.registers.rules import DependencyKind

blp = resource("dependencies", "The project's dependencies, both ways.")


class DependencySchema(Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True, metadata={"description": "The dependent."})
    kind = ma.fields.String(required=True, metadata={"enum": values(DependencyKind)})
    on_project_id = ma.fields.Integer(required=True, allow_none=True)
    external_party = ma.fields.String(required=True)
    what = ma.fields.String(required=True)
    needed_by = ma.fields.Date(required=True)
    acknowledged_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    is_at_risk = ma.fields.Boolean(
        required=True,
        metadata={"description": "The other project plans to finish after the date needed."},
    )
    version = ma.fields.Integer(required=True)


class DependencyListSchema(Schema):
    depends_on = ma.fields.List(ma.fields.Nested(DependencySchema), required=True)
    depended_on_by = ma.fields.List(ma.fields.Nested(DependencySchema), required=True)


class DependencyCreateSchema(Schema):
    kind = Choice(DependencyKind, required=True)
    what = Text(required=True, validate=ma.validate.Length(min=1, max=300))
    needed_by = Day(required=True)
    on_project_id = Id(allow_none=True, load_default=None)
    external_party = Text(load_default="", validate=ma.validate.Length(max=200))


@blp.get("/projects/<id:project_id>/dependencies")
@for_project()
@blp.response(200, DependencyListSchema)
def list_dependencies(project):
    return {
        "depends_on": queries.depends_on(project.id),
        "depended_on_by": queries.depended_on_by(project.id),
    }


@blp.post("/projects/<id:project_id>/dependencies")
@for_project(rule=access.can_keep)
@blp.arguments(DependencyCreateSchema)
@blp.response(201, DependencySchema)
def create_dependency(data, project):
    """Record a dependency; on itself or closing a loop is a 422."""
    with service_call():
        dependency = services.create_dependency(
            project, services.DependencyData(**data), actor=current_user
        )
    return dependency
