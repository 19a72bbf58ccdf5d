"""The method model's published versions and the calibration (PMO staff and
administrators): which thresholds each version uses, and the current version's thresholds
tested against the portfolio's outcomes with a candidate version. Adopting a candidate is
done on the calibration page (``/evidence/calibration``), where the PMO reviews it."""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from flask import current_app

from tracker.api.core import Choice, Int, Schema, resource
from tracker.api.evidence import EvidenceCellSchema
from tracker.auth.access import pmo_required
from tracker.core.dates import uk_today
from tracker.evidence import report, rules
from tracker.methods import model
from tracker.methods import services as methods
from tracker.projects.rules import DELIVERY_METHODS

blp = resource(
    "method_models",
    "The method model's published versions and the calibration of the current one (PMO).",
)


class ModelVersionSchema(Schema):
    version = ma.fields.String(required=True)
    is_current = ma.fields.Boolean(required=True)
    thresholds = ma.fields.Dict(required=True)
    reasons = ma.fields.String(required=True)
    published_at = ma.fields.DateTime(required=True)
    published_by = ma.fields.String(required=True, allow_none=True)


class ModelVersionListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(ModelVersionSchema), required=True)


class CalibrationArgs(Schema):
    measure = Choice(report.CALIBRATION_MEASURES, load_default="cpi")
    min_n = Int(strict=False, minimum=rules.MIN_N_FLOOR, maximum=rules.MIN_N_CEILING)


CellsByMethod = Schema.from_dict(
    {m: ma.fields.Nested(EvidenceCellSchema, required=True) for m in DELIVERY_METHODS},
    name="CalibrationCellsByMethodSchema",
)


class RowTestSchema(Schema):
    row = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    recommended = ma.fields.String(required=True)
    delivered = ma.fields.Nested(CellsByMethod, required=True)
    contradicted_by = ma.fields.List(ma.fields.String(), required=True)
    thresholds = ma.fields.List(ma.fields.String(), required=True)


class DifferenceSchema(Schema):
    code = ma.fields.String(required=True)
    delivered = ma.fields.String(required=True)
    current = ma.fields.String(required=True)
    candidate = ma.fields.String(required=True)
    outcome = ma.fields.Float(required=True)


class CandidateSchema(Schema):
    thresholds = ma.fields.Dict(required=True)
    changed = ma.fields.Dict(required=True, metadata={"description": "name: [current, new]"})
    problems = ma.fields.List(ma.fields.String(), required=True)
    can_be_adopted = ma.fields.Boolean(required=True)


class CalibrationSchema(Schema):
    version = ma.fields.String(required=True)
    thresholds = ma.fields.Dict(required=True)
    measure = ma.fields.String(required=True)
    min_n = ma.fields.Integer(required=True)
    interval_method = ma.fields.String(required=True)
    projects = ma.fields.Integer(required=True)
    rows = ma.fields.List(ma.fields.Nested(RowTestSchema), required=True)
    candidate = ma.fields.Nested(CandidateSchema, required=True)
    recommended_differently = ma.fields.List(ma.fields.Nested(DifferenceSchema), required=True)


def _today() -> date:
    return uk_today()


@blp.get("/method-models")
@pmo_required
@blp.response(200, ModelVersionListSchema)
def list_method_models():
    """Every published model version, newest (the one new assessments use) first."""
    found = methods.versions()
    return {
        "items": [
            {
                "version": v.version,
                "is_current": index == 0,
                "thresholds": v.threshold_values,
                "reasons": v.reasons,
                "published_at": v.published_at,
                "published_by": v.published_by.name if v.published_by else None,
            }
            for index, v in enumerate(found)
        ]
    }


@blp.get("/method-models/calibration")
@pmo_required
@blp.arguments(CalibrationArgs, location="query")
@blp.response(200, CalibrationSchema)
def calibration(args):
    """The current version's rows tested against the outcomes, contradictions with n and
    intervals, a candidate version and the past projects it would recommend differently."""
    min_n = args.get("min_n") or int(current_app.config.get("EVIDENCE_MIN_N", rules.MIN_N_DEFAULT))
    data = report.calibration(_today(), measure_key=args["measure"], min_n=min_n)
    candidate = data.candidate
    return {
        "version": data.version,
        "thresholds": data.thresholds,
        "measure": data.measure.key,
        "min_n": data.min_n,
        "interval_method": rules.INTERVAL_METHOD,
        "projects": data.projects,
        "rows": [
            {
                "row": t.row,
                "label": t.label,
                "recommended": t.recommended,
                "delivered": {m: t.cells[m].to_dict() for m in DELIVERY_METHODS},
                "contradicted_by": list(t.contradicted_by),
                "thresholds": list(t.thresholds),
            }
            for t in data.rows
        ],
        "candidate": {
            "thresholds": model.calibrated_values(candidate.thresholds),
            "changed": {k: list(v) for k, v in candidate.changed.items()},
            "problems": data.problems,
            "can_be_adopted": bool(candidate.changed) and not data.problems,
        },
        "recommended_differently": [
            {
                "code": d.code,
                "delivered": d.delivered,
                "current": d.current,
                "candidate": d.candidate,
                "outcome": d.outcome,
            }
            for d in data.differences
        ],
    }
