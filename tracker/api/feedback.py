"""Customer feedback on iterations, and closing the loop ("you said, we did")."""

from __future__ import annotations

import marshmallow as ma
from sqlalchemy import select

from tracker.agile import services as agile
from tracker.agile.access import can_give_feedback, can_work
from tracker.agile.models import Feedback, Iteration
from tracker.agile.rules import Agreement
from tracker.agile.vocabulary import FEEDBACK_SOURCES
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
    page_of,
    resource,
    service_call,
    values,
)
from tracker.core.pagination import paginate

blp = resource("feedback", "Customer feedback per iteration and what was done about it.")


class FeedbackSchema(Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    iteration_id = ma.fields.Integer(required=True)
    source = ma.fields.String(required=True, metadata={"enum": list(FEEDBACK_SOURCES)})
    given_by = ma.fields.String(required=True)
    rating = ma.fields.Integer(required=True)
    said = ma.fields.String(required=True)
    agreement = ma.fields.String(required=True, metadata={"enum": values(Agreement)})
    action_taken = ma.fields.String(required=True)
    backlog_item_id = ma.fields.Integer(required=True, allow_none=True)
    loop_closed = ma.fields.Boolean(required=True)
    loop_closed_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    loop_closed_how = ma.fields.String(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    version = ma.fields.Integer(required=True)


class FeedbackArgs(PageArgs):
    iteration_id = Id(strict=False)
    loop_closed = ma.fields.Boolean()


LONG = ma.validate.Length(max=5000)


class FeedbackCreateSchema(Schema):
    source = Choice(FEEDBACK_SOURCES, required=True)
    given_by = Text(load_default="", validate=ma.validate.Length(max=120))
    rating = Int(required=True, minimum=1, maximum=5)
    said = Text(required=True, validate=ma.validate.Length(min=1, max=5000))
    agreement = Choice(Agreement, required=True)
    action_taken = Text(load_default="", validate=LONG)
    backlog_item_id = Id(allow_none=True, load_default=None)


class CloseLoopSchema(Schema):
    version = Int(required=True, minimum=1)
    action_taken = Text(required=True, validate=ma.validate.Length(min=1, max=5000))
    loop_closed_how = Text(required=True, validate=ma.validate.Length(min=1, max=5000))
    backlog_item_id = Id(allow_none=True, load_default=None)


@blp.get("/projects/<id:project_id>/feedback")
@for_project()
@blp.arguments(FeedbackArgs, location="query")
@blp.response(200, page_of(FeedbackSchema))
def list_feedback(args, project):
    """The project's feedback, newest first."""
    statement = select(Feedback).where(Feedback.project_id == project.id)
    if "iteration_id" in args:
        statement = statement.where(Feedback.iteration_id == args["iteration_id"])
    if "loop_closed" in args:
        statement = statement.where(Feedback.loop_closed.is_(args["loop_closed"]))
    statement = statement.order_by(Feedback.created_at.desc(), Feedback.id.desc())
    return envelope(paginate(statement, args["page"], args["per_page"]))


@blp.get("/projects/<id:project_id>/feedback/<id:feedback_id>")
@for_project()
@blp.response(200, FeedbackSchema)
def get_feedback(project, feedback_id: int):
    return get_or_404(Feedback, feedback_id, project=project)


@blp.post("/projects/<id:project_id>/iterations/<id:iteration_id>/feedback")
@for_project(rule=can_give_feedback)
@blp.arguments(FeedbackCreateSchema)
@blp.response(201, FeedbackSchema)
def create_feedback(data, project, iteration_id: int):
    """Record feedback on a started iteration. The team or a customer representative."""
    iteration = get_or_404(Iteration, iteration_id, project=project)
    with service_call():
        feedback = agile.add_feedback(project, iteration, agile.FeedbackData(**data))
    return feedback


@blp.post("/projects/<id:project_id>/feedback/<id:feedback_id>/close-loop")
@for_project(rule=can_work)
@blp.arguments(CloseLoopSchema)
@blp.response(200, FeedbackSchema)
def close_loop(data, project, feedback_id: int):
    """Say what the team did and how the customer was told. The team."""
    feedback = get_or_404(Feedback, feedback_id, project=project)
    with service_call():
        agile.close_loop(
            project,
            feedback,
            action_taken=data["action_taken"],
            how=data["loop_closed_how"],
            backlog_item_id=data["backlog_item_id"],
            version=data["version"],
        )
    return feedback
