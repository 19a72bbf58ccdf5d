from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf as csrf_token
from markupsafe import Markup
from sqlalchemy import func, select

from tracker.auth.models import User, email_lookup
from tracker.core import stamps
from tracker.core.pagination import page_number, paginate
from tracker.core.unit_of_work import form_work
from tracker.extensions import cache, db
from tracker.orgs import queries as org_queries
from tracker.orgs.models import Organisation
from tracker.projects import bp, governance, queries
from tracker.projects import services as projects
from tracker.projects.access import (
    can_manage,
    combined_board_roles,
    governance_level,
    load_project,
    project_roles,
    refused,
)
from tracker.projects.forms import MemberForm, ProjectFilterForm, ProjectForm
from tracker.projects.models import ProjectMembership
from tracker.projects.rules import (
    CRITICALITY,
    DELIVERY_METHODS,
    GOVERNED_STATUS,
    PROJECT_ROLES,
    PROJECT_STATUSES,
    STATUS_MOVES,
    size_tier,
)
from tracker.scheduler.services import uk_today


def _organisations():
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def _people():
    """Active people for the manager picker, each shown with their organisation."""
    return org_queries.people_choices()


def tier_of(project) -> str:
    config = current_app.config
    return size_tier(
        project.budget_at_completion, config["TIER_SMALL_BELOW"], config["TIER_LARGE_ABOVE"]
    )


@bp.app_context_processor
def project_vocabulary():
    return {
        "DELIVERY_METHODS": DELIVERY_METHODS,
        "PROJECT_STATUSES": PROJECT_STATUSES,
        "PROJECT_ROLES": PROJECT_ROLES,
        "STATUS_MOVES": STATUS_MOVES,
        "CRITICALITY": CRITICALITY,
        "tier_of": tier_of,
    }


@bp.get("/")
def list_projects():
    filters = ProjectFilterForm(request.args, organisations=_organisations())
    valid = filters.validate()
    values = {
        name: field.data
        for name, field in filters._fields.items()
        if not field.errors and field.data not in (None, "")
    }
    statement = queries.project_list(
        current_user,
        q=(values.get("q") or "").strip() or None,
        method=values.get("method"),
        status=values.get("status"),
        organisation=values.get("organisation"),
        tier=values.get("tier"),
        sort=values.get("sort", "code"),
        direction=values.get("direction", "asc"),
    )
    page = paginate(statement, request.args.get("page"), scalars=False)
    return render_template(
        "projects/list.html",
        page=page,
        filters=filters,
        filters_valid=valid,
        sort_head=_sort_headers(values),
    ), 200 if valid else 400


SORTABLE = {
    "code": ("Code", False),
    "name": ("Name", False),
    "budget": ("Budget", True),
    "finish": ("Finish", False),
    "status": ("Status", False),
}


def _sort_headers(values: dict) -> dict:
    """Column headings that sort the list by following a link: no JavaScript needed."""
    current, direction = values.get("sort", "code"), values.get("direction", "asc")
    args = {k: v for k, v in request.args.items() if k not in {"page", "sort", "direction"}}
    headers = {}
    for key, (text, numeric) in SORTABLE.items():
        is_current = key == current
        next_direction = "desc" if is_current and direction == "asc" else "asc"
        headers[key] = {
            "text": text,
            "numeric": numeric,
            "sort": ("ascending" if direction == "asc" else "descending") if is_current else "none",
            "sort_href": url_for(
                "projects.list_projects", **args, sort=key, direction=next_direction
            ),
        }
    return headers


@bp.route("/new", methods=["GET", "POST"])
def create_project():
    form = ProjectForm(organisations=_organisations(), people=_people())
    if request.method == "GET":
        form.manager_id.data = current_user.id
    if not current_user.is_pmo:
        # Without a PMO role you propose projects that you will manage yourself.
        form.manager_id.choices = [(current_user.id, current_user.name)]
    if _forged_status(form):
        return render_template("projects/form.html", form=form, project=None), 422
    if form.validate_on_submit():
        with form_work(form) as work:
            project = projects.create_project(_data(form))
        if work.ok:
            flash(f"Created project {project.code}.", "success")
            return redirect(url_for("projects.show_project", project_id=project.id))
    return render_template("projects/form.html", form=form, project=None), (
        400 if form.errors else 200
    )


def _forged_status(form: ProjectForm, project=None) -> bool:
    """A status in a project form's POST is someone trying to move the project without the
    board (the form has no such field): refused with the reason, and logged."""
    if request.method != "POST" or "status" not in request.form:
        return False
    refused("status", project=getattr(project, "id", None), sent=request.form["status"][:40])
    form.form_errors.append(GOVERNED_STATUS)
    return True


def _data(form: ProjectForm) -> projects.ProjectData:
    return projects.ProjectData(
        code=form.code.data,
        name=form.name.data,
        problem_statement=form.problem_statement.data,
        lead_organisation_id=form.lead_organisation_id.data,
        partner_ids=list(form.partner_ids.data or []),
        manager_id=form.manager_id.data,
        budget_at_completion=form.budget_at_completion.data,
        planned_start=form.planned_start.data,
        planned_finish=form.planned_finish.data,
        criticality=form.criticality.data,
    )


@bp.get("/<int:project_id>")
def show_project(project_id: int):
    project = load_project(project_id)
    return render_template("projects/show.html", project=project, page_html=project_page(project))


# Bump when the page's templates change in a way old copies must not survive (a shared
# Redis cache outlives a deployment).
PAGE_VERSION = 4

# Where the kept page's forms take the request's CSRF token. Autoescaping turns any "<"
# a person types into "&lt;", so this text can only come from the template itself.
CSRF_SLOT = Markup("<!--csrf-token-->")


def project_page(project) -> Markup:
    """The project page below its heading, rendered once per change of the project.

    It changes only when one of the project's records does (its history is the audit
    entries of those changes), a person or an organisation it names changes, or the day
    turns (some sections say "last week"). The key holds the project's change stamp (moved
    in the same transaction as every change: ``tracker.core.stamps``), the people and
    organisations stamps, today's date, the history page, the settings the page reads, and
    everything about the viewer the page depends on: their roles on the project and their
    global role. The stamps are read before anything is rendered, so a copy is never older
    than the stamps it is kept under. The forms' CSRF tokens are filled in per request.
    """
    manages = can_manage(current_user, project)
    page = page_number(request.args.get("page"))
    scope = stamps.project_scope(project.id)
    stamp = stamps.read([scope, stamps.PEOPLE, stamps.ORGANISATIONS])
    config = current_app.config
    key = ":".join(
        str(part)
        for part in (
            "project-page",
            PAGE_VERSION,
            project.id,
            project.created_at.timestamp(),
            stamp[scope],
            stamp[stamps.PEOPLE],
            stamp[stamps.ORGANISATIONS],
            date.today().isoformat(),
            uk_today().isoformat(),
            # The settings the page reads.
            config["METHOD_REASSESS_DAYS"],
            config["TIER_SMALL_BELOW"],
            config["TIER_LARGE_ABOVE"],
            config["PAGE_SIZE"],
            current_user.global_role,
            ",".join(sorted(project_roles(current_user, project.id))),
            int(manages),
            page,
        )
    )
    # The history's page links keep the query string: keep only pages asked for plainly.
    keep = set(request.args) <= {"page"}
    html = cache.get(key) if keep else None
    if html is None:
        html = _render_page(project, manages)
        if keep:
            cache.set(key, html)
    if CSRF_SLOT in html:
        html = html.replace(CSRF_SLOT, csrf_token())
    return Markup(html)  # noqa: S704 - the output of our own autoescaped templates


def _render_page(project, manages: bool) -> str:
    history = paginate(
        queries.project_history(project.id), request.args.get("page"), 20, counted_with_rows=True
    )
    members = sorted(
        project.memberships,
        key=lambda m: (list(PROJECT_ROLES).index(m.role), m.user.name),
    )
    return render_template(
        "projects/_page.html",
        project=project,
        members=members,
        history=history,
        manager=projects.manager_of(project),
        can_manage=manages,
        combined=combined_board_roles(project),
        counts_for_each=governance.decision_counts_for_combined_roles(governance_level(project)),
        member_form=MemberForm(),
        csrf_slot=CSRF_SLOT,
        sections=Markup(  # noqa: S704 - the output of our own autoescaped template
            render_template("projects/_sections.html", project=project, can_manage=manages)
        ),
    )


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
def edit_project(project_id: int):
    project = load_project(project_id, manage=True)
    form = ProjectForm(obj=project, organisations=_organisations(), people=_people())
    if request.method == "GET":
        form.partner_ids.data = [org.id for org in project.partners]
        manager = projects.manager_of(project)
        form.manager_id.data = manager.id if manager else None
        form.version.data = str(project.version)
    if _forged_status(form, project):
        return render_template("projects/form.html", form=form, project=project), 422
    if form.validate_on_submit():
        with form_work(form) as work:
            projects.update_project(project, _data(form), version=form.version_number())
        if work.ok:
            flash("Saved your changes.", "success")
            return redirect(url_for("projects.show_project", project_id=project.id))
    return render_template("projects/form.html", form=form, project=project), (
        400 if form.errors else 200
    )


def _person_named(text: str) -> User | None:
    """The active person with this email address, or else the one active person with
    exactly this name (any case); None when there is no such person, or several."""
    person = db.session.scalars(select(User).where(email_lookup(text), User.is_active_user)).first()
    if person is not None:
        return person
    named = db.session.scalars(
        select(User)
        .where(func.lower(User.name) == " ".join(text.split()).lower(), User.is_active_user)
        .limit(2)
    ).all()
    return named[0] if len(named) == 1 else None


@bp.post("/<int:project_id>/team")
def add_member(project_id: int):
    project = load_project(project_id, manage=True)
    form = MemberForm()
    person = None
    if form.validate_on_submit():
        person = _person_named(form.email.data)
        if person is None:
            form.email.errors.append(
                "There is no active account with that email address or full name"
            )
    if person is not None:
        with form_work() as work:
            projects.add_member(project, person, form.role.data)
        if not work.ok:
            # Refused by the rules (the segregation of duties among them): the page again,
            # saying why, with nothing changed.
            page = render_template(
                "projects/show.html", project=project, page_html=project_page(project)
            )
            return page, 422
        flash("Added to the project team.", "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("projects.show_project", project_id=project_id, _anchor="team"))


@bp.post("/<int:project_id>/team/<int:membership_id>/remove")
def remove_member(project_id: int, membership_id: int):
    project = load_project(project_id, manage=True)
    membership = db.session.get(ProjectMembership, membership_id) or abort(404)
    with form_work() as work:
        projects.remove_member(project, membership)
    if work.ok:
        flash("Removed from the project team.", "success")
    return redirect(url_for("projects.show_project", project_id=project_id, _anchor="team"))
