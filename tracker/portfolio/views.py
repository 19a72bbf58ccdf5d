from __future__ import annotations

from dataclasses import fields
from datetime import date

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from tracker.auth.access import pmo_required
from tracker.core import exports as files
from tracker.core import stamps
from tracker.core.dates import uk_today
from tracker.core.pagination import paginate
from tracker.core.pdf import pdf_response, render_pdf
from tracker.db import utcnow
from tracker.extensions import cache, db
from tracker.methods.model import DECISION_DRIVERS, ZONES
from tracker.orgs.models import Organisation
from tracker.portfolio import benefits as benefit_figures
from tracker.portfolio import bp, exports, queries, rules
from tracker.portfolio import registers as register_figures
from tracker.portfolio.forms import SORTS, PortfolioFilterForm
from tracker.programmes import queries as programme_queries
from tracker.projects.rules import DELIVERY_METHODS, SIZE_TIERS

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
        html = _render_figures(scoped, today)
        cache.set(key, html)
    return Markup(html)  # noqa: S704 - the output of our own autoescaped template


def _render_figures(scoped: queries.Filters, today: date, *, printing: bool = False) -> str:
    """The figures' HTML; on paper without the per-project table under the scatter chart
    (thousands of rows at national scale: the exports carry them)."""
    data = queries.dashboard(scoped, today)
    return render_template(
        "portfolio/_figures.html",
        data=data,
        chart=rules.scatter(data.scatter_rows, tuple(DELIVERY_METHODS)),
        period_to=scoped.period_to,
        figures=rules.FIGURES,
        empty=rules.figures_from(rules.EMPTY_TOTALS),
        methods=DELIVERY_METHODS,
        zones={key: zone.label for key, zone in ZONES.items()},
        drivers=DECISION_DRIVERS,
        printing=printing,
    )


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


def filters_in_words(form: PortfolioFilterForm, values: dict) -> list[tuple[str, str]]:
    """Each filter applied, as the person chose it (label, the choice's words): the
    committee report's cover."""
    shown = []
    for name in FILTER_FIELDS:
        if name not in values:
            continue
        field = getattr(form, name)
        value = values[name]
        if hasattr(field, "choices") and field.choices:
            value = {str(c.value): c.label for c in field.choices}.get(str(value), value)
        elif isinstance(value, date):
            value = value.strftime("%-d %B %Y")
        shown.append((str(field.label.text), str(value)))
    return shown


@bp.get("/committee-report.pdf")
@pmo_required
def committee_report():
    """The dashboard, with its filters, as a PDF for a committee: the date and the filters
    on the cover; the same figures (``portfolio/_figures.html``) as the page."""
    form, valid, filters, values = _read_filters()
    if not valid:
        flash("The committee report was not made: correct the filters first.", "error")
        return redirect(url_for("portfolio.dashboard", **_filter_args()))
    today = _today()
    try:
        content = render_pdf(
            "portfolio/committee_report.html",
            title=f"Portfolio committee report – {today.strftime('%-d %B %Y')}",
            figures_html=Markup(  # noqa: S704 - the output of our own autoescaped template
                _render_figures(queries.scoped(filters, current_user), today, printing=True)
            ),
            filters_applied=filters_in_words(form, values),
            today=today,
            generated_at=utcnow(),
        )
    except Exception:
        current_app.logger.exception("The committee report failed to render")
        flash("The committee report could not be rendered. Try again.", "error")
        return redirect(url_for("portfolio.dashboard", **_filter_args()))
    return pdf_response(content, f"portfolio-committee-report-{today.isoformat()}.pdf")


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


FOLLOWS = {"followed": "Followed the recommendation", "departed": "Departed from it"}


@bp.get("/benefits")
@pmo_required
def benefits():
    """Benefits planned and realised by method, zone, organisation, size tier and whether
    the method followed the recommendation, with n; realised cashable benefit per pound."""
    return render_template("portfolio/benefits.html", tables=_benefit_tables())


def _benefit_tables() -> list[tuple]:
    zones = {key: zone.label for key, zone in ZONES.items()}
    return [
        ("Delivery method", benefit_figures.by("method"), DELIVERY_METHODS, "Not decided"),
        ("Uncertainty zone", benefit_figures.by("zone"), zones, "Not assessed"),
        ("Lead organisation", benefit_figures.by("organisation"), {}, "–"),
        ("Size", benefit_figures.by("tier"), SIZE_TIERS, "–"),
        ("Method recommendation", benefit_figures.by("follows"), FOLLOWS, "No decision yet"),
    ]


@bp.get("/benefits.<any(csv, xlsx):fmt>")
@pmo_required
def export_benefits(fmt: str):
    """The benefit figures of every dimension, one row a group."""
    rows = [
        [
            caption,
            labels.get(row.key, row.key) if row.key and row.key != "none" else missing,
            row.projects,
            row.planned,
            row.reviewed,
            row.realised,
            row.share_realised.export_value,
            row.partly,
            row.planned_cash,
            row.realised_cash,
            row.spent,
            float(round(row.value_for_money, 3)) if row.value_for_money is not None else None,
        ]
        for caption, found, labels, missing in _benefit_tables()
        for row in found
    ]
    about = files.About(
        title="Benefits planned and realised across the portfolio",
        made_at=utcnow(),
        made_by=f"{current_user.name} ({current_user.email})",
        notes=(
            "Benefits only, not dis-benefits. Share realised: of those reviewed, shown from "
            "3 reviewed. Realised per £1 spent: cashable realised over the spend to the "
            "latest checkpoint of the projects with a cashable benefit.",
        ),
    )
    headers = files.disposition(files.filename("portfolio-benefits", about.made_at, fmt))
    if fmt == "csv":
        body = files.csv_bytes(exports.BENEFIT_COLUMNS, rows, bom=False)
        return Response(body, mimetype=files.CSV_MIMETYPE, headers=headers)
    body = files.workbook(about, "Benefits", exports.BENEFIT_COLUMNS, rows)
    return Response(body, mimetype=files.XLSX_MIMETYPE, headers=headers)
