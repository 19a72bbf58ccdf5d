"""Pages of governance frameworks: everyone reads them; PMO staff copy, edit and publish
them; a project's manager confirms its gates' checklists and moves it at a boundary."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from tracker.auth.access import pmo_required
from tracker.core.fields import record_id
from tracker.core.unit_of_work import form_work
from tracker.extensions import db
from tracker.frameworks import bp, queries
from tracker.frameworks import services as frameworks
from tracker.frameworks.forms import (
    ConfirmForm,
    CopyForm,
    GateForm,
    ItemForm,
    MoveForm,
    StampForm,
    TailoringForm,
)
from tracker.frameworks.models import (
    VERSION_STATUSES,
    FrameworkVersion,
    GateTemplate,
    GateTemplateItem,
    GovernanceFramework,
)
from tracker.frameworks.rules import (
    CASE_VERSION_LABELS,
    FALLS_AT_LABELS,
    GATE_BOUNDARY_LABELS,
    ITEM_KIND_LABELS,
    LEVEL_LABELS,
    LEVELS,
    ROLE_LABELS,
    CaseVersion,
    FallsAt,
    ItemKind,
)
from tracker.projects import access as project_access

# --------------------------------------------------------------------------------------
# Loading, in the order the URL names them
# --------------------------------------------------------------------------------------


def _framework(framework_id: int) -> GovernanceFramework:
    return db.session.get(GovernanceFramework, framework_id) or abort(404)


def _version(framework_id: int, version_id: int) -> FrameworkVersion:
    version = db.session.scalars(
        frameworks.version_query().where(FrameworkVersion.id == version_id)
    ).first() or abort(404)
    if version.framework_id != framework_id:
        abort(404)
    return version


def _gate(version: FrameworkVersion, gate_id: int) -> GateTemplate:
    gate = next((g for g in version.gates if g.id == gate_id), None)
    return gate or abort(404)


def _case_text(due: str | None) -> str:
    return CASE_VERSION_LABELS[CaseVersion(due)] if due else "None required"


def _roles_text(gate: GateTemplate, level: str) -> str:
    held = [ROLE_LABELS[r.role] for r in gate.roles if r.level == level]
    return ", ".join(held) or "No gate"


def gate_rows(version: FrameworkVersion) -> list[dict]:
    """Each gate with its timing, deciding roles per level and items, for the page."""
    return [
        {
            "gate": gate,
            "falls_at": FALLS_AT_LABELS[FallsAt(gate.falls_at)],
            "roles": [(LEVEL_LABELS[level], _roles_text(gate, level)) for level in LEVELS],
            "case_due": _case_text(gate.business_case_due),
            "case_due_small": _case_text(gate.business_case_due_small),
            "items": [
                {
                    "item": item,
                    "kind": ITEM_KIND_LABELS[ItemKind(item.kind)],
                    "evidence": item.evidence_required or item.kind == ItemKind.DOCUMENT,
                }
                for item in gate.items
            ],
        }
        for gate in version.gates
    ]


def tailoring_rows(version: FrameworkVersion) -> list[list[str]]:
    by_level = {row.level: row for row in version.tailoring}
    rows = []
    for level in LEVELS:
        row = by_level.get(level)
        if row is None:
            continue
        rows.append(
            [
                LEVEL_LABELS[level],
                GATE_BOUNDARY_LABELS[row.gates],
                f"every {row.highlight_every_months} months",
                f"every {row.budget_checkpoint_every_months} months",
            ]
        )
    return rows


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


@bp.get("/frameworks/")
def list_frameworks():
    rows = []
    for row in queries.framework_rows():
        link = Markup('<a class="govuk-link" href="{}">{}</a>').format(
            url_for("frameworks.show_framework", framework_id=row.framework.id),
            row.framework.name,
        )
        if row.framework.is_default:
            link += Markup(" (default)")
        rows.append(
            [
                link,
                f"Version {row.published}" if row.published else "None yet",
                "Open" if row.has_draft else "–",
                {"text": row.projects, "numeric": True},
            ]
        )
    return render_template("frameworks/list.html", rows=rows)


@bp.get("/frameworks/<int:framework_id>")
def show_framework(framework_id: int):
    framework = _framework(framework_id)
    versions = queries.versions_of(framework.id)
    if not versions:
        abort(404)
    wanted = record_id(request.args.get("version"))
    chosen = next((v for v in versions if v.number == wanted), None) if wanted else None
    if chosen is None:
        # The draft when there is one (that is what the PMO is working on), else the newest.
        chosen = versions[0]
    version = _version(framework.id, chosen.id)
    return render_template(
        "frameworks/show.html",
        framework=framework,
        versions=versions,
        version=version,
        gates=gate_rows(version),
        tailoring=tailoring_rows(version),
        version_rows=[
            [
                Markup('<a class="govuk-link" href="{}">Version {}</a>').format(
                    url_for(
                        "frameworks.show_framework", framework_id=framework.id, version=v.number
                    ),
                    v.number,
                ),
                VERSION_STATUSES[v.status],
                v.published_at.date().isoformat() if v.published_at else "–",
            ]
            for v in versions
        ],
        stamp=StampForm(version=str(framework.version)),
        can_edit=current_user.is_pmo,
    )


# --------------------------------------------------------------------------------------
# The PMO's changes
# --------------------------------------------------------------------------------------


def _back(framework: GovernanceFramework, version: FrameworkVersion | None = None):
    args = {"framework_id": framework.id}
    if version is not None:
        args["version"] = version.number
    return redirect(url_for("frameworks.show_framework", **args))


@bp.route("/frameworks/<int:framework_id>/copy", methods=["GET", "POST"])
@pmo_required
def copy_framework(framework_id: int):
    framework = _framework(framework_id)
    source = frameworks.latest_published(framework.id) or abort(404)
    form = CopyForm()
    if request.method == "GET":
        form.name.data = f"{framework.name} (copy)"
    if form.validate_on_submit():
        with form_work(form) as work:
            draft = frameworks.copy_framework(source, name=form.name.data, actor=current_user)
        if work.ok:
            flash(
                f"Copied {source.label} as {draft.framework.name}: change the draft, then "
                "publish it.",
                "success",
            )
            return _back(draft.framework, draft)
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "frameworks/copy.html", form=form, framework=framework, source=source
    ), status


@bp.post("/frameworks/<int:framework_id>/draft")
@pmo_required
def start_draft(framework_id: int):
    framework = _framework(framework_id)
    with form_work() as work:
        draft = frameworks.start_draft(framework, actor=current_user)
    if work.ok:
        flash(f"Started version {draft.number} as a draft.", "success")
        return _back(framework, draft)
    return _back(framework)


@bp.post("/frameworks/<int:framework_id>/versions/<int:version_id>/publish")
@pmo_required
def publish(framework_id: int, version_id: int):
    framework = _framework(framework_id)
    version = _version(framework.id, version_id)
    form = StampForm()
    if form.validate_on_submit():
        with form_work() as work:
            frameworks.publish(version, stamp=form.version_number(), actor=current_user)
        if work.ok:
            flash(f"Published {version.label}.", "success")
    else:
        flash("The form has expired: reload the page and try again.", "error")
    return _back(framework, version)


@bp.post("/frameworks/<int:framework_id>/default")
@pmo_required
def make_default(framework_id: int):
    framework = _framework(framework_id)
    form = StampForm()
    if form.validate_on_submit():
        with form_work() as work:
            frameworks.set_default(framework, actor=current_user)
        if work.ok:
            flash(f"New projects now start on {framework.name}.", "success")
    return _back(framework)


@bp.route(
    "/frameworks/<int:framework_id>/versions/<int:version_id>/gates/new", methods=["GET", "POST"]
)
@pmo_required
def add_gate(framework_id: int, version_id: int):
    framework = _framework(framework_id)
    version = _version(framework.id, version_id)
    form = GateForm()
    if request.method == "GET":
        form.version.data = str(framework.version)
    if form.validate_on_submit():
        data = frameworks.GateData(
            form.name.data,
            form.falls_at.data,
            form.description.data,
            form.roles(),
            case_due=form.case_due.data or None,
            case_due_small=form.case_due_small.data or None,
        )
        with form_work(form) as work:
            gate = frameworks.add_gate(
                version, data, stamp=form.version_number(), actor=current_user
            )
        if work.ok:
            flash(f"Added {gate.name}.", "success")
            return _back(framework, version)
    return _gate_page(form, framework, version, None)


@bp.route(
    "/frameworks/<int:framework_id>/versions/<int:version_id>/gates/<int:gate_id>/edit",
    methods=["GET", "POST"],
)
@pmo_required
def edit_gate(framework_id: int, version_id: int, gate_id: int):
    framework = _framework(framework_id)
    version = _version(framework.id, version_id)
    gate = _gate(version, gate_id)
    form = GateForm(obj=gate)
    if request.method == "GET":
        form.version.data = str(framework.version)
        for level in LEVELS:
            getattr(form, f"roles_{level}").data = [r.role for r in gate.roles if r.level == level]
        form.case_due.data = gate.business_case_due or ""
        form.case_due_small.data = gate.business_case_due_small or ""
    if form.validate_on_submit():
        data = frameworks.GateData(
            form.name.data,
            form.falls_at.data,
            form.description.data,
            form.roles(),
            case_due=form.case_due.data or None,
            case_due_small=form.case_due_small.data or None,
        )
        with form_work(form) as work:
            frameworks.update_gate(gate, data, stamp=form.version_number(), actor=current_user)
        if work.ok:
            flash(f"Saved {gate.name}.", "success")
            return _back(framework, version)
    return _gate_page(form, framework, version, gate)


def _gate_page(form, framework, version, gate):
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "frameworks/gate_form.html", form=form, framework=framework, version=version, gate=gate
    ), status


@bp.route(
    "/frameworks/<int:framework_id>/versions/<int:version_id>/gates/<int:gate_id>/items/new",
    methods=["GET", "POST"],
)
@pmo_required
def add_item(framework_id: int, version_id: int, gate_id: int):
    framework = _framework(framework_id)
    version = _version(framework.id, version_id)
    gate = _gate(version, gate_id)
    form = ItemForm()
    if request.method == "GET":
        form.version.data = str(framework.version)
    if form.validate_on_submit():
        with form_work(form) as work:
            frameworks.add_item(
                gate,
                text=form.text.data,
                kind=form.kind.data,
                evidence_required=form.evidence_required.data,
                stamp=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            flash(f"Added {form.text.data.strip()!r} to {gate.name}.", "success")
            return _back(framework, version)
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "frameworks/item_form.html", form=form, framework=framework, version=version, gate=gate
    ), status


@bp.post(
    "/frameworks/<int:framework_id>/versions/<int:version_id>/gates/<int:gate_id>"
    "/items/<int:item_id>/remove"
)
@pmo_required
def remove_item(framework_id: int, version_id: int, gate_id: int, item_id: int):
    framework = _framework(framework_id)
    version = _version(framework.id, version_id)
    gate = _gate(version, gate_id)
    item = next((i for i in gate.items if i.id == item_id), None) or abort(404)
    form = StampForm()
    if form.validate_on_submit():
        with form_work() as work:
            frameworks.remove_item(item, gate, stamp=form.version_number(), actor=current_user)
        if work.ok:
            flash(f"Removed {item.text!r} from {gate.name}.", "success")
    return _back(framework, version)


@bp.route(
    "/frameworks/<int:framework_id>/versions/<int:version_id>/tailoring", methods=["GET", "POST"]
)
@pmo_required
def edit_tailoring(framework_id: int, version_id: int):
    framework = _framework(framework_id)
    version = _version(framework.id, version_id)
    form = TailoringForm()
    if request.method == "GET":
        form.version.data = str(framework.version)
        for row in version.tailoring:
            getattr(form, f"gates_{row.level}").data = row.gates
            getattr(form, f"highlight_{row.level}").data = row.highlight_every_months
            getattr(form, f"checkpoint_{row.level}").data = row.budget_checkpoint_every_months
    if form.validate_on_submit():
        with form_work(form) as work:
            frameworks.update_tailoring(
                version,
                frameworks.TailoringData(form.rows()),
                stamp=form.version_number(),
                actor=current_user,
            )
        if work.ok:
            flash("Saved the tailoring.", "success")
            return _back(framework, version)
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "frameworks/tailoring_form.html",
        form=form,
        framework=framework,
        version=version,
        levels=[(level, LEVEL_LABELS[level]) for level in LEVELS],
    ), status


# --------------------------------------------------------------------------------------
# A project and its framework
# --------------------------------------------------------------------------------------


@bp.get("/projects/<int:project_id>/framework")
def project_framework(project_id: int):
    project = project_access.load_project(project_id)
    governance = frameworks.governance_of(project)
    version = None
    if governance is not None:
        version = db.session.scalars(
            frameworks.version_query().where(FrameworkVersion.id == governance.version_id)
        ).one()
    confirmed = frameworks.confirmations(project)
    rows = gate_rows(version) if version is not None else []
    return render_template(
        "frameworks/project.html",
        project=project,
        version=version,
        gates=rows,
        confirmed=confirmed,
        can_manage=project_access.can_manage(current_user, project),
        confirm_forms={
            entry["item"].id: ConfirmForm(prefix=f"item{entry['item'].id}")
            for row in rows
            for entry in row["items"]
            if entry["item"].id not in confirmed
        },
    )


@bp.route("/projects/<int:project_id>/framework/move", methods=["GET", "POST"])
def move_project(project_id: int):
    project = project_access.load_project(project_id, manage=True)
    form = MoveForm()
    form.version_id.choices = queries.published_choices()
    if form.validate_on_submit():
        version = db.session.get(FrameworkVersion, int(form.version_id.data)) or abort(404)
        with form_work(form) as work:
            frameworks.move_project(project, version, reason=form.reason.data, actor=current_user)
        if work.ok:
            flash(f"The project now follows {version.label}.", "success")
            return redirect(url_for("frameworks.project_framework", project_id=project.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("frameworks/move.html", form=form, project=project), status


@bp.post("/projects/<int:project_id>/framework/items/<int:item_id>/confirm")
def confirm_item(project_id: int, item_id: int):
    project = project_access.load_project(project_id, manage=True)
    item = db.session.get(GateTemplateItem, item_id) or abort(404)
    form = ConfirmForm(prefix=f"item{item.id}")
    if form.validate_on_submit():
        with form_work() as work:
            frameworks.confirm_item(project, item, evidence=form.evidence.data, actor=current_user)
        if work.ok:
            flash(f"Confirmed {item.text!r}.", "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
    return redirect(url_for("frameworks.project_framework", project_id=project.id))
