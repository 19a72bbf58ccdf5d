"""Lessons: a project's lessons log (read and log one), and the organisation-wide library
that PMO staff curate and everyone signed in searches, filterable by delivery method."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user

from tracker.api.core import (
    Choice,
    PageArgs,
    Schema,
    Text,
    envelope,
    for_project,
    page_of,
    resource,
    service_call,
    values,
)
from tracker.core.pagination import paginate
from tracker.lessons import access, queries, services
from tracker.lessons.rules import LessonCategory, Verdict
from tracker.projects.rules import DELIVERY_METHODS

blp = resource("lessons", "Lessons logs and the organisation-wide lessons library.")

TEXT = ma.validate.Length(min=1, max=5000)


class LessonSchema(Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    what_happened = ma.fields.String(required=True)
    recommendation = ma.fields.String(required=True)
    verdict = ma.fields.String(required=True, metadata={"enum": values(Verdict)})
    category = ma.fields.String(required=True, metadata={"enum": values(LessonCategory)})
    method = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The project's delivery method when the lesson was logged."},
    )
    zone = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The uncertainty zone of the project's latest assessment."},
    )
    raised_by_id = ma.fields.Integer(required=True)
    raised_at = ma.fields.AwareDateTime(required=True)
    in_library = ma.fields.Boolean(required=True)
    version = ma.fields.Integer(required=True)


class LessonCreateSchema(Schema):
    title = Text(required=True, validate=ma.validate.Length(min=1, max=200))
    what_happened = Text(required=True, validate=TEXT)
    recommendation = Text(required=True, validate=TEXT)
    verdict = Choice(Verdict, required=True)
    category = Choice(LessonCategory, required=True)


class LibraryArgs(PageArgs):
    q = Text(
        validate=ma.validate.Length(max=100),
        metadata={"description": "Words in the title, what happened or the recommendation."},
    )
    method = Choice(DELIVERY_METHODS, metadata={"description": "The delivery method."})


@blp.get("/projects/<id:project_id>/lessons")
@for_project()
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(LessonSchema))
def list_lessons(args, project):
    """The project's lessons log, newest first."""
    return envelope(paginate(queries.of_project(project.id), args["page"], args["per_page"]))


@blp.post("/projects/<id:project_id>/lessons")
@for_project(rule=access.can_log)
@blp.arguments(LessonCreateSchema)
@blp.response(201, LessonSchema)
def create_lesson(data, project):
    """Log a lesson (the project manager, PMO staff or the team). It keeps the project's
    delivery method and uncertainty zone, what similar projects are matched on."""
    with service_call():
        lesson = services.log_lesson(project, services.LessonData(**data), actor=current_user)
    return lesson


@blp.get("/lessons")
@blp.arguments(LibraryArgs, location="query")
@blp.response(200, page_of(LessonSchema))
def list_library(args):
    """The lessons library, newest first, for everyone signed in: search with ``q``, filter
    with ``method``."""
    text = (args.get("q") or "").strip() or None
    statement = queries.library(text, args.get("method"))
    return envelope(paginate(statement, args["page"], args["per_page"]))
