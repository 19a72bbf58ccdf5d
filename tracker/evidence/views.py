"""The evidence pages: PMO staff and administrators only (they compare every project)."""

from __future__ import annotations

import json
from datetime import date

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.auth.access import pmo_required
from tracker.core import exports as files
from tracker.core.dates import uk_today
from tracker.core.unit_of_work import form_work
from tracker.db import utcnow
from tracker.evidence import bp, exports, queries, report, rules
from tracker.evidence.forms import AdoptForm, CalibrationForm, EvidenceFilterForm
from tracker.extensions import db
from tracker.methods import model
from tracker.methods import services as methods
from tracker.methods.model import DECISION_DRIVERS, ZONES
from tracker.orgs.models import Organisation
from tracker.projects.rules import DELIVERY_METHODS, SIZE_TIERS

FILTER_FIELDS = ("organisation", "tier", "period_from", "period_to")
ARGS = ("grouping", *FILTER_FIELDS, "min_n")


def _today() -> date:
    return uk_today()


def default_min_n() -> int:
    return int(current_app.config.get("EVIDENCE_MIN_N", rules.MIN_N_DEFAULT))


def read_filters() -> tuple[EvidenceFilterForm, bool, queries.Filters, str, int]:
    """The filters from the query string; a value that fails validation is reported and
    ignored, never passed on to SQL."""
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form = EvidenceFilterForm(request.args, organisations=organisations)
    valid = form.validate()

    def value(name):
        field = form[name]
        return None if field.errors or field.data in ("", None) else field.data

    filters = queries.Filters(**{name: value(name) for name in FILTER_FIELDS})
    grouping = value("grouping") or "zone"
    min_n = value("min_n") or default_min_n()
    return form, valid, filters, grouping, min_n


def _args() -> dict:
    return {k: v for k, v in request.args.items() if k in ARGS and v}


@bp.get("/")
@pmo_required
def show():
    form, valid, filters, grouping, min_n = read_filters()
    data = report.build(filters, _today(), grouping=grouping, min_n=min_n)
    methods = list(DELIVERY_METHODS)
    charts = [
        rules.whisker_chart(
            f"{rules.MEASURE_BY_KEY[key].label}: median and 95% interval by "
            f"{report.GROUPINGS[grouping].lower()} and method",
            [
                (f"{group.label}: {DELIVERY_METHODS[m]}", methods.index(m) + 1, group.cells[m][key])
                for group in data.groups
                for m in methods
            ],
        )
        for key in ("cpi", "spi")
    ]
    return render_template(
        "evidence/show.html",
        filters=form,
        filters_valid=valid,
        data=data,
        charts=charts,
        measures=rules.MEASURES,
        follow_measures=report.FOLLOW_MEASURES,
        follows=report.FOLLOWS,
        grouping_label=report.GROUPINGS[grouping],
        methods=DELIVERY_METHODS,
        zones={key: zone.label for key, zone in ZONES.items()},
        tiers=SIZE_TIERS,
        drivers=DECISION_DRIVERS,
        interval_method=rules.INTERVAL_METHOD,
        stratification=report.STRATIFICATION,
        benefits_note=rules.BENEFITS_NOTE,
        too_few=rules.TOO_FEW,
        args=_args(),
    ), 200 if valid else 400


def _export():
    form, valid, filters, _, _ = read_filters()
    rows = queries.outcome_rows(filters, _today(), with_scores=True)
    about = files.About(
        title="Evidence: one row per project and method period, the values every figure on "
        "the evidence page is computed from",
        made_at=utcnow(),
        made_by=f"{current_user.name} ({current_user.email})",
        filters=files.form_filters(form, FILTER_FIELDS),
        notes=(rules.INTERVAL_METHOD, exports.HOW_TO_REPEAT),
    )
    return valid, about, exports.rows(rows)


@bp.get("/outcomes.csv")
@pmo_required
def export_csv():
    valid, about, rows = _export()
    if not valid:
        return show()
    return Response(
        files.csv_bytes(exports.COLUMNS, rows, bom=False),
        mimetype=files.CSV_MIMETYPE,
        headers=files.disposition(files.filename("evidence", about.made_at, "csv")),
    )


@bp.get("/outcomes.xlsx")
@pmo_required
def export_xlsx():
    valid, about, rows = _export()
    if not valid:
        return show()
    return Response(
        files.workbook(about, "Outcomes", exports.COLUMNS, rows),
        mimetype=files.XLSX_MIMETYPE,
        headers=files.disposition(files.filename("evidence", about.made_at, "xlsx")),
    )


# --------------------------------------------------------------------------------------
# The calibration
# --------------------------------------------------------------------------------------


def _calibration_page(adopt_form: AdoptForm | None = None, status: int = 200):
    form = CalibrationForm(request.args)
    valid = form.validate()
    measure = (form.measure.data if not form.measure.errors else None) or "cpi"
    min_n = (form.min_n.data if not form.min_n.errors else None) or default_min_n()
    data = report.calibration(_today(), measure_key=measure, min_n=min_n)
    if adopt_form is None:
        adopt_form = AdoptForm(
            based_on=data.version,
            thresholds=json.dumps(model.calibrated_values(data.candidate.thresholds)),
        )
    return render_template(
        "evidence/calibration.html",
        filters=form,
        filters_valid=valid,
        data=data,
        adopt=adopt_form,
        versions=methods.versions(),
        labels=model.CALIBRATED_LABELS,
        methods=DELIVERY_METHODS,
        interval_method=rules.INTERVAL_METHOD,
        shown=report.DIFFERENCES_SHOWN,
        too_few=rules.TOO_FEW,
    ), status if valid else 400


@bp.get("/calibration")
@pmo_required
def calibration():
    return _calibration_page()


@bp.post("/calibration/adopt")
@pmo_required
def adopt():
    """Adopt the candidate the PMO reviewed: the thresholds come back from the page and are
    checked again (guarantees, version label, still based on the current version)."""
    form = AdoptForm()
    if form.validate_on_submit():
        try:
            values = json.loads(form.thresholds.data or "")
            if not isinstance(values, dict):
                raise ValueError
        except ValueError:
            values = None
        if values is None:
            form.form_errors.append("The candidate's thresholds were not understood: run again")
        else:
            with form_work(form) as work:
                methods.adopt_version(
                    form.version.data,
                    values,
                    form.reasons.data,
                    actor=current_user,
                    based_on=form.based_on.data or "",
                )
            if work.ok:
                flash(
                    f"Adopted model version {form.version.data.strip()}: new assessments use it.",
                    "success",
                )
                return redirect(url_for("evidence.calibration"))
    return _calibration_page(form, 400)
