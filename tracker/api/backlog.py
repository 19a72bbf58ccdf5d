"""Backlog items: read, add and change them (the team: manager, PMO or team members); put
them in order and label them MoSCoW (the product owner: the project manager or PMO)."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user

from tracker.agile import queries
from tracker.agile import services as agile
from tracker.agile.access import can_prioritise, can_work
from tracker.agile.models import BacklogItem
from tracker.agile.rules import ItemStatus, Move, Priority
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
from tracker.auth.access import forbid
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
    rank = ma.fields.Integer(
        required=True,
        metadata={"description": "The item's rank in the backlog's order: lower is first."},
    )
    moscow = ma.fields.String(required=True, allow_none=True, metadata={"enum": values(Priority)})
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
    moscow = Choice(Priority, allow_none=True, load_default=None)


class BacklogItemUpdateSchema(Schema):
    version = Int(required=True, minimum=1)
    title = Text(validate=TITLE)
    description = Text(validate=DESCRIPTION)
    points = Int(minimum=1, maximum=1000)
    iteration_id = Id(allow_none=True)
    status = Choice(ItemStatus)
    moscow = Choice(Priority, allow_none=True)


class BacklogMoveSchema(Schema):
    rank = Int(
        required=True,
        minimum=1,
        metadata={"description": "The item's rank as you read it: a move is refused if it moved."},
    )
    move = Choice(Move, metadata={"description": "up, down, top or bottom; or give position"})
    position = Int(
        minimum=1,
        metadata={"description": "The place (1 = first) among the items that can still move."},
    )

    @ma.validates_schema
    def _one_target(self, data, **kwargs):
        if ("move" in data) == ("position" in data):
            raise ma.ValidationError("Give either move or position", "move")


FIELDS = ("title", "description", "points", "iteration_id", "moscow")
MOSCOW_REFUSAL = "Only the product owner (the project manager or PMO) sets MoSCoW labels"


def _refuse_moscow(data: dict, project, item: BacklogItem | None = None) -> None:
    wanted = data.get("moscow", item.moscow if item else None)
    changed = wanted != (item.moscow if item else None)
    if changed and not can_prioritise(current_user, project):
        forbid(MOSCOW_REFUSAL)


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
    """Add an item, to the backlog or to an open iteration, at the bottom of the order."""
    _refuse_moscow(data, project)
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
    _refuse_moscow(changes, project, item)
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


@blp.post("/projects/<id:project_id>/backlog/<id:item_id>/move")
@for_project(rule=can_prioritise)
@blp.arguments(BacklogMoveSchema)
@blp.response(200, BacklogItemSchema)
def move_backlog_item(data, project, item_id: int):
    """Move an item in the backlog's order: ``move`` (up, down, top, bottom) or
    ``position`` (its new place among the items not done and not in a closed iteration).
    ``rank`` must be the one you read; 409 if it moved meanwhile. The product owner only."""
    item = get_or_404(BacklogItem, item_id, project=project)
    target = Move(data["move"]) if "move" in data else data["position"]
    with service_call():
        agile.move_item(project, item, target, seen_rank=data["rank"])
    return item
