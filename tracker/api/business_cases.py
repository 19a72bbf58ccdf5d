"""A project's business case in versions: members read every version with its figures
and their appraisal; the manager starts a version and writes the draft. A frozen version
never changes (409 with what to do)."""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
from flask import abort
from flask_login import current_user

from tracker.api.core import (
    Choice,
    Int,
    Money,
    Schema,
    Text,
    for_project,
    resource,
    service_call,
    values,
)
from tracker.business_cases import queries, rules
from tracker.business_cases import services as cases
from tracker.business_cases.rules import CASE_VERSION_LABELS, FUNDING_LABELS, CaseStatus
from tracker.core.problems import problem

RATE_PATTERN = r"^0(\.[0-9]{1,4})?$"

blp = resource("business_cases", "A project's business case in versions (SOC, OBC, FBC, BJC).")


class CaseFlowSchema(Schema):
    year = Int(required=True, minimum=0, maximum=rules.MAX_YEARS)
    cost = Money(required=True)
    benefit = Money(required=True)


class CaseOptionSchema(Schema):
    number = ma.fields.Integer(dump_only=True)
    name = Text(required=True, validate=ma.validate.Length(min=1, max=200))
    description = Text(load_default="", validate=ma.validate.Length(max=5000))
    flows = ma.fields.List(ma.fields.Nested(CaseFlowSchema), load_default=list)
    total_cost = Money(dump_only=True)
    total_benefit = Money(dump_only=True)
    npv = Money(dump_only=True, metadata={"description": "Net present value"})


class CaseFundingSchema(Schema):
    source = Choice(FUNDING_LABELS, required=True)
    amount = Money(required=True)
    confirmed = ma.fields.Boolean(load_default=False)


class CaseSectionsSchema(Schema):
    strategic = Text(validate=ma.validate.Length(max=50_000))
    economic = Text(validate=ma.validate.Length(max=50_000))
    commercial = Text(validate=ma.validate.Length(max=50_000))
    financial = Text(validate=ma.validate.Length(max=50_000))
    management = Text(validate=ma.validate.Length(max=50_000))


class CaseVersionSchema(Schema):
    id = ma.fields.Integer(required=True)
    number = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": values(rules.CaseVersion)})
    status = ma.fields.String(required=True, metadata={"enum": values(CaseStatus)})
    sections = ma.fields.Nested(CaseSectionsSchema, required=True)
    discount_rate = ma.fields.String(required=True, metadata={"examples": ["0.0350"]})
    options = ma.fields.List(ma.fields.Nested(CaseOptionSchema), required=True)
    preferred_option = ma.fields.Integer(allow_none=True, required=True)
    funding = ma.fields.List(ma.fields.Nested(CaseFundingSchema), required=True)
    frozen_at = ma.fields.DateTime(allow_none=True, required=True)
    gate_id = ma.fields.Integer(allow_none=True, required=True)
    manager_justified = ma.fields.Boolean(allow_none=True, required=True)
    board_justified = ma.fields.Boolean(allow_none=True, required=True)
    version = ma.fields.Integer(required=True)


class CaseVersionListSchema(Schema):
    project_id = ma.fields.Integer(required=True)
    versions = ma.fields.List(ma.fields.Nested(CaseVersionSchema), required=True)


class CaseStartSchema(Schema):
    kind = Choice(CASE_VERSION_LABELS, required=True)


class CaseDraftSchema(Schema):
    version = Int(required=True)
    sections = ma.fields.Nested(CaseSectionsSchema)
    discount_rate = Text(
        validate=ma.validate.Regexp(
            RATE_PATTERN, error='A fraction from 0 to 0.2 as a string, like "0.035"'
        ),
        metadata={"pattern": RATE_PATTERN, "description": "A fraction: 0.035 is 3.5% a year"},
    )
    options = ma.fields.List(ma.fields.Nested(CaseOptionSchema))
    preferred_option = Int(allow_none=True, minimum=1)
    funding = ma.fields.List(ma.fields.Nested(CaseFundingSchema))


def _version(version) -> dict:
    view = queries.view_of(version)
    by_number = {a.number: a for a in view.appraisals}
    return {
        "id": version.id,
        "number": version.number,
        "kind": version.kind,
        "status": version.status,
        "sections": cases.sections_of(version),
        "discount_rate": f"{version.discount_rate:.4f}",
        "options": [
            {
                "number": o.number,
                "name": o.name,
                "description": o.description,
                "flows": [{"year": f.year, "cost": f.cost, "benefit": f.benefit} for f in o.flows],
                "total_cost": by_number[o.number].total_cost,
                "total_benefit": by_number[o.number].total_benefit,
                "npv": by_number[o.number].npv,
            }
            for o in view.figures.options
        ],
        "preferred_option": version.preferred_option,
        "funding": [
            {"source": f.source.value, "amount": f.amount, "confirmed": f.confirmed}
            for f in view.figures.funding
        ],
        "frozen_at": version.frozen_at,
        "gate_id": version.gate_review_id,
        "manager_justified": version.manager_justified,
        "board_justified": version.board_justified,
        "version": version.version,
    }


def _listing(project) -> dict:
    return {
        "project_id": project.id,
        "versions": [_version(v) for v in cases.versions_of(project.id)],
    }


@blp.get("/projects/<id:project_id>/business-cases")
@for_project()
@blp.response(200, CaseVersionListSchema)
def list_business_cases(project):
    """Every version of the project's business case, oldest first, with its figures and
    their appraisal (totals and net present value at the version's discount rate)."""
    return _listing(project)


@blp.post("/projects/<id:project_id>/business-cases")
@for_project(manage=True)
@blp.arguments(CaseStartSchema)
@blp.response(201, CaseVersionListSchema)
def start_business_case(data, project):
    """Start a new version (a copy of the last one); refused while a draft exists."""
    with service_call():
        cases.start_version(project, kind=data["kind"], actor=current_user)
    return _listing(project)


@blp.patch("/projects/<id:project_id>/business-cases/draft")
@for_project(manage=True)
@blp.arguments(CaseDraftSchema)
@blp.response(200, CaseVersionListSchema)
def save_business_case_draft(data, project):
    """Write the draft: the parts given replace what it had (the options and the funding
    as whole lists). ``version`` is the draft's version you read; 409 when it moved."""
    draft = cases.draft_of(project.id)
    if draft is None:
        # Every version is frozen (or there is none): a state that refuses, so a 409.
        abort(
            problem(
                409,
                "The business case has no draft: every version is frozen once its gate is "
                "requested. Start a new version, which begins as a copy of the last.",
            )
        )
    payload = cases.DraftData(
        sections=data.get("sections"),
        options=[
            rules.Option(
                0,
                o["name"],
                o.get("description", ""),
                tuple(rules.YearFlow(f["year"], f["cost"], f["benefit"]) for f in o["flows"]),
            )
            for o in data["options"]
        ]
        if "options" in data
        else None,
        preferred_option=data.get("preferred_option"),
        set_preferred="preferred_option" in data,
        funding=[
            rules.Funding(rules.FundingSource(f["source"]), f["amount"], f["confirmed"])
            for f in data["funding"]
        ]
        if "funding" in data
        else None,
        discount_rate=Decimal(data["discount_rate"]) if "discount_rate" in data else None,
    )
    with service_call():
        cases.save_draft(draft, payload, stamp=data["version"], actor=current_user)
    return _listing(project)
