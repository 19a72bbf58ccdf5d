"""The evidence (PMO staff and administrators only): outcomes by uncertainty zone (or band of
one of the model's dimensions) and method, and followed against departed from the method
recommendation within each zone and size tier, with the drivers of the departures.

The same report as the page (``tracker.evidence.report.build``): every cell carries ``n``;
``value`` and ``interval`` are null below ``min_n`` (``reason``: "too few to say") or with
no data; ``interval_method`` says how every interval was computed.
"""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from flask import abort, current_app

from tracker.api.core import Choice, Day, Id, Int, Schema, resource
from tracker.api.problems import from_rule_error
from tracker.auth.access import pmo_required
from tracker.core.dates import uk_today
from tracker.core.errors import RuleError
from tracker.evidence import queries, report, rules
from tracker.extensions import db
from tracker.methods.model import DECISION_DRIVERS, ZONES
from tracker.orgs.models import Organisation
from tracker.projects.rules import DELIVERY_METHODS, SIZE_TIERS

blp = resource(
    "evidence",
    "Outcomes by uncertainty zone and method, with n, medians and bootstrap intervals, and "
    "followed against departed from the recommendation within zone and size tier (PMO).",
)


class EvidenceArgs(Schema):
    grouping = Choice(report.GROUPINGS, load_default="zone")
    organisation = Id(strict=False, metadata={"description": "Lead or partner organisation id"})
    tier = Choice(SIZE_TIERS)
    period_from = Day(metadata={"description": "Projects running on or after this day"})
    period_to = Day(metadata={"description": "Projects running on or before this day"})
    min_n = Int(
        strict=False,
        minimum=rules.MIN_N_FLOOR,
        maximum=rules.MIN_N_CEILING,
        metadata={"description": "Fewer values than this give no figure (default: the setting)"},
    )


class EvidenceIntervalSchema(Schema):
    low = ma.fields.String(required=True)
    high = ma.fields.String(required=True)


class EvidenceCellSchema(Schema):
    n = ma.fields.Integer(required=True)
    statistic = ma.fields.String(required=True, metadata={"enum": [str(k) for k in rules.Kind]})
    value = ma.fields.String(required=True, allow_none=True, metadata={"description": "Decimal"})
    interval = ma.fields.Nested(EvidenceIntervalSchema, required=True, allow_none=True)
    reason = ma.fields.String(
        required=True, allow_none=True, metadata={"enum": [rules.TOO_FEW, rules.NO_DATA, None]}
    )


MeasuresSchema = Schema.from_dict(
    {m.key: ma.fields.Nested(EvidenceCellSchema, required=True) for m in rules.MEASURES},
    name="EvidenceMeasuresSchema",
)
FollowMeasuresSchema = Schema.from_dict(
    {m.key: ma.fields.Nested(EvidenceCellSchema, required=True) for m in report.FOLLOW_MEASURES},
    name="EvidenceFollowMeasuresSchema",
)


class EvidenceMeasureSchema(Schema):
    key = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    statistic = ma.fields.String(required=True)


class EvidenceGroupCellSchema(Schema):
    group = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    method = ma.fields.String(required=True, metadata={"enum": list(DELIVERY_METHODS)})
    measures = ma.fields.Nested(MeasuresSchema, required=True)


class EvidenceStratumSchema(Schema):
    zone = ma.fields.String(required=True, metadata={"enum": list(ZONES)})
    tier = ma.fields.String(required=True, metadata={"enum": list(SIZE_TIERS)})
    followed = ma.fields.Nested(FollowMeasuresSchema, required=True)
    departed = ma.fields.Nested(FollowMeasuresSchema, required=True)
    observed = ma.fields.Dict(required=True, metadata={"description": "Per measure, in words"})
    departures = ma.fields.Integer(required=True)
    drivers = ma.fields.Dict(
        required=True,
        metadata={"description": f"Departures citing each driver: {', '.join(DECISION_DRIVERS)}"},
    )


class OutcomeEvidenceSchema(Schema):
    filters = ma.fields.Dict(required=True)
    grouping = ma.fields.String(required=True, metadata={"enum": list(report.GROUPINGS)})
    min_n = ma.fields.Integer(required=True)
    interval_method = ma.fields.String(required=True)
    stratification = ma.fields.String(required=True)
    benefits_realised = ma.fields.String(
        required=True, metadata={"description": "Not yet recorded: left to the benefits register"}
    )
    projects = ma.fields.Integer(required=True)
    method_periods = ma.fields.Integer(required=True)
    switched_method = ma.fields.Integer(required=True)
    measures = ma.fields.List(ma.fields.Nested(EvidenceMeasureSchema), required=True)
    cells = ma.fields.List(ma.fields.Nested(EvidenceGroupCellSchema), required=True)
    strata = ma.fields.List(ma.fields.Nested(EvidenceStratumSchema), required=True)


def _today() -> date:
    return uk_today()


@blp.get("/evidence")
@pmo_required
@blp.arguments(EvidenceArgs, location="query")
@blp.response(200, OutcomeEvidenceSchema)
def evidence(args):
    """Outcomes by uncertainty zone (or band) and method, and followed against departed
    within zone and size tier (PMO staff and administrators)."""
    organisation = args.get("organisation")
    if organisation is not None and db.session.get(Organisation, organisation) is None:
        abort(from_rule_error(RuleError("There is no organisation with this id", "organisation")))
    start, end = args.get("period_from"), args.get("period_to")
    if start and end and end < start:
        refusal = RuleError("Running to must be on or after running from", "period_to")
        abort(from_rule_error(refusal))
    setting = int(current_app.config.get("EVIDENCE_MIN_N", rules.MIN_N_DEFAULT))
    min_n = args.get("min_n") or setting
    filters = queries.Filters(
        organisation=organisation, tier=args.get("tier"), period_from=start, period_to=end
    )
    data = report.build(filters, _today(), grouping=args["grouping"], min_n=min_n)
    return {
        "filters": {
            k: (v.isoformat() if isinstance(v, date) else v)
            for k, v in args.items()
            if v is not None
        },
        "grouping": data.grouping,
        "min_n": data.min_n,
        "interval_method": rules.INTERVAL_METHOD,
        "stratification": report.STRATIFICATION,
        "benefits_realised": rules.BENEFITS_NOTE,
        "projects": data.projects,
        "method_periods": data.periods,
        "switched_method": data.switched,
        "measures": [
            {"key": m.key, "label": m.label, "statistic": str(m.kind)} for m in rules.MEASURES
        ],
        "cells": [
            {
                "group": group.key,
                "label": group.label,
                "method": method,
                "measures": {k: c.to_dict() for k, c in group.cells[method].items()},
            }
            for group in data.groups
            for method in DELIVERY_METHODS
        ],
        "strata": [
            {
                "zone": s.zone,
                "tier": s.tier,
                "followed": {k: c.to_dict() for k, c in s.cells["followed"].items()},
                "departed": {k: c.to_dict() for k, c in s.cells["departed"].items()},
                "observed": s.notes,
                "departures": s.departed,
                "drivers": s.drivers,
            }
            for s in data.strata
        ],
    }
