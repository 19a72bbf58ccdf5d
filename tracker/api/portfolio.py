"""Portfolio comparison figures: the PMO dashboard's figures and the portfolio table, with
the same filters and the same honest-statistics rules as the pages (tracker.portfolio).

Every figure carries ``n``, the number of values it stands on; where the page says "too
few projects" (a median or mean of fewer than 3) or "no data", ``value`` is null and
``reason`` says which.

Who sees what: PMO staff and administrators see the whole portfolio. Anyone else sees the
same figures computed over only the projects they hold a role on (``scope`` says which).
"""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from flask import abort
from flask_login import current_user

from tracker.api.core import (
    Choice,
    Day,
    Id,
    PageArgs,
    Schema,
    envelope,
    page_of,
    resource,
    values,
)
from tracker.api.problems import from_rule_error
from tracker.core.dates import uk_today
from tracker.core.errors import RuleError
from tracker.core.pagination import paginate
from tracker.extensions import db
from tracker.methods.model import DECISION_DRIVERS, ZONES
from tracker.orgs.models import Organisation
from tracker.portfolio import queries, rules
from tracker.portfolio.forms import SORTS
from tracker.projects.rules import DELIVERY_METHODS, SIZE_TIERS, ProjectStatus

blp = resource(
    "portfolio",
    "Portfolio comparison figures by delivery method, recommendation, driver and "
    "uncertainty zone, and the portfolio table.",
)

FOLLOWS = {
    "followed": "Followed the recommendation",
    "departed": "Departed from it",
    "none": "No method decision yet",
}
RAG = ["green", "amber", "red", None]


# --------------------------------------------------------------------------------------
# Who sees which projects
# --------------------------------------------------------------------------------------


def _scope(user) -> str:
    """Whose projects the figures cover: every project for PMO staff and administrators,
    else the projects the person holds a role on (the pages' rule, applied by the
    portfolio queries themselves when given the viewer)."""
    return "all" if user.is_pmo else "member_projects"


# --------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------


class PortfolioFilterArgs(Schema):
    organisation = Id(strict=False, metadata={"description": "Lead or partner organisation id"})
    tier = Choice(SIZE_TIERS)
    zone = Choice(
        [*ZONES, "none"],
        metadata={"description": "Uncertainty zone of the latest assessment; none: not assessed"},
    )
    status = Choice(ProjectStatus)
    method = Choice(DELIVERY_METHODS)
    period_from = Day(metadata={"description": "Projects running on or after this day"})
    period_to = Day(
        metadata={
            "description": "Projects running on or before this day; CPI and SPI are taken at "
            "the latest checkpoint on or before it"
        }
    )


class PortfolioTableArgs(PortfolioFilterArgs, PageArgs):
    sort = Choice(SORTS, load_default="code")
    direction = Choice(["asc", "desc"], load_default="asc")


FILTER_FIELDS = tuple(PortfolioFilterArgs().fields)


def _filters(args: dict) -> queries.Filters:
    """The page's filters, with the page form's checks (as a 422 naming the field)."""
    organisation = args.get("organisation")
    if organisation is not None and db.session.get(Organisation, organisation) is None:
        abort(from_rule_error(RuleError("There is no organisation with this id", "organisation")))
    start, end = args.get("period_from"), args.get("period_to")
    if start and end and end < start:
        refusal = RuleError("Running to must be on or after running from", "period_to")
        abort(from_rule_error(refusal))
    return queries.Filters(**{name: args.get(name) for name in FILTER_FIELDS})


def _today() -> date:
    return uk_today()


# --------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------


class FigureSchema(Schema):
    value = ma.fields.Raw(
        required=True,
        metadata={
            "type": ["number", "null"],
            "description": "Null where the page shows no figure (see reason).",
        },
    )
    n = ma.fields.Integer(required=True, metadata={"description": "Values it stands on"})
    text = ma.fields.String(required=True, metadata={"description": "As the page shows it"})
    reason = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"enum": ["no data", rules.TOO_FEW, None]},
    )


def _figure(figure: rules.Figure) -> dict:
    shown = figure.is_shown
    return {
        "value": figure.export_value if shown else None,
        "n": figure.n,
        "text": figure.text,
        "reason": None if shown else figure.text,
    }


FiguresSchema = Schema.from_dict(
    {key: ma.fields.Nested(FigureSchema, required=True) for key, _, _ in rules.FIGURES},
    name="FiguresSchema",
)
SharesSchema = Schema.from_dict(
    {key: ma.fields.Nested(FigureSchema, required=True) for key in DECISION_DRIVERS},
    name="DriverSharesSchema",
)


class FigureDefinitionSchema(Schema):
    key = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    kind = ma.fields.String(
        required=True, metadata={"enum": ["count", "index", "share", "ratio", "days", "rating"]}
    )


class MethodGroupSchema(Schema):
    method = ma.fields.String(required=True, metadata={"enum": list(DELIVERY_METHODS)})
    label = ma.fields.String(required=True)
    figures = ma.fields.Nested(FiguresSchema, required=True)


class FollowsGroupSchema(Schema):
    follows = ma.fields.String(required=True, metadata={"enum": list(FOLLOWS)})
    label = ma.fields.String(required=True)
    figures = ma.fields.Nested(FiguresSchema, required=True)


class DriverGroupSchema(Schema):
    driver = ma.fields.String(required=True, metadata={"enum": list(DECISION_DRIVERS)})
    label = ma.fields.String(required=True)
    figures = ma.fields.Nested(FiguresSchema, required=True)


class MatrixCellSchema(Schema):
    zone = ma.fields.String(required=True, metadata={"enum": list(ZONES)})
    method = ma.fields.String(required=True, metadata={"enum": list(DELIVERY_METHODS)})
    figures = ma.fields.Nested(FiguresSchema, required=True)


class DecisionDriversSchema(Schema):
    organisation = ma.fields.String(required=True)
    decisions = ma.fields.Integer(required=True)
    is_total = ma.fields.Boolean(required=True)
    shares = ma.fields.Nested(SharesSchema, required=True)


class PortfolioSchema(Schema):
    scope = ma.fields.String(
        required=True,
        metadata={
            "enum": ["all", "member_projects"],
            "description": "all: the whole portfolio (PMO staff); member_projects: only the "
            "projects you hold a role on",
        },
    )
    filters = ma.fields.Dict(required=True, metadata={"description": "The filters applied"})
    min_n = ma.fields.Integer(
        required=True, metadata={"description": "Medians and means of fewer values are null"}
    )
    figures = ma.fields.List(ma.fields.Nested(FigureDefinitionSchema), required=True)
    by_method = ma.fields.List(ma.fields.Nested(MethodGroupSchema), required=True)
    by_recommendation = ma.fields.List(ma.fields.Nested(FollowsGroupSchema), required=True)
    by_driver = ma.fields.List(ma.fields.Nested(DriverGroupSchema), required=True)
    zone_method = ma.fields.List(ma.fields.Nested(MatrixCellSchema), required=True)
    decision_drivers = ma.fields.List(ma.fields.Nested(DecisionDriversSchema), required=True)


def _figures(found: dict, key) -> dict:
    totals = found.get(key)
    group = totals if totals is not None else rules.figures_from(rules.EMPTY_TOTALS)
    return {name: _figure(group[name]) for name, _, _ in rules.FIGURES}


def _echo(args: dict) -> dict:
    return {
        name: (value.isoformat() if isinstance(value, date) else value)
        for name, value in args.items()
        if name in FILTER_FIELDS and value is not None
    }


@blp.get("/portfolio")
@blp.arguments(PortfolioFilterArgs, location="query")
@blp.response(200, PortfolioSchema)
def portfolio(args):
    """The PMO dashboard's comparison figures for the filtered projects: by delivery method,
    followed against departed from the recommendation (and without a decision), by what
    drove the latest method decision, uncertainty zone against method, and the share of
    method decisions citing each driver by lead organisation."""
    filters = _filters(args)
    data = queries.dashboard(filters, _today(), viewer=current_user)
    return {
        "scope": _scope(current_user),
        "filters": _echo(args),
        "min_n": rules.MIN_N,
        "figures": [{"key": k, "label": label, "kind": kind} for k, label, kind in rules.FIGURES],
        "by_method": [
            {"method": m, "label": label, "figures": _figures(data.by_method, m)}
            for m, label in DELIVERY_METHODS.items()
        ],
        "by_recommendation": [
            {"follows": f, "label": label, "figures": _figures(data.by_follows, f)}
            for f, label in FOLLOWS.items()
        ],
        "by_driver": [
            {"driver": d, "label": label, "figures": _figures(data.by_driver, d)}
            for d, label in DECISION_DRIVERS.items()
        ],
        "zone_method": [
            {"zone": z, "method": m, "figures": _figures(data.matrix, (z, m))}
            for z in ZONES
            for m in DELIVERY_METHODS
        ],
        "decision_drivers": [
            {
                "organisation": row["organisation"],
                "decisions": row["decisions"],
                "is_total": bool(row.get("is_total")),
                "shares": {d: _figure(row["shares"][d]) for d in DECISION_DRIVERS},
            }
            for row in data.decisions
        ],
    }


# --------------------------------------------------------------------------------------
# The portfolio table
# --------------------------------------------------------------------------------------


def _rag(description: str) -> ma.fields.String:
    return ma.fields.String(
        required=True, allow_none=True, metadata={"enum": RAG, "description": description}
    )


class ProjectStatusSchema(Schema):
    cost = _rag("From the latest checkpoint against the cost tolerance")
    schedule = _rag("From SPI at the latest checkpoint; red when open past its planned finish")
    gates = _rag("Red with an open exception, amber when a decision waits over 14 days")
    feedback = _rag("From the mean rating and the share of feedback loops closed")


class PortfolioRowSchema(Schema):
    project_id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    organisation_id = ma.fields.Integer(required=True)
    organisation = ma.fields.String(required=True)
    method = ma.fields.String(required=True, metadata={"enum": [*DELIVERY_METHODS, "none"]})
    status = ma.fields.String(required=True, metadata={"enum": values(ProjectStatus)})
    tier = ma.fields.String(required=True, metadata={"enum": list(SIZE_TIERS)})
    zone = ma.fields.String(required=True, metadata={"enum": [*ZONES, "none"]})
    follows = ma.fields.String(required=True, metadata={"enum": list(FOLLOWS)})
    cpi = ma.fields.Float(required=True, allow_none=True)
    spi = ma.fields.Float(required=True, allow_none=True)
    exceptions = ma.fields.Integer(required=True)
    open_exceptions = ma.fields.Integer(required=True)
    feedback_n = ma.fields.Integer(required=True)
    mean_rating = ma.fields.Float(required=True, allow_none=True)
    waiting_days = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Days the oldest undecided review has waited"},
    )
    status_by_dimension = ma.fields.Nested(ProjectStatusSchema, required=True)


@blp.get("/portfolio/projects")
@blp.arguments(PortfolioTableArgs, location="query")
@blp.response(200, page_of(PortfolioRowSchema))
def portfolio_table(args):
    """The portfolio table: one row per filtered project with its status per dimension
    (green, amber, red, or null when not known), sorted and paged like the page."""
    filters = _filters(args)
    statement = queries.table(
        filters, _today(), sort=args["sort"], direction=args["direction"], viewer=current_user
    )
    page = paginate(statement, args["page"], args["per_page"], scalars=False)
    rows = []
    for row in page.items:
        mapping = row._mapping
        item = {name: mapping[name] for name in PortfolioRowSchema().fields if name in mapping}
        item["status_by_dimension"] = rules.project_status(mapping)
        rows.append(item)
    return envelope(page, rows)
