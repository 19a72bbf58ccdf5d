from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from tracker.auth.access import pmo_required
from tracker.core import events
from tracker.core.pagination import paginate
from tracker.core.unit_of_work import form_work
from tracker.extensions import db
from tracker.orgs import bp, queries
from tracker.orgs import services as orgs
from tracker.orgs.forms import OrganisationForm
from tracker.orgs.models import Organisation


@bp.get("/")
def list_organisations():
    # How many projects each organisation leads and partners: the projects domain adds the
    # columns (docs/architecture.md); orgs sits below projects and does not import it.
    columns = [column for answer in events.send(events.organisation_columns) for column in answer]
    statement = select(Organisation, *columns).order_by(Organisation.name)
    page = paginate(statement, request.args.get("page"))
    return render_template("orgs/list.html", page=page)


@bp.get("/<int:org_id>")
def show_organisation(org_id: int):
    """Who speaks for the organisation: everyone may see a board's agencies and their people."""
    org = db.session.get(Organisation, org_id) or abort(404)
    page = paginate(queries.people_of(org), request.args.get("page"))
    return render_template("orgs/show.html", org=org, page=page)


@bp.route("/new", methods=["GET", "POST"])
@pmo_required
def create_organisation():
    form = OrganisationForm()
    if form.validate_on_submit():
        with form_work(form) as work:
            org = orgs.create_organisation(
                name=form.name.data, short_name=form.short_name.data, kind=form.kind.data
            )
        if work.ok:
            flash(f"Added {org.name}.", "success")
            return redirect(url_for("orgs.list_organisations"))
    return render_template("orgs/form.html", form=form, org=None), 400 if form.errors else 200


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@pmo_required
def edit_organisation(org_id: int):
    org = db.session.get(Organisation, org_id) or abort(404)
    form = OrganisationForm(obj=org)
    if request.method == "GET":
        form.version.data = str(org.version)
    if form.validate_on_submit():
        with form_work(form) as work:
            orgs.update_organisation(
                org,
                name=form.name.data,
                short_name=form.short_name.data,
                kind=form.kind.data,
                version=form.version_number(),
            )
        if work.ok:
            flash(f"Saved changes to {org.name}.", "success")
            return redirect(url_for("orgs.list_organisations"))
    return render_template("orgs/form.html", form=form, org=org), 400 if form.errors else 200
