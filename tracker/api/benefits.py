"""The benefits register: benefits and dis-benefits with their owners, measures, baselines,
targets and trajectories; their measurements over time; and benefits reviews. The manager
(or PMO) keeps the register while the project runs; a benefit's owner, on the team or not,
records its measurements and reviews, before and after closure."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import wraps

import marshmallow as ma
from flask import abort
from flask_login import current_user
from sqlalchemy import select

from tracker.api.core import (
    Choice,
    Day,
    Id,
    Int,
    PageArgs,
    Schema,
    Text,
    envelope,
    page_of,
    resource,
    service_call,
    values,
)
from tracker.auth.access import forbid
from tracker.benefits import access, queries, services
from tracker.benefits.models import Benefit, Measurement
from tracker.benefits.rules import (
    BenefitCategory,
    BenefitKind,
    Point,
    ReviewOutcome,
    Trajectory,
)
from tracker.core.dates import uk_today
from tracker.core.pagination import paginate
from tracker.extensions import db
from tracker.projects.models import Project

blp = resource(
    "benefits",
    "The project's benefits register: benefits and dis-benefits, measurements and reviews.",
)

VALUE_PATTERN = r"^-?\d{1,14}(\.\d{1,4})?$"


class Value(ma.fields.Field):
    """A measured value as a decimal string (``"1250.5"``), negative or not, up to four
    decimal places: JSON numbers would lose precision."""

    default_error_messages = {"invalid": 'Enter the value as a decimal string, like "1250.5"'}

    def __init__(self, **kwargs):
        kwargs["metadata"] = {
            "type": ["string", "null"] if kwargs.get("allow_none") else "string",
            "pattern": VALUE_PATTERN,
            "examples": ["1250.5"],
            **kwargs.get("metadata", {}),
        }
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return format(Decimal(value).normalize(), "f")

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not re.fullmatch(VALUE_PATTERN, value):
            raise self.make_error("invalid")
        try:
            return Decimal(value)
        except InvalidOperation:
            raise self.make_error("invalid") from None


class PointSchema(Schema):
    on = Day(required=True)
    value = Value(required=True)


class BenefitSchema(Schema):
    id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": values(BenefitKind)})
    category = ma.fields.String(required=True, metadata={"enum": values(BenefitCategory)})
    organisation_id = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The partner it falls to; null: the lead organisation."},
    )
    option_id = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The business-case option it came from, if named."},
    )
    owner_id = ma.fields.Integer(required=True, allow_none=True)
    owner_name = ma.fields.String(
        required=True, metadata={"description": "An owner without an account; else empty."}
    )
    owner_email = ma.fields.String(required=True)
    measure = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    baseline_value = Value(required=True)
    baseline_on = ma.fields.Date(required=True)
    target_value = Value(required=True)
    target_on = ma.fields.Date(required=True)
    trajectory = ma.fields.String(required=True, metadata={"enum": values(Trajectory)})
    points = ma.fields.List(ma.fields.Nested(PointSchema), required=True)
    latest_value = Value(required=True, allow_none=True)
    latest_on = ma.fields.Date(required=True, allow_none=True)
    off_track = ma.fields.Boolean(
        required=True,
        metadata={"description": "The latest measurement was beyond the benefit tolerance."},
    )
    review_outcome = ma.fields.String(
        required=True, allow_none=True, metadata={"enum": [*values(ReviewOutcome), None]}
    )
    version = ma.fields.Integer(required=True)


class MeasurementSchema(Schema):
    id = ma.fields.Integer(required=True)
    benefit_id = ma.fields.Integer(required=True)
    measured_on = ma.fields.Date(required=True)
    value = Value(required=True)
    expected_value = Value(required=True)
    off_track = ma.fields.Boolean(required=True)
    note = ma.fields.String(required=True)
    recorded_by_id = ma.fields.Integer(required=True, allow_none=True)
    recorded_at = ma.fields.AwareDateTime(required=True)


class ReviewSchema(Schema):
    id = ma.fields.Integer(required=True)
    benefit_id = ma.fields.Integer(required=True)
    due_on = ma.fields.Date(required=True, allow_none=True)
    outcome = ma.fields.String(required=True, metadata={"enum": values(ReviewOutcome)})
    evidence = ma.fields.String(required=True)
    reviewed_by_id = ma.fields.Integer(required=True)
    reviewed_at = ma.fields.AwareDateTime(required=True)


TITLE = ma.validate.Length(min=1, max=200)
TEXT = ma.validate.Length(max=5000)


class BenefitCreateSchema(Schema):
    title = Text(required=True, validate=TITLE)
    kind = Choice(BenefitKind, load_default=BenefitKind.BENEFIT)
    category = Choice(BenefitCategory, required=True)
    organisation_id = Id(allow_none=True, load_default=None)
    option_id = Id(
        allow_none=True,
        load_default=None,
        metadata={"description": "An option of this project's business case."},
    )
    owner_email = Text(
        required=True,
        validate=ma.validate.Length(max=254),
        metadata={"description": "The owner's account, or a person outside the tracker."},
    )
    owner_name = Text(
        load_default="",
        validate=ma.validate.Length(max=200),
        metadata={"description": "Required when no account has the owner's email."},
    )
    measure = Text(required=True, validate=ma.validate.Length(min=1, max=300))
    unit = Text(required=True, validate=ma.validate.Length(max=40))
    baseline_value = Value(required=True)
    baseline_on = Day(required=True)
    target_value = Value(required=True)
    target_on = Day(required=True)
    trajectory = Choice(Trajectory, load_default=Trajectory.LINEAR)
    points = ma.fields.List(ma.fields.Nested(PointSchema), load_default=list)
    description = Text(load_default="", validate=TEXT)


class BenefitUpdateSchema(Schema):
    version = Int(required=True, minimum=1)
    title = Text(validate=TITLE)
    kind = Choice(BenefitKind)
    category = Choice(BenefitCategory)
    organisation_id = Id(allow_none=True)
    option_id = Id(allow_none=True)
    owner_email = Text(validate=ma.validate.Length(max=254))
    owner_name = Text(validate=ma.validate.Length(max=200))
    measure = Text(validate=ma.validate.Length(min=1, max=300))
    unit = Text(validate=ma.validate.Length(max=40))
    baseline_value = Value()
    baseline_on = Day()
    target_value = Value()
    target_on = Day()
    trajectory = Choice(Trajectory)
    points = ma.fields.List(ma.fields.Nested(PointSchema))
    description = Text(validate=TEXT)


class MeasurementCreateSchema(Schema):
    measured_on = Day(required=True)
    value = Value(required=True)
    note = Text(load_default="", validate=TEXT)
    version = Int(
        allow_none=True,
        load_default=None,
        minimum=1,
        metadata={"description": "The benefit's version you read (optional)."},
    )


class ReviewCreateSchema(Schema):
    outcome = Choice(ReviewOutcome, required=True)
    evidence = Text(required=True, validate=ma.validate.Length(min=1, max=5000))
    version = Int(allow_none=True, load_default=None, minimum=1)


FIELDS = (
    "title",
    "kind",
    "category",
    "organisation_id",
    "option_id",
    "owner_email",
    "owner_name",
    "measure",
    "unit",
    "baseline_value",
    "baseline_on",
    "target_value",
    "target_on",
    "trajectory",
    "points",
    "description",
)


class _Shown:
    """A benefit as the schema reads it: its points as plain (on, value) records, and the
    owner's email whether they have an account or not."""

    def __init__(self, benefit: Benefit):
        self._benefit = benefit
        self.points = [{"on": p.on, "value": p.value} for p in benefit.points]
        self.owner_email = benefit.owner.email if benefit.owner else benefit.owner_email

    def __getattr__(self, name: str):
        return getattr(self._benefit, name)


def _data(values_: dict) -> services.BenefitData:
    points = [
        p if isinstance(p, Point) else Point(p["on"], p["value"]) for p in values_.pop("points")
    ]
    return services.BenefitData(**values_, points=points)


def _current(benefit: Benefit) -> dict:
    """The benefit's values as the create schema names them, for a PATCH."""
    shown = _Shown(benefit)
    return {
        **{name: getattr(benefit, name) for name in FIELDS if name not in {"points"}},
        "owner_email": shown.owner_email,
        "owner_name": "" if benefit.owner else benefit.owner_name,
        "points": [Point(p.on, p.value) for p in benefit.points],
    }


def for_register(rule):
    """Load the path's project (and benefit) and check the benefits policy before the body
    is read; the view gets ``project`` (and ``benefit``)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            project = db.session.get(Project, kwargs.pop("project_id")) or abort(404)
            benefit_id = kwargs.pop("benefit_id", None)
            benefit = None
            if benefit_id is not None:
                benefit = db.session.get(Benefit, benefit_id)
                if benefit is None or benefit.project_id != project.id:
                    # Who may not read the register learns nothing about its ids.
                    if not access.can_read(current_user, project):
                        forbid()
                    abort(404)
            if not rule(current_user, project, benefit):
                forbid()
            extra = {"benefit": benefit} if benefit is not None else {}
            return view(*args, project=project, **extra, **kwargs)

        return wrapper

    return decorator


def _reads(user, project, benefit) -> bool:
    return access.can_read(user, project)


def _keeps(user, project, benefit) -> bool:
    return access.can_keep(user, project)


def _records(user, project, benefit) -> bool:
    return access.can_record(user, benefit)


@blp.get("/projects/<id:project_id>/benefits")
@for_register(_reads)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(BenefitSchema))
def list_benefits(args, project):
    """The register: benefits before dis-benefits, by target date."""
    page = paginate(queries.register(project.id), args["page"], args["per_page"])
    return envelope(page, [_Shown(b) for b in page.items])


@blp.post("/projects/<id:project_id>/benefits")
@for_register(_keeps)
@blp.arguments(BenefitCreateSchema)
@blp.response(201, BenefitSchema)
def create_benefit(data, project):
    """Add a benefit or dis-benefit. Manager (while the project runs) or PMO."""
    with service_call():
        benefit = services.create_benefit(project, _data(dict(data)), actor=current_user)
    return _Shown(benefit)


@blp.get("/projects/<id:project_id>/benefits/<id:benefit_id>")
@for_register(_reads)
@blp.response(200, BenefitSchema)
def get_benefit(project, benefit):
    """One benefit with its stored facts: the latest measurement, whether it was off its
    trajectory beyond the benefit tolerance, the latest review's outcome."""
    return _Shown(benefit)


@blp.patch("/projects/<id:project_id>/benefits/<id:benefit_id>")
@for_register(_keeps)
@blp.arguments(BenefitUpdateSchema)
@blp.response(200, BenefitSchema)
def update_benefit(changes, project, benefit):
    """Change a benefit. ``version`` must be the one you read."""
    version = changes.pop("version")
    with service_call():
        services.update_benefit(
            project,
            benefit,
            _data({**_current(benefit), **changes}),
            version=version,
            actor=current_user,
        )
    return _Shown(benefit)


@blp.get("/projects/<id:project_id>/benefits/<id:benefit_id>/measurements")
@for_register(_reads)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(MeasurementSchema))
def list_measurements(args, project, benefit):
    """The benefit's measurements, latest first, each with the value its trajectory
    expected that day and whether it was beyond the benefit tolerance."""
    statement = (
        select(Measurement)
        .where(Measurement.benefit_id == benefit.id)
        .order_by(Measurement.measured_on.desc())
    )
    return envelope(paginate(statement, args["page"], args["per_page"]))


@blp.post("/projects/<id:project_id>/benefits/<id:benefit_id>/measurements")
@for_register(_records)
@blp.arguments(MeasurementCreateSchema)
@blp.response(201, MeasurementSchema)
def create_measurement(data, project, benefit):
    """Record a measurement: the benefit's owner, or the manager (while the project runs)
    or PMO. Not before the baseline was taken, not in the future, one a day."""
    with service_call():
        measurement = services.record_measurement(
            benefit,
            measured_on=data["measured_on"],
            value=data["value"],
            note=data["note"],
            version=data["version"],
            actor=current_user,
        )
    return measurement


@blp.post("/projects/<id:project_id>/benefits/<id:benefit_id>/reviews")
@for_register(_records)
@blp.arguments(ReviewCreateSchema)
@blp.response(201, ReviewSchema)
def create_review(data, project, benefit):
    """Record a benefits review (realised, partly, not) with its evidence; it answers the
    earliest scheduled review date that has come and is not yet answered, if any."""
    with service_call():
        review = services.record_review(
            benefit,
            outcome=data["outcome"],
            evidence=data["evidence"],
            due_on=queries.open_review_date(benefit, uk_today()),
            version=data["version"],
            actor=current_user,
        )
    return review
