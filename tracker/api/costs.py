"""Cost entries: list (with the budget page's filters), read, record one, and record a
batch all or nothing. Recording needs the project manager role or PMO, as on the pages.

A retry is safe: send the same ``Idempotency-Key`` header and the costs the first request
recorded come back (200) instead of being recorded twice. The key becomes each entry's
one-off token, the mechanism the cost form uses against double submission.
"""

from __future__ import annotations

import hashlib

import marshmallow as ma
from flask import abort
from flask_login import current_user

from tracker.api.core import (
    Choice,
    Day,
    Id,
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
)
from tracker.api.problems import problem
from tracker.budget import queries
from tracker.budget import rules as budget_rules
from tracker.budget import services as budget
from tracker.budget.models import CostEntry
from tracker.core.errors import RuleError
from tracker.core.pagination import paginate
from tracker.extensions import db

blp = resource("costs", "Cost entries: list, read, record one or a batch.")

MAX_BATCH = 500


class CostSchema(Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    spent_on = Day(required=True)
    amount = Money(
        required=True,
        metadata={
            "pattern": r"^-?\d{1,12}(\.\d{1,2})?$",
            "description": "Negative for a credit note.",
        },
    )
    category = ma.fields.String(
        required=True, metadata={"enum": list(budget_rules.COST_CATEGORIES)}
    )
    supplier = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    stage_id = ma.fields.Integer(required=True, allow_none=True)
    iteration_id = ma.fields.Integer(required=True, allow_none=True)
    credit_reason = ma.fields.String(required=True, allow_none=True)
    import_id = ma.fields.Integer(required=True, allow_none=True)
    recorded_by_id = ma.fields.Integer(required=True, allow_none=True)
    created_at = ma.fields.AwareDateTime(required=True)


class CostListArgs(PageArgs):
    category = Choice(budget_rules.COST_CATEGORIES)
    stage_id = Id(strict=False)
    iteration_id = Id(strict=False)
    supplier = Text(validate=ma.validate.Length(max=200), metadata={"description": "Contains"})
    date_from = Day(data_key="from", metadata={"description": "Spent on or after"})
    date_to = Day(data_key="to", metadata={"description": "Spent on or before"})


class CostCreateSchema(Schema):
    spent_on = Day(required=True, metadata={"description": "Today or earlier."})
    amount = Money(
        required=True,
        metadata={"description": "More than 0; set is_credit for money back."},
    )
    category = Choice(budget_rules.COST_CATEGORIES, required=True)
    supplier = Text(
        load_default="",
        validate=ma.validate.Length(max=budget_rules.MAX_SUPPLIER_LENGTH),
        metadata={"description": "Required for supplier and capital costs."},
    )
    description = Text(
        required=True, validate=ma.validate.Length(max=budget_rules.MAX_DESCRIPTION_LENGTH)
    )
    stage_id = Id(allow_none=True, load_default=None)
    iteration_id = Id(allow_none=True, load_default=None)
    is_credit = ma.fields.Boolean(load_default=False)
    credit_reason = Text(
        load_default="",
        validate=ma.validate.Length(max=2000),
        metadata={"description": "Required for a credit note."},
    )


class CostBatchSchema(Schema):
    items = ma.fields.List(
        ma.fields.Nested(CostCreateSchema),
        required=True,
        validate=ma.validate.Length(min=1, max=MAX_BATCH),
    )


class CostBatchResultSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(CostSchema), required=True)


class IdempotencyHeaders(Schema):
    idempotency_key = Text(
        data_key="Idempotency-Key",
        validate=ma.validate.Regexp(
            r"^[\x21-\x7e]{1,200}$", error="Send 1 to 200 visible ASCII characters"
        ),
        metadata={
            "description": "Any unique string per request (a UUID is ideal). Sending the "
            "same key again returns what the first request recorded."
        },
    )

    class Meta:
        ordered = True
        unknown = ma.EXCLUDE


REPLAYED = "A retry with the same Idempotency-Key: what the first request recorded."


def _tokens(key: str | None, project, count: int) -> list[str] | None:
    """One cost token per entry, from the client's key, scoped to the caller and project
    (so two clients choosing the same key never meet)."""
    if not key:
        return None
    return [
        hashlib.sha256(f"api:{current_user.id}:{project.id}:{key}:{index}".encode()).hexdigest()
        for index in range(count)
    ]


def _data(item: dict) -> budget.CostData:
    return budget.CostData(**item)


def _field(item: dict, field: str | None) -> str | None:
    """The body field a service message is about ("link" on the page's combined picker)."""
    if field == "link":
        return "iteration_id" if item.get("iteration_id") is not None else "stage_id"
    return field


@blp.get("/projects/<id:project_id>/costs")
@for_project()
@blp.arguments(CostListArgs, location="query")
@blp.response(200, page_of(CostSchema))
def list_costs(args, project):
    """Cost entries newest first, filtered like the budget page's cost list."""
    link = None
    if args.get("stage_id"):
        link = f"stage:{args['stage_id']}"
    elif args.get("iteration_id"):
        link = f"iteration:{args['iteration_id']}"
    filters = queries.CostFilters(
        category=args.get("category"),
        link=link,
        supplier=(args.get("supplier") or "").strip() or None,
        date_from=args.get("date_from"),
        date_to=args.get("date_to"),
    )
    page = paginate(
        queries.cost_entries(project.id, filters), args["page"], args["per_page"], scalars=False
    )
    return envelope(page, [row[0] for row in page.items])


@blp.get("/projects/<id:project_id>/costs/<id:cost_id>")
@for_project()
@blp.response(200, CostSchema)
def get_cost(project, cost_id: int):
    return get_or_404(CostEntry, cost_id, project=project)


@blp.post("/projects/<id:project_id>/costs")
@for_project(manage=True)
@blp.arguments(IdempotencyHeaders, location="headers")
@blp.arguments(CostCreateSchema)
@blp.response(201, CostSchema)
@blp.alt_response(200, schema=CostSchema, description=REPLAYED)
def create_cost(headers, data, project):
    """Record one cost. Needs the manager role or PMO."""
    tokens = _tokens(headers.get("idempotency_key"), project, 1)
    with service_call():
        try:
            entries, created = budget.record_costs(
                project, [_data(data)], tokens=tokens, actor=current_user
            )
        except budget.CostBatchError as error:
            _, field, message = error.problems[0]
            raise RuleError(message, _field(data, field)) from None
    return entries[0], (201 if created else 200)


@blp.post("/projects/<id:project_id>/costs/batch")
@for_project(manage=True)
@blp.arguments(IdempotencyHeaders, location="headers")
@blp.arguments(CostBatchSchema)
@blp.response(201, CostBatchResultSchema)
@blp.alt_response(200, schema=CostBatchResultSchema, description=REPLAYED)
def create_cost_batch(headers, data, project):
    """Record up to 500 costs, all or nothing: one bad entry and none is recorded, with
    every problem listed by entry (``items.3.supplier``). Needs the manager role or PMO."""
    items = data["items"]
    tokens = _tokens(headers.get("idempotency_key"), project, len(items))
    with service_call():
        try:
            entries, created = budget.record_costs(
                project, [_data(item) for item in items], tokens=tokens, actor=current_user
            )
        except budget.CostBatchError as error:
            db.session.rollback()
            errors = [
                {
                    "field": ".".join(
                        part for part in ("items", str(index), _field(items[index], field)) if part
                    ),
                    "location": "body",
                    "message": message,
                }
                for index, field, message in error.problems
            ]
            abort(problem(422, str(error), errors=errors))
    return {"items": entries}, (201 if created else 200)
