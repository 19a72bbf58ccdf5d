"""Releases and their release gate: members read them; the manager requests a release and
marks an approved one live; the board roles the framework names decide (never the
requester)."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from sqlalchemy import select

from tracker.api.core import (
    Choice,
    Id,
    Int,
    Schema,
    Text,
    for_project,
    get_or_404,
    resource,
    service_call,
    values,
)
from tracker.extensions import db
from tracker.frameworks import decisions
from tracker.projects.access import has_role
from tracker.projects.governance import BOARD_ROLES
from tracker.projects.rules import PROJECT_ROLES
from tracker.releases import access as release_access
from tracker.releases import services as releases
from tracker.releases.models import Release
from tracker.releases.rules import RELEASE_VOTES, ReleaseStatus

blp = resource("releases", "Releases of agile and hybrid work, approved before they go live.")


class ReleaseDecisionSchema(Schema):
    role = ma.fields.String(required=True)
    decision = ma.fields.String(required=True)
    comment = ma.fields.String(required=True)
    decided_by_id = ma.fields.Integer(required=True)


class ReleaseSchema(Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    notes = ma.fields.String(required=True)
    gate_name = ma.fields.String(required=True)
    roles = ma.fields.List(ma.fields.String(), required=True)
    status = ma.fields.String(required=True, metadata={"enum": values(ReleaseStatus)})
    iteration_ids = ma.fields.Method("_iteration_ids", required=True)
    feedback_ids = ma.fields.Method("_feedback_ids", required=True)
    decisions = ma.fields.List(ma.fields.Nested(ReleaseDecisionSchema), required=True)
    version = ma.fields.Integer(required=True)

    def _iteration_ids(self, release) -> list[int]:
        return [i.id for i in release.iterations]

    def _feedback_ids(self, release) -> list[int]:
        return [f.id for f in releases.feedback_of(release)]


class ReleaseListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(ReleaseSchema), required=True)


class ReleaseRequestSchema(Schema):
    name = Text(required=True, validate=ma.validate.Length(min=1, max=120))
    notes = Text(required=True, validate=ma.validate.Length(min=1, max=5000))
    iteration_ids = ma.fields.List(Id(), required=True)


class ReleaseDecideSchema(Schema):
    role = Choice({r: PROJECT_ROLES[r] for r in BOARD_ROLES}, required=True)
    decision = Choice(RELEASE_VOTES, required=True)
    comment = Text(load_default="", validate=ma.validate.Length(max=5000))


class ReleaseLiveSchema(Schema):
    version = Int(required=True, minimum=1)


@blp.get("/projects/<id:project_id>/releases")
@for_project()
@blp.response(200, ReleaseListSchema)
def list_releases(project):
    """The project's releases, newest first, with the iterations and feedback in each."""
    items = db.session.scalars(
        select(Release).where(Release.project_id == project.id).order_by(Release.id.desc())
    )
    return {"items": list(items)}


@blp.post("/projects/<id:project_id>/releases")
@for_project(manage=True)
@blp.arguments(ReleaseRequestSchema)
@blp.response(201, ReleaseSchema)
def request_release(data, project):
    """Request a release's gate with the iterations whose work goes into it."""
    with service_call():
        release = releases.request_release(
            project,
            name=data["name"],
            notes=data["notes"],
            iteration_ids=data["iteration_ids"],
            actor=current_user,
        )
    return release


@blp.post("/projects/<id:project_id>/releases/<id:release_id>/decisions")
@for_project(rule=lambda user, project: has_role(user, project, *BOARD_ROLES))
@blp.arguments(ReleaseDecideSchema)
@blp.response(201, ReleaseSchema)
def decide_release(data, project, release_id: int):
    """Approve or reject the release as one of its gate's board roles (a rejection needs a
    comment). The requester never decides (403)."""
    release = get_or_404(Release, release_id, project=project)
    decisions.forbid_unless_decider(
        current_user,
        release,
        requested_by_id=release.requested_by_id,
        why=release_access.decision_refusal(current_user, release),
        what="release decision",
        role=data["role"],
        otherwise=f"You cannot decide as the {PROJECT_ROLES[data['role']]}.",
        release=release.id,
    )
    with service_call():
        releases.decide_release(
            release,
            role=data["role"],
            decision=data["decision"],
            comment=data["comment"],
            actor=current_user,
        )
    return release


@blp.post("/projects/<id:project_id>/releases/<id:release_id>/live")
@for_project(manage=True)
@blp.arguments(ReleaseLiveSchema)
@blp.response(200, ReleaseSchema)
def go_live(data, project, release_id: int):
    """Mark an approved release live (409 before its gate approved it)."""
    release = get_or_404(Release, release_id, project=project)
    with service_call():
        releases.go_live(release, version=data["version"], actor=current_user)
    return release
