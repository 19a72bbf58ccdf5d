from __future__ import annotations

from dataclasses import fields
from datetime import date

from flask import Response, current_app, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from tracker.auth.access import pmo_required
from tracker.core import exports as files
from tracker.core import stamps
from tracker.core.dates import uk_today
from tracker.core.pagination import paginate
from tracker.db import utcnow
from tracker.extensions import cache, db
from tracker.methods.model import DECISION_DRIVERS, ZONES
from tracker.orgs.models import Organisation
from tracker.portfolio import bp, exports, queries, rules
from tracker.portfolio import registers as register_figures
from tracker.portfolio.forms import SORTS, PortfolioFilterForm
from tracker.programmes import queries as programme_queries
from tracker.projects.rules import DELIVERY_METHODS

FILTER_FIELDS = (
    "organisation",
    "portfolio",
    "programme",
    "tier",
    "zone",
    "status",
    "method",
    "period_from",
    "period_to",
)


def _read_filters() -> tuple[PortfolioFilterForm, bool, queries.Filters, dict]:
    """The filters from the query string; a value that fails validation is ignored (and
    reported), never passed on to SQL."""
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    portfolios, programmes = programme_queries.filter_choices()
    form = PortfolioFilterForm(
        request.args, organisations=organisations, portfolios=portfolios, programmes=programmes
    )
    valid = form.validate()
    values = {
        name: field.data
        for name, field in form._fields.items()
        if not field.errors and field.data not in (None, "")
    }
    filters = queries.Filters(**{name: values.get(name) for name in FILTER_FIELDS})
    return form, valid, filters, values


# Every signed-in user may open the portfolio: PMO staff and administrators see every
# project, anyone else only the projects they are a member of (queries.scoped).


def _today() -> date:
    return uk_today()


@bp.get("/")
def dashboard():
    form, valid, filters, _ = _read_filters()
    return render_template(
        "portfolio/dashboard.html",
        filters=form,
        filters_valid=valid,
        figures_html=figures_html(filters, _today(), current_user),
        export_args=_filter_args(),
        limited=not current_user.is_pmo,
    ), 200 if valid else 400


# Bump when the figures' templates change in a way old copies must not survive (a shared
# Redis cache outlives a deployment).
FIGURES_VERSION = 1


def figures_html(filters: queries.Filters, today: date, viewer) -> Markup:
    """The dashboard's figures, computed and rendered once per change of the portfolio.

    Every figure comes from the stored portfolio facts, the projects, their organisations
    and teams, and today's date. Each change to those moves the ``portfolio`` change stamp
    in the same transaction (``tracker.core.stamps``), so the HTML is kept under a key of
    that stamp, the day, the filters, whose projects the viewer may see, and the settings
    the figures read. The stamp is read before anything is computed, so a copy is never
    older than the stamp it is kept under.
    """
    scoped = queries.scoped(filters, viewer)
    stamp = stamps.read([stamps.PORTFOLIO])[stamps.PORTFOLIO]
    config = current_app.config
    key = ":".join(
        str(part)
        for part in (
            "portfolio-figures",
            FIGURES_VERSION,
            stamp,
            today.isoformat(),
            config["TIER_SMALL_BELOW"],
            config["TIER_LARGE_ABOVE"],
            *(getattr(scoped, f.name) for f in fields(scoped)),
        )
    )
    html = cache.get(key)
    if html is None:
        data = queries.dashboard(scoped, today)
        html = render_template(
            "portfolio/_figures.html",
            data=data,
            chart=rules.scatter(data.scatter_rows, tuple(DELIVERY_METHODS)),
            period_to=scoped.period_to,
            figures=rules.FIGURES,
            empty=rules.figures_from(rules.EMPTY_TOTALS),
            methods=DELIVERY_METHODS,
            zones={key: zone.label for key, zone in ZONES.items()},
            drivers=DECISION_DRIVERS,
        )
        cache.set(key, html)
    return Markup(html)  # noqa: S704 - the output of our own autoescaped template


def _filter_args() -> dict:
    return {k: v for k, v in request.args.items() if k in FILTER_FIELDS and v}


@bp.get("/projects")
def list_projects():
    form, valid, filters, values = _read_filters()
    sort, direction = values.get("sort", "code"), values.get("direction", "asc")
    statement = queries.table(
        filters, _today(), sort=sort, direction=direction, viewer=current_user
    )
    page = paginate(statement, request.args.get("page"), scalars=False)
    rows = [(row, rules.project_status(row._mapping)) for row in page.items]
    return render_template(
        "portfolio/projects.html",
        filters=form,
        filters_valid=valid,
        page=page,
        rows=rows,
        sort_head=_sort_headers(sort, direction),
        export_args={**_filter_args(), "sort": sort, "direction": direction},
        rag_labels=rules.RAG_LABELS,
        rag_colours=rules.RAG_COLOURS,
        methods=DELIVERY_METHODS,
        zones={key: zone.label for key, zone in ZONES.items()},
        limited=not current_user.is_pmo,
    ), 200 if valid else 400


def _sort_headers(current: str, direction: str) -> dict:
    """Column headings that sort the table by following a link: no JavaScript needed."""
    args = {k: v for k, v in request.args.items() if k not in {"page", "sort", "direction"}}
    headers = {}
    for key, text in SORTS.items():
        is_current = key == current
        headers[key] = {
            "text": text,
            "numeric": key in {"cpi", "spi", "exceptions", "rating"},
            "sort": ("ascending" if direction == "asc" else "descending") if is_current else "none",
            "sort_href": url_for(
                "portfolio.list_projects",
                **args,
                sort=key,
                direction="desc" if is_current and direction == "asc" else "asc",
            ),
        }
    return headers


def _export_rows():
    form, valid, filters, values = _read_filters()
    statement = queries.table(
        filters,
        _today(),
        sort=values.get("sort", "code"),
        direction=values.get("direction", "asc"),
        viewer=current_user,
    )
    about = files.About(
        title="Portfolio table: one row per project, as on the portfolio's projects page",
        made_at=utcnow(),
        made_by=f"{current_user.name} ({current_user.email})",
        filters=files.form_filters(form, (*FILTER_FIELDS, "sort", "direction")),
        notes=()
        if getattr(current_user, "is_pmo", False)
        else ("Only the projects you are a member of.",),
    )
    return valid, about, exports.rows(db.session.execute(statement).mappings())


@bp.get("/projects.csv")
def export_csv():
    valid, about, rows = _export_rows()
    if not valid:
        return list_projects()
    return Response(
        files.csv_bytes(exports.COLUMNS, rows, bom=False),
        mimetype=files.CSV_MIMETYPE,
        headers=files.disposition(files.filename("portfolio", about.made_at, "csv")),
    )


@bp.get("/projects.xlsx")
def export_xlsx():
    valid, about, rows = _export_rows()
    if not valid:
        return list_projects()
    return Response(
        files.workbook(about, "Portfolio", exports.COLUMNS, rows),
        mimetype=files.XLSX_MIMETYPE,
        headers=files.disposition(files.filename("portfolio", about.made_at, "xlsx")),
    )


@bp.get("/registers")
@pmo_required
def registers():
    """Open high risks and escalations waiting for a board, by method, organisation and
    zone, with n."""
    return render_template(
        "portfolio/registers.html",
        tables=[
            ("Delivery method", register_figures.by("method"), DELIVERY_METHODS, "Not decided"),
            ("Lead organisation", register_figures.by("organisation"), {}, "–"),
            (
                "Uncertainty zone",
                register_figures.by("zone"),
                {key: zone.label for key, zone in ZONES.items()},
                "Not assessed",
            ),
        ],
    )
