# ruff: noqa: F811  (the fixtures are imported from their packages)
"""Switching method at a boundary: proposed with the gate or service assessment waiting
there when a re-assessment recommends another method; the board's decision on it decides
the switch (a new method decision with its drivers, the project on the other framework);
refused, with nothing saved, without a re-assessment recommending it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.frameworks.conftest import shipped  # noqa: F401
from tests.phases.conftest import gds  # noqa: F401
from tests.phases.test_services import _all_met, _fund_and_start, _set_up
from tests.stages.conftest import board  # noqa: F401
from tests.stages.helpers import plan_stages, report_data
from tracker.audit.models import AuditEntry
from tracker.core.errors import RuleError
from tracker.frameworks.models import ProjectFramework
from tracker.methods import services as methods
from tracker.methods import switches
from tracker.methods.models import MethodDecision, MethodSwitch
from tracker.methods.switching import (
    Boundary,
    BoundaryKind,
    Reassessment,
    framework_suits,
    switch_problems,
)
from tracker.phases import services as phases
from tracker.phases.rules import PointResult
from tracker.stages import services as stages

STAGED = dict(
    U1=1, U2=1, U3=2, U4=2, U5=1, U6=2, U7=1, F1=2, F2=1, F3=1, C1=3,
    R1=3, R2=3, R3=2, R4=3, team_size=12, culture="control",
)  # fmt: skip
AGILE = dict(
    U1=4, U2=4, U3=4, U4=4, U5=5, U6=5, U7=2, F1=5, F2=4, F3=4, C1=3,
    R1=4, R2=4, R3=3, R4=4, team_size=9, culture="collaboration",
)  # fmt: skip
NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
GATE = Boundary(BoundaryKind.GATE, 1, "the gate at the end of Stage 1")


def _problems(**overrides):
    values = dict(
        current_method="agile",
        to_method="stage_gated",
        drivers=["project_needs"],
        latest=Reassessment(2, "stage_gated", NOW),
        decided_at=NOW - timedelta(days=30),
        boundary=GATE,
        framework_suits=True,
    )
    return [message for message, _field in switch_problems(**(values | overrides))]


def test_a_switch_follows_a_reassessment_recommending_it_at_a_boundary():
    assert _problems() == []
    assert _problems(to_method="agile") == [
        "The project's method is already agile: a switch proposes another one.",
        "The latest assessment (number 2) recommends stage-gated, not agile: a switch is "
        "proposed only to the method a re-assessment recommends.",
    ]
    assert _problems(latest=None)[0].startswith("Re-assess the project first")
    # An assessment older than the current decision is not a re-assessment.
    assert _problems(decided_at=NOW + timedelta(days=1))[0].startswith(
        "The latest assessment (number 2) was made before the current method was decided"
    )
    assert _problems(to_method="hybrid")[0].startswith(
        "The latest assessment (number 2) recommends stage-gated, not hybrid"
    )
    assert _problems(drivers=[]) == ["Choose at least one driver of the switch from the list"]
    assert _problems(drivers=["whim"]) == ["Choose at least one driver of the switch from the list"]
    assert _problems(boundary=None)[0].startswith("Request the gate or the phase's service")
    assert _problems(framework_suits=False)[0].startswith("Choose a published framework")
    assert _problems(to_method="waterfall") == ["Choose a delivery method from the list"]


def test_a_framework_suits_a_method_by_the_boundaries_it_has():
    assert framework_suits("agile", ["project_start", "phase_boundary"])
    assert not framework_suits("agile", ["project_start", "stage_boundary"])
    assert framework_suits("stage_gated", ["stage_boundary", "closure"])
    assert not framework_suits("stage_gated", ["phase_boundary"])
    assert framework_suits("hybrid", ["phase_boundary"])
    assert not framework_suits("hybrid", ["release", "closure"])


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _propose(gds, version, **overrides):
    values = dict(
        to_method="stage_gated",
        framework_version_id=version.id,
        drivers=["project_needs"],
        rationale="Alpha proved the design: the build is now clear.",
        actor=gds["manager"],
    )
    return switches.propose(gds["project"], **(values | overrides))


def test_an_agile_project_switches_to_stage_gated_when_its_alpha_assessment_passes(
    db, client, login, gds, shipped
):
    by_kind = _set_up(db, gds)
    _fund_and_start(db, gds, by_kind["discovery"])
    prince2 = shipped["prince2"][1]
    # Bad input: nothing waiting at a boundary yet, no re-assessment: nothing saved.
    with pytest.raises(RuleError, match="Re-assess the project first"):
        _propose(gds, prince2)
    db.session.rollback()
    methods.assess(gds["project"], STAGED, assessed_by=gds["manager"])
    db.session.commit()
    with pytest.raises(RuleError, match="Request the gate or the phase's service assessment"):
        _propose(gds, prince2)
    db.session.rollback()
    assessment = phases.request_assessment(
        by_kind["discovery"], summary="Users need one form", actor=gds["manager"]
    )
    db.session.commit()
    with pytest.raises(RuleError, match="recommends stage-gated, not hybrid"):
        _propose(gds, prince2, to_method="hybrid")
    db.session.rollback()
    with pytest.raises(RuleError, match="Choose a published framework"):
        _propose(gds, shipped["gds"][1])
    db.session.rollback()
    assert _count(db, MethodSwitch) == 0

    switch = _propose(gds, prince2)
    db.session.commit()
    assert (switch.boundary_kind, switch.boundary_id) == ("assessment", assessment.id)
    login(gds["executive"])
    page = client.get(
        f"/projects/{gds['project'].id}/service-assessments/{assessment.id}"
    ).get_data(as_text=True)
    assert "proposes switching from agile to stage-gated delivery" in page
    with pytest.raises(RuleError, match="already proposed"):
        _propose(gds, prince2)
    db.session.rollback()
    assert gds["project"].delivery_method == "agile"

    for role in ("executive", "senior_user"):
        phases.decide_assessment(
            assessment, role=role, results=_all_met(assessment), comment="", actor=gds[role]
        )
    db.session.commit()
    db.session.refresh(switch)
    project = gds["project"]
    assert switch.status == "approved"
    assert project.delivery_method == "stage_gated"
    decision = db.session.get(MethodDecision, switch.decision_id)
    assert (decision.previous_method, decision.method) == ("agile", "stage_gated")
    assert decision.drivers == ["project_needs"] and decision.follows_recommendation
    assert "the board approved" in decision.rationale
    assert db.session.get(ProjectFramework, project.id).framework_version_id == prince2.id
    actions = set(
        db.session.scalars(select(AuditEntry.action).where(AuditEntry.project_id == project.id))
    )
    assert {
        "method.switch_proposed",
        "method.decided",
        "project.framework_moved",
        "method.switch_approved",
    } <= actions


def test_a_failed_assessment_leaves_the_method_as_it_was(db, gds, shipped):
    by_kind = _set_up(db, gds)
    _fund_and_start(db, gds, by_kind["discovery"])
    methods.assess(gds["project"], STAGED, assessed_by=gds["manager"])
    assessment = phases.request_assessment(
        by_kind["discovery"], summary="Users need one form", actor=gds["manager"]
    )
    db.session.commit()
    switch = _propose(gds, shipped["prince2"][1])
    db.session.commit()
    first = assessment.point_list[0]
    results = [PointResult(first, False, "No research with users who need help")] + [
        PointResult(p, True) for p in assessment.point_list[1:]
    ]
    phases.decide_assessment(
        assessment, role="executive", results=results, comment="", actor=gds["executive"]
    )
    db.session.commit()
    db.session.refresh(switch)
    assert switch.status == "rejected"
    assert gds["project"].delivery_method == "agile"
    assert _count(db, MethodDecision) == 0


def test_a_stage_gated_project_switches_to_agile_with_its_gate(db, client, login, board, shipped):
    project = board["project"]
    plan_stages(project, board["manager"])
    methods.assess(project, AGILE, assessed_by=board["manager"])
    gate = stages.request_gate(project, report_data(), actor=board["manager"])
    db.session.commit()
    switch = switches.propose(
        project,
        to_method="agile",
        framework_version_id=shipped["gds"][1].id,
        drivers=["project_needs", "member_preference"],
        rationale="Users' needs moved faster than the plan.",
        actor=board["manager"],
    )
    db.session.commit()
    assert switch.boundary_kind == "gate" and switch.boundary_name == "the start gate"
    login(board["executive"])
    page = client.get(f"/projects/{project.id}/gates/{gate.id}").get_data(as_text=True)
    assert "proposes switching from stage-gated to agile delivery" in page
    for role in gate.roles:
        stages.decide_gate(gate, role=role, decision="approve", comment="", actor=board[role])
    db.session.commit()
    db.session.refresh(switch)
    assert switch.status == "approved"
    assert project.delivery_method == "agile"
    link = db.session.get(ProjectFramework, project.id)
    assert link.framework_version_id == shipped["gds"][1].id
    assert [d.method for d in methods_history(db, project)] == ["agile"]


def methods_history(db, project):
    return list(
        db.session.scalars(
            select(MethodDecision)
            .where(MethodDecision.project_id == project.id)
            .order_by(MethodDecision.sequence)
        )
    )


def test_the_switch_page_proposes_for_the_manager_only(db, client, login, gds, shipped):
    by_kind = _set_up(db, gds)
    _fund_and_start(db, gds, by_kind["discovery"])
    methods.assess(gds["project"], STAGED, assessed_by=gds["manager"])
    phases.request_assessment(by_kind["discovery"], summary="Found", actor=gds["manager"])
    db.session.commit()
    url = f"/projects/{gds['project'].id}/method-switch"
    login(gds["executive"])
    page = client.get(url)
    assert page.status_code == 200 and "Propose the switch" not in page.get_data(as_text=True)
    assert client.post(url, data={}).status_code == 403
    login(gds["manager"])
    page = client.get(url).get_data(as_text=True)
    assert "Propose the switch" in page and "Discovery peer review" in page
    response = client.post(
        url,
        data={
            "method": "hybrid",
            "framework_version_id": str(shipped["prince2"][1].id),
            "drivers": ["project_needs"],
            "rationale": "",
        },
    )
    assert response.status_code == 400
    assert "recommends stage-gated, not hybrid" in response.get_data(as_text=True)
    assert _count(db, MethodSwitch) == 0
    response = client.post(
        url,
        data={
            "method": "stage_gated",
            "framework_version_id": str(shipped["prince2"][1].id),
            "drivers": ["project_needs"],
            "rationale": "Alpha proved it",
        },
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Waiting for the board" in page
    assert _count(db, MethodSwitch) == 1


def test_the_switch_answers_the_events_the_architecture_page_lists(app):
    from tracker.core import events
    from tracker.methods import subscribers
    from tracker.phases import subscribers as phase_subscribers
    from tracker.stages import subscribers as stage_subscribers

    assert events.receivers_of(events.assessment_resolved) == [subscribers.switch_at_assessment]
    assert events.receivers_of(events.gate_notices) == [subscribers.switch_with_gate]
    assert events.receivers_of(events.boundary_waiting) == [
        stage_subscribers.gate_at_boundary,
        phase_subscribers.assessment_at_boundary,
    ]
    assert subscribers.switch_at_gate in events.receivers_of(events.gate_resolved)
    with open("docs/architecture.md", encoding="utf-8") as page:
        text = page.read()
    for name in (
        "methods.subscribers.switch_at_gate",
        "methods.subscribers.switch_at_assessment",
        "methods.subscribers.switch_with_gate",
        "stages.subscribers.gate_at_boundary",
        "phases.subscribers.assessment_at_boundary",
    ):
        assert name in text


@pytest.mark.parametrize(
    ("column", "enum"), [("status", "SwitchStatus"), ("boundary_kind", "BoundaryKind")]
)
def test_each_switch_enum_is_what_its_column_allows(column, enum):
    import re

    from tracker.methods import switching

    checks = [
        str(c.sqltext)
        for c in MethodSwitch.__table__.constraints
        if f"{column} IN (" in str(getattr(c, "sqltext", ""))
    ]
    (check,) = checks
    values = set(re.findall(r"'([a-z_]+)'", check))
    assert values == {member.value for member in getattr(switching, enum)}
