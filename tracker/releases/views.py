"""Pages of a project's releases and their release gate."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.agile.models import Iteration
from tracker.core.unit_of_work import form_work
from tracker.extensions import db
from tracker.frameworks import decisions
from tracker.projects.access import can_manage, load_project
from tracker.projects.rules import PROJECT_ROLES
from tracker.releases import access as release_access
from tracker.releases import bp
from tracker.releases import services as releases
from tracker.releases.forms import LiveForm, ReleaseDecisionForm, ReleaseForm
from tracker.releases.models import Release
from tracker.releases.rules import RELEASE_STATUSES, RELEASE_VOTES


def _release(project, release_id: int) -> Release:
    release = db.session.get(Release, release_id)
    if release is None or release.project_id != project.id:
        abort(404)
    return release


@bp.get("/projects/<int:project_id>/releases")
def list_releases(project_id: int):
    project = load_project(project_id)
    items = list(
        db.session.scalars(
            select(Release).where(Release.project_id == project.id).order_by(Release.id.desc())
        )
    )
    gate_name, roles = releases.gate_of(project)
    return render_template(
        "releases/list.html",
        project=project,
        releases=items,
        statuses=RELEASE_STATUSES,
        gate_name=gate_name,
        roles=[PROJECT_ROLES[r] for r in roles],
        can_manage=can_manage(current_user, project),
    )


@bp.route("/projects/<int:project_id>/releases/new", methods=["GET", "POST"])
def request_release(project_id: int):
    project = load_project(project_id, manage=True)
    form = ReleaseForm()
    form.iteration_ids.choices = [
        (i.id, i.name)
        for i in db.session.scalars(
            select(Iteration).where(Iteration.project_id == project.id).order_by(Iteration.start_on)
        )
    ]
    if form.validate_on_submit():
        with form_work(form) as work:
            release = releases.request_release(
                project,
                name=form.name.data,
                notes=form.notes.data,
                iteration_ids=list(form.iteration_ids.data or []),
                actor=current_user,
            )
        if work.ok:
            flash(f"Requested the release gate for {release.name}.", "success")
            return redirect(
                url_for("releases.show_release", project_id=project.id, release_id=release.id)
            )
    status = 400 if form.errors or form.form_errors else 200
    return render_template("releases/form.html", project=project, form=form), status


def _page(project, release, form=None, status=200):
    roles = release_access.undecided_roles(current_user, release)
    refusal = release_access.decision_refusal(current_user, release)
    if form is None and refusal is None:
        form = ReleaseDecisionForm(roles=[(r, PROJECT_ROLES[r]) for r in roles])
    return render_template(
        "releases/show.html",
        project=project,
        release=release,
        status_label=RELEASE_STATUSES[release.status],
        feedback=releases.feedback_of(release),
        form=form,
        refusal=refusal,
        role_labels=PROJECT_ROLES,
        votes=RELEASE_VOTES,
        live_form=LiveForm(version=str(release.version)),
        can_manage=can_manage(current_user, project),
    ), status


@bp.get("/projects/<int:project_id>/releases/<int:release_id>")
def show_release(project_id: int, release_id: int):
    project = load_project(project_id)
    return _page(project, _release(project, release_id))


@bp.post("/projects/<int:project_id>/releases/<int:release_id>/decide")
def decide_release(project_id: int, release_id: int):
    project = load_project(project_id)
    release = _release(project, release_id)
    held = decisions.forbid_unless_decider(
        current_user,
        release,
        requested_by_id=release.requested_by_id,
        why=release_access.decision_refusal(current_user, release),
        what="release decision",
        release=release.id,
    )
    form = ReleaseDecisionForm(roles=[(r, PROJECT_ROLES[r]) for r in held])
    if form.validate_on_submit():
        with form_work(form) as work:
            releases.decide_release(
                release,
                role=form.role.data,
                decision=form.decision.data,
                comment=form.comment.data,
                actor=current_user,
            )
        if work.ok:
            flash("Recorded your decision.", "success")
            return redirect(
                url_for("releases.show_release", project_id=project.id, release_id=release.id)
            )
    return _page(project, release, form, 400)


@bp.post("/projects/<int:project_id>/releases/<int:release_id>/live")
def go_live(project_id: int, release_id: int):
    project = load_project(project_id, manage=True)
    release = _release(project, release_id)
    form = LiveForm()
    if form.validate_on_submit():
        with form_work() as work:
            releases.go_live(release, version=form.version_number(), actor=current_user)
        if work.ok:
            flash(f"{release.name} is live.", "success")
    return redirect(url_for("releases.show_release", project_id=project.id, release_id=release.id))
