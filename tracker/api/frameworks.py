"""Governance frameworks: every signed-in person reads them; PMO staff copy one, start a
draft and publish it (editing a draft's gates is done on the pages). A project's framework
and its checklist are read by its members and confirmed by its manager."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from sqlalchemy import select

from tracker.api.core import (
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
from tracker.api.organisations import pmo_only
from tracker.core.errors import RuleError
from tracker.core.pagination import paginate
from tracker.extensions import db
from tracker.frameworks import services as frameworks
from tracker.frameworks.models import FrameworkVersion, GateTemplateItem, GovernanceFramework
from tracker.frameworks.rules import LEVELS, CaseVersion, FallsAt, ItemKind, VersionStatus
from tracker.projects.governance import GateBoundaries

blp = resource("frameworks", "Governance frameworks: versioned gate templates and tailoring.")


class TemplateItemSchema(Schema):
    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": values(ItemKind)})
    text = ma.fields.String(required=True)
    evidence_required = ma.fields.Boolean(required=True)


class GateTemplateSchema(Schema):
    id = ma.fields.Integer(required=True)
    key = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    falls_at = ma.fields.String(required=True, metadata={"enum": values(FallsAt)})
    deciding_roles = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        required=True,
        metadata={"description": "Board roles that decide the gate, per governance level."},
    )
    items = ma.fields.List(ma.fields.Nested(TemplateItemSchema), required=True)
    business_case_due = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={
            "enum": [*values(CaseVersion), None],
            "description": "The business case version due (medium and large projects).",
        },
    )
    business_case_due_small = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={
            "enum": [*values(CaseVersion), None],
            "description": "The business case version due from small projects.",
        },
    )


class FrameworkTailoringSchema(Schema):
    level = ma.fields.String(required=True, metadata={"enum": [str(x) for x in LEVELS]})
    gates = ma.fields.String(required=True, metadata={"enum": values(GateBoundaries)})
    highlight_every_months = ma.fields.Integer(required=True)
    budget_checkpoint_every_months = ma.fields.Integer(required=True)


class FrameworkVersionSchema(Schema):
    id = ma.fields.Integer(required=True)
    number = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, metadata={"enum": values(VersionStatus)})
    published_at = ma.fields.DateTime(required=True, allow_none=True)
    change_summary = ma.fields.String(required=True)


class FrameworkVersionDetailSchema(FrameworkVersionSchema):
    gates = ma.fields.List(ma.fields.Nested(GateTemplateSchema), required=True)
    tailoring = ma.fields.List(ma.fields.Nested(FrameworkTailoringSchema), required=True)


class FrameworkSchema(Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    is_default = ma.fields.Boolean(required=True)
    version = ma.fields.Integer(
        required=True, metadata={"description": "Send it back to change the framework."}
    )


class FrameworkDetailSchema(FrameworkSchema):
    versions = ma.fields.List(ma.fields.Nested(FrameworkVersionSchema), required=True)
    newest = ma.fields.Nested(
        FrameworkVersionDetailSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The draft when one is open, else the newest published."},
    )


class FrameworkCopySchema(Schema):
    copy_of = Int(required=True, minimum=1, metadata={"description": "The framework to copy."})
    name = Text(
        required=True,
        validate=ma.validate.Length(min=1, max=200, error="Name must be 1 to 200 characters"),
    )


class FrameworkStampSchema(Schema):
    version = Int(required=True, minimum=1)


class ProjectFrameworkSchema(Schema):
    project_id = ma.fields.Integer(required=True)
    framework_version = ma.fields.Nested(
        FrameworkVersionDetailSchema, required=True, allow_none=True
    )
    confirmed_item_ids = ma.fields.List(ma.fields.Integer(), required=True)


class ChecklistConfirmSchema(Schema):
    evidence = Text(
        allow_none=True,
        load_default=None,
        validate=ma.validate.Length(max=500, error="Evidence must be 500 characters or fewer"),
    )


class ChecklistConfirmationSchema(Schema):
    id = ma.fields.Integer(required=True)
    gate_template_item_id = ma.fields.Integer(required=True)
    evidence = ma.fields.String(required=True, allow_none=True)
    confirmed_at = ma.fields.DateTime(required=True)


def _version_detail(version: FrameworkVersion) -> dict:
    return {
        "id": version.id,
        "number": version.number,
        "status": version.status,
        "published_at": version.published_at,
        "change_summary": version.change_summary,
        "gates": [
            {
                "id": gate.id,
                "key": gate.key,
                "name": gate.name,
                "falls_at": gate.falls_at,
                "deciding_roles": {
                    level.value: [r.role for r in gate.roles if r.level == level]
                    for level in LEVELS
                },
                "items": gate.items,
                "business_case_due": gate.business_case_due,
                "business_case_due_small": gate.business_case_due_small,
            }
            for gate in version.gates
        ],
        "tailoring": version.tailoring,
    }


def _detail(framework: GovernanceFramework) -> dict:
    versions = list(
        db.session.scalars(
            select(FrameworkVersion)
            .where(FrameworkVersion.framework_id == framework.id)
            .order_by(FrameworkVersion.number.desc())
        )
    )
    newest = None
    if versions:
        newest = db.session.scalars(
            frameworks.version_query().where(FrameworkVersion.id == versions[0].id)
        ).one()
    return {
        "id": framework.id,
        "name": framework.name,
        "description": framework.description,
        "is_default": framework.is_default,
        "version": framework.version,
        "versions": versions,
        "newest": _version_detail(newest) if newest is not None else None,
    }


@blp.get("/frameworks")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(FrameworkSchema))
def list_frameworks(args):
    """List governance frameworks, the default first."""
    statement = select(GovernanceFramework).order_by(
        GovernanceFramework.is_default.desc(), GovernanceFramework.name, GovernanceFramework.id
    )
    return envelope(paginate(statement, args["page"], args["per_page"]))


@blp.get("/frameworks/<id:framework_id>")
@blp.response(200, FrameworkDetailSchema)
def get_framework(framework_id: int):
    """One framework: its versions, and the gates and tailoring of its newest."""
    return _detail(get_or_404(GovernanceFramework, framework_id))


@blp.post("/frameworks")
@pmo_only
@blp.arguments(FrameworkCopySchema)
@blp.response(201, FrameworkDetailSchema)
def create_framework(data):
    """Copy a framework's newest published version as a new framework, whose version 1 is a
    draft. PMO staff and administrators only; names are unique (422)."""
    source_framework = get_or_404(GovernanceFramework, data["copy_of"])
    with service_call():
        source = frameworks.latest_published(source_framework.id)
        if source is None:
            raise RuleError("The framework to copy has no published version.")
        draft = frameworks.copy_framework(source, name=data["name"], actor=current_user)
    return _detail(draft.framework)


@blp.post("/frameworks/<id:framework_id>/drafts")
@pmo_only
@blp.response(201, FrameworkDetailSchema)
def start_draft(framework_id: int):
    """Start the next version as a draft, copied from the newest published one (422 when a
    draft is already open)."""
    framework = get_or_404(GovernanceFramework, framework_id)
    with service_call():
        frameworks.start_draft(framework, actor=current_user)
    return _detail(framework)


@blp.post("/frameworks/<id:framework_id>/publish")
@pmo_only
@blp.arguments(FrameworkStampSchema)
@blp.response(200, FrameworkDetailSchema)
def publish(data, framework_id: int):
    """Publish the open draft: checked (every gate has a deciding role), recorded with what
    changed, and never changed again. A stale ``version`` gets 409."""
    framework = get_or_404(GovernanceFramework, framework_id)
    draft = frameworks.draft_of(framework.id)
    with service_call():
        if draft is None:
            raise RuleError(f"{framework.name} has no draft to publish: start one first.")
        frameworks.publish(draft, stamp=data["version"], actor=current_user)
    return _detail(framework)


@blp.get("/projects/<id:project_id>/framework")
@for_project()
@blp.response(200, ProjectFrameworkSchema)
def get_project_framework(project):
    """The framework version the project follows and the checklist items confirmed."""
    governance = frameworks.governance_of(project)
    version = None
    if governance is not None:
        version = db.session.scalars(
            frameworks.version_query().where(FrameworkVersion.id == governance.version_id)
        ).one()
    return {
        "project_id": project.id,
        "framework_version": _version_detail(version) if version is not None else None,
        "confirmed_item_ids": sorted(frameworks.confirmations(project)),
    }


@blp.post("/projects/<id:project_id>/framework/items/<id:item_id>/confirm")
@for_project(manage=True)
@blp.arguments(ChecklistConfirmSchema)
@blp.response(201, ChecklistConfirmationSchema)
def confirm_item(data, project, item_id: int):
    """Confirm a checklist item (or that a required document is attached, by its
    reference) of a gate in the project's framework. The project's manager or PMO."""
    item = get_or_404(GateTemplateItem, item_id)
    with service_call():
        confirmation = frameworks.confirm_item(
            project, item, evidence=data["evidence"], actor=current_user
        )
    return confirmation
