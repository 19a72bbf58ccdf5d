"""The evidence pages: PMO staff and administrators only (they compare every project)."""

from __future__ import annotations

from datetime import date

from flask import Response, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select

from tracker.auth.access import pmo_required
from tracker.core import exports as files
from tracker.core.dates import uk_today
from tracker.db import utcnow
from tracker.evidence import bp, exports, queries, report, rules
from tracker.evidence.forms import EvidenceFilterForm
from tracker.extensions import db
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
