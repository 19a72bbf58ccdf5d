"""Release gates: a release goes live only once the roles its framework names approved it,
never decided by whoever requested it; the record links its iterations and feedback."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracker.audit.models import AuditEntry
from tracker.core.errors import RuleError
from tracker.releases import rules
from tracker.releases import services as releases
from tracker.releases.models import Release, ReleaseDecision
from tracker.releases.rules import ReleaseStatus


def test_the_outcome_rule():
    assert rules.outcome(("executive",), {}) is ReleaseStatus.PENDING
    assert rules.outcome(("executive",), {"executive": "approve"}) is ReleaseStatus.APPROVED
    assert rules.outcome(("executive", "senior_user"), {"senior_user": "reject"}) is (
        ReleaseStatus.REJECTED
    )
    assert rules.outcome((), {}) is ReleaseStatus.APPROVED
    assert "has not decided yet" in rules.live_problem("pending")
    assert rules.live_problem("approved") is None


def _request(gds, sprint, name="Release 1"):
    return releases.request_release(
        gds["project"],
        name=name,
        notes="Online reporting for residents",
        iteration_ids=[sprint["iteration"].id],
        actor=gds["manager"],
    )


def test_a_release_is_approved_by_the_templates_roles_before_it_goes_live(db, gds, sprint):
    release = _request(gds, sprint)
    db.session.commit()
    assert release.gate_name == "Release gate" and release.roles == ("executive",)
    assert [i.name for i in release.iterations] == ["Sprint 1"]
    assert [f.said for f in releases.feedback_of(release)] == ["Much easier"]
    with pytest.raises(RuleError, match="has not decided yet"):
        releases.go_live(release, version=None, actor=gds["manager"])
    db.session.rollback()
    releases.decide_release(
        release, role="executive", decision="approve", comment="", actor=gds["executive"]
    )
    releases.go_live(release, version=None, actor=gds["manager"])
    db.session.commit()
    assert release.status == "live" and release.went_live_at is not None
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.project_id == gds["project"].id)
    ).all()
    assert {"release.requested", "release.decided", "release.approved", "release.live"} <= set(
        actions
    )


def test_the_requester_never_decides_and_a_rejection_needs_a_reason(db, gds, sprint):
    release = releases.request_release(
        gds["project"],
        name="R",
        notes="x",
        iteration_ids=[sprint["iteration"].id],
        actor=gds["executive"],
    )
    db.session.commit()
    with pytest.raises(RuleError, match="You requested this release"):
        releases.decide_release(
            release, role="executive", decision="approve", comment="", actor=gds["executive"]
        )
    db.session.rollback()
    other = _request(gds, sprint, "R2")
    db.session.commit()
    with pytest.raises(RuleError, match="Say why the release is rejected"):
        releases.decide_release(
            other, role="executive", decision="reject", comment=" ", actor=gds["executive"]
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count(ReleaseDecision.id))) == 0
    releases.decide_release(
        other, role="executive", decision="reject", comment="Not tested", actor=gds["executive"]
    )
    db.session.commit()
    assert other.status == "rejected"
    with pytest.raises(RuleError, match="rejected this release"):
        releases.go_live(other, version=None, actor=gds["manager"])


def test_a_release_without_iterations_or_from_a_staged_project_is_refused(db, gds, sprint, board):
    with pytest.raises(RuleError, match="Choose the iterations"):
        releases.request_release(
            gds["project"], name="R", notes="x", iteration_ids=[], actor=gds["manager"]
        )
    with pytest.raises(RuleError, match="for agile and hybrid projects"):
        releases.request_release(
            board["project"], name="R", notes="x", iteration_ids=[1], actor=board["manager"]
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count(Release.id))) == 0


def test_a_small_project_has_no_release_gate_so_its_release_is_approved_at_once(db, gds, sprint):
    from decimal import Decimal

    gds["project"].budget_at_completion = Decimal("100000.00")
    db.session.commit()
    release = _request(gds, sprint)
    assert release.roles == () and release.status == "approved"


def test_releases_through_the_pages_and_the_api(db, client, login, api_as, gds, sprint):
    project = gds["project"]
    login(gds["manager"])
    response = client.post(
        f"/projects/{project.id}/releases/new",
        data={"name": "Beta 1", "notes": "Reporting", "iteration_ids": [sprint["iteration"].id]},
    )
    assert response.status_code == 302
    release = db.session.scalars(select(Release).where(Release.project_id == project.id)).one()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Much easier" in page and "Waiting for the release gate" in page
    assert (
        client.post(
            f"/projects/{project.id}/releases/{release.id}/decide",
            data={"role": "executive", "decision": "approve"},
        ).status_code
        == 403
    )
    api = api_as(gds["executive"])
    body = api.post(
        f"/projects/{project.id}/releases/{release.id}/decisions",
        json={"role": "executive", "decision": "approve"},
    ).get_json()
    assert body["status"] == "approved" and body["feedback_ids"] == [sprint["feedback"].id]
    live = api_as(gds["manager"]).post(
        f"/projects/{project.id}/releases/{release.id}/live", json={"version": body["version"]}
    )
    assert live.status_code == 200 and live.get_json()["status"] == "live"
