"""Projects: list (with the project list's filters), read, create and update, through the
same services and access rules as the pages."""

from __future__ import annotations

import marshmallow as ma
from flask import abort
from flask_login import current_user

from tracker.agile import services as agile
from tracker.agile.access import can_close, start_refusal
from tracker.api.core import (
    Choice,
    Day,
    Id,
    Int,
    Money,
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
from tracker.api.problems import from_rule_error
from tracker.core.errors import RuleError
from tracker.core.pagination import paginate
from tracker.projects import queries
from tracker.projects import services as projects
from tracker.projects.access import refused
from tracker.projects.queries import SORT_COLUMNS
from tracker.projects.rules import (
    CRITICALITY,
    DELIVERY_METHODS,
    GOVERNED_STATUS,
    SIZE_TIERS,
    ProjectStatus,
)

blp = resource("projects", "Projects: list, read, create and update.")


class ProjectSchema(Schema):
    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    problem_statement = ma.fields.String(required=True)
    lead_organisation_id = ma.fields.Integer(required=True)
    partner_ids = ma.fields.Method(
        "_partner_ids", required=True, metadata={"type": "array", "items": {"type": "integer"}}
    )
    manager_id = ma.fields.Method(
        "_manager_id", required=True, metadata={"type": ["integer", "null"]}
    )
    budget_at_completion = Money(required=True)
    planned_start = Day(required=True)
    planned_finish = Day(required=True)
    criticality = ma.fields.Integer(required=True)
    delivery_method = ma.fields.String(
        required=True, allow_none=True, metadata={"enum": [*DELIVERY_METHODS, None]}
    )
    status = ma.fields.String(required=True, metadata={"enum": values(ProjectStatus)})
    version = ma.fields.Integer(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    updated_at = ma.fields.AwareDateTime(required=True)

    def _partner_ids(self, project) -> list[int]:
        return [org.id for org in project.partners]

    def _manager_id(self, project) -> int | None:
        manager = projects.manager_of(project)
        return manager.id if manager else None


class ProjectSummarySchema(Schema):
    """A row of the project list."""

    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    lead_organisation_id = ma.fields.Integer(required=True)
    manager_name = ma.fields.String(required=True, allow_none=True)
    budget_at_completion = Money(required=True)
    planned_start = Day(required=True)
    planned_finish = Day(required=True)
    delivery_method = ma.fields.String(required=True, allow_none=True)
    status = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)


class ProjectListArgs(PageArgs):
    q = Text(validate=ma.validate.Length(max=100), metadata={"description": "Code or name"})
    method = Choice([*DELIVERY_METHODS, "none"])
    status = Choice(ProjectStatus)
    organisation = Id(strict=False, metadata={"description": "Lead or partner organisation id"})
    tier = Choice(SIZE_TIERS)
    sort = Choice(SORT_COLUMNS, load_default="code")
    direction = Choice(["asc", "desc"], load_default="asc")


CODE = ma.validate.Regexp(
    r"^[A-Z0-9][A-Z0-9-]{1,19}$",
    error="Project code must be 2 to 20 capital letters, numbers and hyphens, like ASC-2026-07",
)


class _NoStatus(Schema):
    """Refuses a ``status`` in the body with a message that says why, and logs the attempt:
    a status sent here is someone trying to move the project without the board."""

    @ma.pre_load
    def _refuse_status(self, data, **kwargs):
        if isinstance(data, dict) and "status" in data:
            refused("status", sent=str(data["status"])[:40])
            raise ma.ValidationError({"status": [GOVERNED_STATUS]})
        return data


class ProjectCreateSchema(_NoStatus):
    code = Text(required=True, validate=CODE)
    name = Text(required=True, validate=ma.validate.Length(min=1, max=200))
    problem_statement = Text(required=True, validate=ma.validate.Length(min=1, max=5000))
    lead_organisation_id = Id(required=True)
    partner_ids = ma.fields.List(Id(), load_default=list, validate=ma.validate.Length(max=50))
    manager_id = Id(metadata={"description": "Defaults to you. Only PMO staff may name another."})
    budget_at_completion = Money(required=True)
    planned_start = Day(required=True)
    planned_finish = Day(required=True)
    criticality = Int(required=True, minimum=1, maximum=5, metadata={"enum": list(CRITICALITY)})


class ProjectUpdateSchema(_NoStatus):
    """Only the fields you send change; ``version`` must be the one you read. The status is
    not among them: it moves only through governance."""

    version = Int(required=True, minimum=1)
    code = Text(validate=CODE)
    name = Text(validate=ma.validate.Length(min=1, max=200))
    problem_statement = Text(validate=ma.validate.Length(min=1, max=5000))
    lead_organisation_id = Id()
    partner_ids = ma.fields.List(Id(), validate=ma.validate.Length(max=50))
    manager_id = Id()
    budget_at_completion = Money()
    planned_start = Day()
    planned_finish = Day()
    criticality = Int(minimum=1, maximum=5)


@blp.get("/projects")
@blp.arguments(ProjectListArgs, location="query")
@blp.response(200, page_of(ProjectSummarySchema))
def list_projects(args):
    """Projects you can see (PMO staff see all), filtered and sorted like the project list."""
    statement = queries.project_list(
        current_user,
        q=(args.get("q") or "").strip() or None,
        method=args.get("method"),
        status=args.get("status"),
        organisation=args.get("organisation"),
        tier=args.get("tier"),
        sort=args["sort"],
        direction=args["direction"],
    )
    page = paginate(statement, args["page"], args["per_page"], scalars=False)
    rows = []
    for project, manager_name in page.items:
        row = {name: getattr(project, name, None) for name in ProjectSummarySchema().fields}
        row["manager_name"] = manager_name
        rows.append(row)
    return envelope(page, rows)


@blp.get("/projects/<id:project_id>")
@for_project()
@blp.response(200, ProjectSchema)
def get_project(project):
    """One project. Needs a role on the project, or PMO."""
    return project


def _check_manager(manager_id: int) -> None:
    """Without a PMO role you propose projects you will manage yourself (as on the page)."""
    if not current_user.is_pmo and manager_id != current_user.id:
        abort(
            from_rule_error(
                RuleError(
                    "Only PMO staff can name another person as project manager: leave "
                    "manager_id out to manage the project yourself",
                    "manager_id",
                )
            )
        )


@blp.post("/projects")
@blp.arguments(ProjectCreateSchema)
@blp.response(201, ProjectSchema)
def create_project(data):
    """Create a project. You become its manager unless you are PMO and name someone else.
    A new project is always proposed: a ``status`` in the body gets 422."""
    data.setdefault("manager_id", current_user.id)
    _check_manager(data["manager_id"])
    with service_call():
        project = projects.create_project(projects.ProjectData(**data))
    return project


@blp.patch("/projects/<id:project_id>")
@for_project(manage=True)
@blp.arguments(ProjectUpdateSchema)
@blp.response(200, ProjectSchema)
def update_project(changes, project):
    """Change a project. Needs the manager role or PMO; a stale ``version`` gets 409."""
    manager = projects.manager_of(project)
    current = {
        "code": project.code,
        "name": project.name,
        "problem_statement": project.problem_statement,
        "lead_organisation_id": project.lead_organisation_id,
        "partner_ids": [org.id for org in project.partners],
        "manager_id": manager.id if manager else None,
        "budget_at_completion": project.budget_at_completion,
        "planned_start": project.planned_start,
        "planned_finish": project.planned_finish,
        "criticality": project.criticality,
    }
    version = changes.pop("version")
    current.update(changes)
    with service_call():
        projects.update_project(project, projects.ProjectData(**current), version=version)
    return project


class ProjectCloseSchema(Schema):
    reason = Text(required=True, validate=ma.validate.Length(min=1, max=5000))
    version = Int(required=True, minimum=1)


def _executive(user, project) -> bool:
    return can_close(user, project)


@blp.post("/projects/<id:project_id>/close")
@for_project(rule=_executive)
@blp.arguments(ProjectCloseSchema)
@blp.response(200, ProjectSchema)
def close_project(data, project):
    """As the project's Executive, close a project without stages (agile, or no method
    decided yet): closed after its last iteration, closed early before. Stage-gated and
    hybrid projects close at their gates (409 here); an iteration under way must close
    first (409); a stale ``version`` gets 409."""
    with service_call():
        agile.close_project(
            project, reason=data["reason"], version=data["version"], actor=current_user
        )
    return project


class ProjectStartSchema(Schema):
    conditions = Text(
        load_default="",
        validate=ma.validate.Length(max=5000),
        metadata={"description": "Conditions or comments the board attaches to the start."},
    )
    version = Int(required=True, minimum=1)


@blp.post("/projects/<id:project_id>/start")
@for_project(refusal=start_refusal)
@blp.arguments(ProjectStartSchema)
@blp.response(200, ProjectSchema)
def authorise_start(data, project):
    """As the project's Executive, authorise a proposed agile project to start: it becomes
    active and its iterations can start. Anyone else gets 403 with the reason; a project
    that is not proposed, or not agile (those start at their start gate), gets 409; a stale
    ``version`` gets 409."""
    with service_call():
        agile.authorise_start(
            project,
            conditions=data["conditions"],
            version=data["version"],
            actor=current_user,
        )
    return project
