"""Portfolios and programmes: the hierarchy and each programme's honest roll-up, with the
same access rule as the pages (tracker.programmes.access): PMO staff and administrators see
every programme; anyone else the programmes they hold a role on (SRO, manager, board), and
their projects' summary figures.

Every roll-up says how many projects it covers and names those with no checkpoint yet;
CPI and SPI are computed from the summed money, never averaged.
"""

from __future__ import annotations

from functools import wraps

import marshmallow as ma
from flask import abort
from flask_login import current_user
from sqlalchemy import select

from tracker.api.core import (
    Day,
    Id,
    Money,
    PageArgs,
    Schema,
    envelope,
    page_of,
    resource,
    service_call,
    values,
)
from tracker.auth.access import forbid
from tracker.core.dates import uk_today
from tracker.core.pagination import paginate
from tracker.extensions import db
from tracker.programmes import access, queries, rules, services
from tracker.programmes.models import Portfolio, Programme, ProgrammeProject, ProgrammeRoleHolder
from tracker.projects.models import Project
from tracker.projects.rules import DELIVERY_METHODS, ProjectStatus

blp = resource(
    "programmes",
    "Portfolios hold programmes; programmes hold projects and sub-programmes. Each "
    "programme's earned value is summed over its projects on one day.",
)

INDEX = {"type": ["string", "null"], "examples": ["0.95"]}


class PortfolioGroupSchema(Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    description = ma.fields.String(required=True)


class ProgrammeSchema(Schema):
    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    portfolio_id = ma.fields.Integer(required=True)
    parent_id = ma.fields.Integer(required=True, allow_none=True)
    purpose = ma.fields.String(required=True)
    is_multi_agency = ma.fields.Boolean(required=True)
    planned_finish = ma.fields.Date(required=True, allow_none=True)
    cost_tolerance = Money(required=True, allow_none=True)
    time_tolerance_days = ma.fields.Integer(required=True, allow_none=True)
    benefits_tolerance_percent = ma.fields.Decimal(
        required=True, allow_none=True, as_string=True, metadata={"type": ["string", "null"]}
    )
    version = ma.fields.Integer(required=True)


class MissingSchema(Schema):
    project_id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)


class RollupSchema(Schema):
    on = ma.fields.Date(required=True)
    projects = ma.fields.Integer(required=True, metadata={"description": "n: projects in it"})
    covered = ma.fields.Integer(
        required=True, metadata={"description": "Projects with a checkpoint on or before `on`"}
    )
    bac = Money(required=True)
    pv = Money(required=True)
    ev = Money(required=True)
    ac = Money(required=True)
    cpi = ma.fields.String(required=True, allow_none=True, metadata=INDEX)
    spi = ma.fields.String(required=True, allow_none=True, metadata=INDEX)
    without_checkpoint = ma.fields.List(ma.fields.Nested(MissingSchema), required=True)


class RoleSchema(Schema):
    user_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    role = ma.fields.String(required=True, metadata={"enum": values(rules.PROGRAMME_ROLES)})


class BreachSchema(Schema):
    dimension = ma.fields.String(required=True)
    message = ma.fields.String(required=True)


class ProgrammeDetailSchema(ProgrammeSchema):
    rollup = ma.fields.Nested(RollupSchema, required=True)
    roles = ma.fields.List(ma.fields.Nested(RoleSchema), required=True)
    exceptions = ma.fields.List(
        ma.fields.Nested(BreachSchema),
        required=True,
        metadata={"description": "Programme tolerances the roll-up breaches"},
    )


class ProgrammeProjectSchema(Schema):
    project_id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    method = ma.fields.String(
        required=True, allow_none=True, metadata={"enum": [*DELIVERY_METHODS, None]}
    )
    status = ma.fields.String(required=True, metadata={"enum": values(ProjectStatus)})
    programme_id = ma.fields.Integer(
        required=True, metadata={"description": "The programme or sub-programme it is in"}
    )
    checkpoint_on = ma.fields.Date(required=True, allow_none=True)
    bac = Money(required=True, allow_none=True)
    pv = Money(required=True, allow_none=True)
    ev = Money(required=True, allow_none=True)
    ac = Money(required=True, allow_none=True)
    cpi = ma.fields.String(required=True, allow_none=True, metadata=INDEX)
    spi = ma.fields.String(required=True, allow_none=True, metadata=INDEX)
    ev_share_percent = ma.fields.String(required=True, allow_none=True, metadata=INDEX)
    board_dca = ma.fields.String(required=True, allow_none=True)
    assurance_dca = ma.fields.String(required=True, allow_none=True)


class OnArgs(Schema):
    on = Day(metadata={"description": "The day of the roll-up; today (UK) if not given"})


class ProjectsArgs(PageArgs, OnArgs):
    """A page of a programme's projects, with their contributions on a given day."""


def _index(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def _visible_programmes():
    only = access.visible_programme_ids(current_user)
    statement = select(Programme).order_by(Programme.code, Programme.id)
    if only is not None:
        statement = statement.where(Programme.id.in_(only or {-1}))
    return statement


def _programme(programme_id: int) -> Programme:
    programme = db.session.get(Programme, programme_id) or abort(404)
    if not access.can_view(current_user, programme):
        forbid()
    return programme


@blp.get("/portfolios")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(PortfolioGroupSchema))
def list_portfolios(args):
    """Portfolios: all for PMO staff, else those holding a programme you have a role on."""
    statement = select(Portfolio).order_by(Portfolio.name, Portfolio.id)
    only = access.visible_programme_ids(current_user)
    if only is not None:
        statement = statement.where(
            Portfolio.id.in_(select(Programme.portfolio_id).where(Programme.id.in_(only or {-1})))
        )
    return envelope(paginate(statement, args["page"], args["per_page"]))


@blp.get("/programmes")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(ProgrammeSchema))
def list_programmes(args):
    """Programmes: all for PMO staff, else those you hold a role on."""
    return envelope(paginate(_visible_programmes(), args["page"], args["per_page"]))


@blp.get("/programmes/<id:programme_id>")
@blp.arguments(OnArgs, location="query")
@blp.response(200, ProgrammeDetailSchema)
def get_programme(args, programme_id: int):
    """One programme with its roll-up on a day, its SRO, manager and board, and the
    programme exceptions the roll-up raises."""
    programme = _programme(programme_id)
    day = args.get("on") or uk_today()
    total = queries.rollup(programme.id, day)
    rows = queries.contributions(programme.id, day)
    holders = db.session.scalars(
        select(ProgrammeRoleHolder)
        .where(ProgrammeRoleHolder.programme_id == programme.id)
        .order_by(ProgrammeRoleHolder.role, ProgrammeRoleHolder.id)
    ).all()
    schema = ProgrammeSchema()
    return {
        **schema.dump(programme),
        "rollup": {
            "on": day,
            "projects": total.projects,
            "covered": total.covered,
            "bac": total.bac,
            "pv": total.pv,
            "ev": total.ev,
            "ac": total.ac,
            "cpi": _index(total.cpi),
            "spi": _index(total.spi),
            "without_checkpoint": [
                {"project_id": r.project_id, "code": r.code, "name": r.name}
                for r in queries.missing_from(rows)
            ],
        },
        "roles": [{"user_id": h.user_id, "name": h.user.name, "role": h.role} for h in holders],
        "exceptions": [
            {"dimension": b.dimension, "message": b.message}
            for b in rules.tolerance_breaches(
                total,
                cost_tolerance=programme.cost_tolerance,
                time_tolerance_days=programme.time_tolerance_days,
                forecast_slip_days=queries.forecast_slip_days(programme, day),
            )
        ],
    }


@blp.get("/programmes/<id:programme_id>/projects")
@blp.arguments(ProjectsArgs, location="query")
@blp.response(200, page_of(ProgrammeProjectSchema))
def list_programme_projects(args, programme_id: int):
    """The programme's projects on a day (with its sub-programmes'), each with its latest
    checkpoint on or before the day, its share of the programme's earned value and its
    latest board and assurance DCA. Projects without a checkpoint have null figures."""
    programme = _programme(programme_id)
    day = args.get("on") or uk_today()
    total = queries.rollup(programme.id, day)
    rows = queries.with_shares(queries.contributions(programme.id, day), total)
    per_page, page = args["per_page"], args["page"]
    chunk = rows[(page - 1) * per_page : page * per_page]
    items = [
        {
            "project_id": r.project_id,
            "code": r.code,
            "name": r.name,
            "method": r.method,
            "status": r.status,
            "programme_id": r.programme_id,
            "checkpoint_on": r.taken_on,
            "bac": r.bac,
            "pv": r.pv,
            "ev": r.ev,
            "ac": r.ac,
            "cpi": _index(r.cpi),
            "spi": _index(r.spi),
            "ev_share_percent": None if r.ev_share is None else f"{r.ev_share:.1f}",
            "board_dca": r.board_dca,
            "assurance_dca": r.assurance_dca,
        }
        for r in chunk
    ]
    pages = max(-(-len(rows) // per_page), 1)
    return {
        "items": items,
        "meta": {"page": page, "per_page": per_page, "total": len(rows), "pages": pages},
    }


class AddProjectSchema(Schema):
    project_id = Id(required=True)
    move = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Move it from its current programme, if it is in one"},
    )


class MembershipSchema(Schema):
    id = ma.fields.Integer(required=True)
    programme_id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    from_on = ma.fields.Date(required=True)
    to_on = ma.fields.Date(required=True, allow_none=True)
    agreed_by_id = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "The receiving manager"}
    )


def managed_programme(view):
    """The path's programme, managed by the caller (its manager, or PMO), checked before
    the body is read."""

    @wraps(view)
    def wrapper(*args, programme_id: int, **kwargs):
        programme = db.session.get(Programme, programme_id) or abort(404)
        if not access.can_manage(current_user, programme):
            forbid()
        return view(*args, programme=programme, **kwargs)

    return wrapper


@blp.post("/programmes/<id:programme_id>/projects")
@managed_programme
@blp.arguments(AddProjectSchema)
@blp.response(201, MembershipSchema)
def add_programme_project(data, programme: Programme):
    """Put a project in the programme from today (UK). A project in another programme is a
    422 unless ``move`` is true; a move needs the receiving programme's manager (it is made
    by them, or by the PMO for a programme that has one), and keeps the history."""
    project = db.session.get(Project, data["project_id"])
    with service_call():
        membership: ProgrammeProject = services.add_project(
            programme, project, actor=current_user, move=data["move"]
        )
    return membership
