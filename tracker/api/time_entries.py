"""Time entries: the time you may see (your own; all of the projects you manage; all for
PMO staff), and logging, changing and deleting time through the same service as the
timesheet pages. The service's rules hold here too: at most 24 hours a day, nothing
in the future, nothing in a submitted (locked) week, a closed stage or iteration, or a
project you are not on; only the project's manager logs time for someone else."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import wraps

import marshmallow as ma
from flask import abort
from flask_login import current_user

from tracker.api.core import (
    Day,
    Id,
    Int,
    PageArgs,
    Schema,
    Text,
    envelope,
    merged,
    page_of,
    resource,
    service_call,
    values,
)
from tracker.api.problems import from_rule_error
from tracker.auth.access import forbid
from tracker.core.errors import RuleError
from tracker.core.pagination import paginate
from tracker.extensions import db
from tracker.projects.access import can_view
from tracker.projects.models import Project
from tracker.worklog import queries
from tracker.worklog import services as worklog
from tracker.worklog.models import TimeEntry
from tracker.worklog.rules import WeekStatus

blp = resource("time_entries", "Time entries: list, read, log, change and delete.")

HOURS_PATTERN = r"^\d{1,2}(\.\d{1,2})?$"


class Hours(ma.fields.Field):
    """Hours as a decimal string (``"7.5"``), more than 0 and at most 24."""

    default_error_messages = {"invalid": 'Enter the hours as a string, like "7.5"'}

    def __init__(self, **kwargs):
        kwargs["metadata"] = {
            "type": "string",
            "pattern": HOURS_PATTERN,
            "examples": ["7.5"],
            **kwargs.get("metadata", {}),
        }
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{Decimal(value):.2f}"

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not re.fullmatch(HOURS_PATTERN, value):
            raise self.make_error("invalid")
        return Decimal(value)


class TimeEntrySchema(Schema):
    id = ma.fields.Integer(required=True)
    person_id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    stage_id = ma.fields.Integer(required=True, allow_none=True)
    iteration_id = ma.fields.Integer(required=True, allow_none=True)
    backlog_item_id = ma.fields.Integer(required=True, allow_none=True)
    work_date = Day(required=True)
    hours = Hours(required=True)
    role = ma.fields.String(required=True)
    note = ma.fields.String(required=True)
    week_status = ma.fields.Function(
        lambda entry: entry.week.status,
        required=True,
        metadata={"type": "string", "enum": values(WeekStatus)},
    )
    created_by_id = ma.fields.Integer(required=True, allow_none=True)
    created_at = ma.fields.AwareDateTime(required=True)
    updated_at = ma.fields.AwareDateTime(required=True)
    version = ma.fields.Integer(required=True)


class TimeEntryListArgs(PageArgs):
    project_id = Id(strict=False)
    person_id = Id(strict=False)
    date_from = Day(data_key="from", metadata={"description": "Worked on or after"})
    date_to = Day(data_key="to", metadata={"description": "Worked on or before"})


NOTE = ma.validate.Length(max=2000)


class TimeEntryCreateSchema(Schema):
    person_id = Id(
        metadata={"description": "Defaults to you. A project manager may log a team member's."}
    )
    project_id = Id(required=True)
    work_date = Day(required=True, metadata={"description": "Today or earlier."})
    hours = Hours(required=True)
    stage_id = Id(allow_none=True, load_default=None)
    iteration_id = Id(allow_none=True, load_default=None)
    backlog_item_id = Id(allow_none=True, load_default=None)
    note = Text(load_default="", validate=NOTE)


class TimeEntryUpdateSchema(Schema):
    """Only the fields you send change; ``version`` must be the one you read."""

    version = Int(required=True, minimum=1)
    project_id = Id()
    work_date = Day()
    hours = Hours()
    stage_id = Id(allow_none=True)
    iteration_id = Id(allow_none=True)
    backlog_item_id = Id(allow_none=True)
    note = Text(validate=NOTE)


class VersionArgs(Schema):
    version = Int(strict=False, required=True, minimum=1)


FIELDS = (
    "person_id",
    "project_id",
    "work_date",
    "hours",
    "stage_id",
    "iteration_id",
    "backlog_item_id",
    "note",
)


def _load_entry(entry_id: int) -> TimeEntry:
    """As on the pages: the person's own time, or the project's manager (or PMO)."""
    entry = db.session.get(TimeEntry, entry_id)
    if entry is None:
        abort(404)
    if not worklog.can_log_for(current_user, entry.person, entry.project):
        forbid()
    return entry


def for_entry(view):
    """Load the path's entry and check access before the body is read (like
    ``for_project``); the view gets ``entry`` in place of ``entry_id``."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        return view(*args, entry=_load_entry(kwargs.pop("entry_id")), **kwargs)

    return wrapper


def _check_project(project_id: int) -> None:
    """A project you cannot see is "not on the list", without saying what it is."""
    project = db.session.get(Project, project_id)
    if project is None or not can_view(current_user, project):
        abort(from_rule_error(RuleError("Choose a project from the list", "project_id")))


@blp.get("/time-entries")
@blp.arguments(TimeEntryListArgs, location="query")
@blp.response(200, page_of(TimeEntrySchema))
def list_time_entries(args):
    """Time you may see, newest first: your own, all of the projects you manage, or all
    for PMO staff."""
    statement = queries.entries_for(
        current_user,
        project_id=args.get("project_id"),
        person_id=args.get("person_id"),
        start=args.get("date_from"),
        end=args.get("date_to"),
    )
    return envelope(paginate(statement, args["page"], args["per_page"]))


@blp.get("/time-entries/<id:entry_id>")
@for_entry
@blp.response(200, TimeEntrySchema)
def get_time_entry(entry):
    return entry


@blp.post("/time-entries")
@blp.arguments(TimeEntryCreateSchema)
@blp.response(201, TimeEntrySchema)
def create_time_entry(data):
    """Log time: yours, or (as the project's manager) a team member's."""
    data.setdefault("person_id", current_user.id)
    _check_project(data["project_id"])
    with service_call():
        entry = worklog.add_entry(worklog.EntryData(**data), actor=current_user)
    return entry


@blp.patch("/time-entries/<id:entry_id>")
@for_entry
@blp.arguments(TimeEntryUpdateSchema)
@blp.response(200, TimeEntrySchema)
def update_time_entry(changes, entry):
    """Change an entry. ``version`` must be the one you read (409 if it changed). Time in
    a submitted (locked) week cannot change (422 naming ``work_date``)."""
    version = changes.pop("version")
    if "project_id" in changes:
        _check_project(changes["project_id"])
    with service_call():
        worklog.update_entry(
            entry,
            worklog.EntryData(**merged(entry, changes, FIELDS)),
            version=version,
            actor=current_user,
        )
    return entry


@blp.delete("/time-entries/<id:entry_id>")
@for_entry
@blp.arguments(VersionArgs, location="query")
@blp.response(204)
def delete_time_entry(args, entry):
    """Delete an entry, giving the ``version`` you read (409 if it changed). Time in a
    submitted (locked) week cannot be deleted."""
    with service_call():
        worklog.delete_entry(entry, version=args["version"], actor=current_user)
    return None
