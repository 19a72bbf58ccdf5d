"""Backlog items: read, add and change them (the team: manager, PMO or team members)."""

from __future__ import annotations

import marshmallow as ma

from tracker.agile import queries
from tracker.agile import services as agile
from tracker.agile.access import can_work
from tracker.agile.models import BacklogItem
from tracker.agile.rules import ItemStatus
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
from tracker.core.errors import check_version
from tracker.core.pagination import paginate

blp = resource("backlog", "Backlog items and their status.")


class BacklogItemSchema(Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    iteration_id = ma.fields.Integer(required=True, allow_none=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    points = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, metadata={"enum": values(ItemStatus)})
    created_at = ma.fields.AwareDateTime(required=True)
    version = ma.fields.Integer(required=True)


class BacklogArgs(PageArgs):
    status = Choice(ItemStatus)


TITLE = ma.validate.Length(min=1, max=200)
DESCRIPTION = ma.validate.Length(max=5000)


class BacklogItemCreateSchema(Schema):
    title = Text(required=True, validate=TITLE)
    description = Text(load_default="", validate=DESCRIPTION)
    points = Int(required=True, minimum=1, maximum=1000)
    iteration_id = Id(allow_none=True, load_default=None)


class BacklogItemUpdateSchema(Schema):
    version = Int(required=True, minimum=1)
    title = Text(validate=TITLE)
    description = Text(validate=DESCRIPTION)
    points = Int(minimum=1, maximum=1000)
    iteration_id = Id(allow_none=True)
    status = Choice(ItemStatus)


FIELDS = ("title", "description", "points", "iteration_id")


@blp.get("/projects/<id:project_id>/backlog")
@for_project()
@blp.arguments(BacklogArgs, location="query")
@blp.response(200, page_of(BacklogItemSchema))
def list_backlog(args, project):
    """Backlog items by iteration (unplanned first), optionally of one status."""
    page = paginate(
        queries.backlog(project.id, args.get("status")),
        args["page"],
        args["per_page"],
        scalars=False,
    )
    return envelope(page, [row[0] for row in page.items])


@blp.get("/projects/<id:project_id>/backlog/<id:item_id>")
@for_project()
@blp.response(200, BacklogItemSchema)
def get_backlog_item(project, item_id: int):
    return get_or_404(BacklogItem, item_id, project=project)


@blp.post("/projects/<id:project_id>/backlog")
@for_project(rule=can_work)
@blp.arguments(BacklogItemCreateSchema)
@blp.response(201, BacklogItemSchema)
def create_backlog_item(data, project):
    """Add an item, to the backlog or to an open iteration."""
    with service_call():
        item = agile.create_item(project, agile.ItemData(**data))
    return item


@blp.patch("/projects/<id:project_id>/backlog/<id:item_id>")
@for_project(rule=can_work)
@blp.arguments(BacklogItemUpdateSchema)
@blp.response(200, BacklogItemSchema)
def update_backlog_item(changes, project, item_id: int):
    """Change an item's details and/or status. ``version`` must be the one you read."""
    item = get_or_404(BacklogItem, item_id, project=project)
    version = changes.pop("version")
    status = changes.pop("status", None)
    with service_call():
        if changes:
            data = agile.ItemData(**merged(item, changes, FIELDS))
            agile.update_item(project, item, data, version=version)
            version = None  # checked once; the status change below is part of the same edit
        if status is not None and status != item.status:
            agile.change_status(project, item, status, version=version)
        elif not changes:
            check_version(item, version)
    return item
