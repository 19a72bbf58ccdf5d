"""The PMO's frameworks and a project's framework, through the services."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.stages.helpers import plan_stages, report_data
from tracker.audit.models import AuditEntry
from tracker.core.errors import RuleError, StaleEdit
from tracker.frameworks import services
from tracker.frameworks.models import (
    ChecklistConfirmation,
    FrameworkVersion,
    GateTemplate,
    GateTemplateItem,
    ProjectFramework,
)
from tracker.frameworks.rules import VersionStatus
from tracker.stages import services as stages
from tracker.stages.models import GateReview


def _gate(version, key) -> GateTemplate:
    return next(g for g in version.gates if g.key == key)


def _data(gate, **changes) -> services.GateData:
    roles = {
        level: [r.role for r in gate.roles if r.level == level]
        for level in ("small", "medium", "large")
    }
    values = {
        "name": gate.name,
        "falls_at": gate.falls_at,
        "description": gate.description,
        "roles": roles,
    }
    values.update(changes)
    return services.GateData(**values)


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_migration_ships_three_published_frameworks_with_prince2_the_default(db, shipped):
    prince2, version = shipped["prince2"]
    assert prince2.is_default
    assert version.status == VersionStatus.PUBLISHED and version.number == 1
    assert [g.key for g in version.gates] == ["start", "stage", "release", "close"]
    assert not shipped["gds"][0].is_default and shipped["gds"][1] is not None
    assert _gate(shipped["council"][1], "gateway-2").name == "Gateway 2: Outline business case"


def test_a_new_project_starts_on_the_default_frameworks_newest_version(db, make_project, shipped):
    project = make_project()
    link = db.session.get(ProjectFramework, project.id)
    assert link.framework_version_id == shipped["prince2"][1].id
    entry = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.project_id == project.id, AuditEntry.action == "project.framework_set"
        )
    ).one()
    assert "PRINCE2 stage boundaries, version 1" in entry.summary


def test_copy_rename_add_an_item_and_publish_records_what_changed(db, pmo, shipped):
    draft = services.copy_framework(shipped["council"][1], name="Northshire gateways", actor=pmo)
    db.session.commit()
    assert draft.status == VersionStatus.DRAFT and draft.framework.copied_from_id
    gate = _gate(draft, "gateway-2")
    services.update_gate(
        gate,
        _data(gate, name="Gateway 2: Outline business case and procurement"),
        stamp=draft.framework.version,
        actor=pmo,
    )
    services.add_item(
        gate,
        text="Equality impact assessment",
        kind="checklist",
        evidence_required=True,
        stamp=draft.framework.version,
        actor=pmo,
    )
    lines = services.publish(draft, stamp=draft.framework.version, actor=pmo)
    db.session.commit()
    assert draft.status == VersionStatus.PUBLISHED and draft.published_by_id == pmo.id
    assert lines[0] == (
        "Renamed the framework from 'Council gateways 0 to 3' to 'Northshire gateways'."
    )
    assert "Renamed gate 'Gateway 2: Outline business case' to " in lines[1]
    assert "added checklist item 'Equality impact assessment' (evidence required)" in lines[2]
    entry = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "framework.published", AuditEntry.object_id == draft.id
        )
    ).one()
    assert json.loads(entry.changes)["what_changed"] == lines
    assert json.loads(entry.changes)["compared_with"] == "Council gateways 0 to 3, version 1"
    # The shipped framework is untouched.
    assert _gate(shipped["council"][1], "gateway-2").name == "Gateway 2: Outline business case"


def test_a_published_version_cannot_be_edited_in_place_and_nothing_is_saved(db, pmo, shipped):
    _framework, version = shipped["council"]
    gate = _gate(version, "gateway-2")
    audits = _count(db, AuditEntry)
    for attempt in (
        lambda: services.update_gate(gate, _data(gate, name="Renamed"), stamp=None, actor=pmo),
        lambda: services.add_item(
            gate, text="x", kind="checklist", evidence_required=False, stamp=None, actor=pmo
        ),
        lambda: services.publish(version, stamp=None, actor=pmo),
    ):
        with pytest.raises(RuleError, match="is published, so it cannot be changed in place"):
            attempt()
        db.session.rollback()
    db.session.expire_all()
    assert _gate(version, "gateway-2").name == "Gateway 2: Outline business case"
    assert _count(db, AuditEntry) == audits


def test_a_gate_without_a_deciding_role_is_refused_and_not_saved(db, pmo, shipped):
    draft = services.copy_framework(shipped["council"][1], name="No roles", actor=pmo)
    db.session.commit()
    gate = _gate(draft, "gateway-1")
    with pytest.raises(RuleError, match="has no deciding role"):
        services.update_gate(
            gate,
            _data(gate, roles={"small": [], "medium": [], "large": []}),
            stamp=draft.framework.version,
            actor=pmo,
        )
    db.session.rollback()
    with pytest.raises(RuleError, match="has no deciding role"):
        services.add_gate(
            draft,
            services.GateData("Gateway 4", "stage_boundary", "", {}),
            stamp=draft.framework.version,
            actor=pmo,
        )
    db.session.rollback()
    db.session.expire_all()
    assert len(db.session.get(FrameworkVersion, draft.id).gates) == 6
    assert {r.level for r in _gate(draft, "gateway-1").roles} == {"small", "medium", "large"}


def test_a_stale_edit_is_refused(db, pmo, shipped):
    draft = services.copy_framework(shipped["prince2"][1], name="Stale", actor=pmo)
    db.session.commit()
    stamp = draft.framework.version
    gate = _gate(draft, "stage")
    services.update_gate(gate, _data(gate, name="First edit"), stamp=stamp, actor=pmo)
    db.session.commit()
    with pytest.raises(StaleEdit):
        services.update_gate(gate, _data(gate, name="Second edit"), stamp=stamp, actor=pmo)


def test_a_new_draft_starts_from_the_newest_version_and_only_one_is_open(db, pmo, shipped):
    framework, version = shipped["gds"]
    draft = services.start_draft(framework, actor=pmo)
    db.session.commit()
    assert draft.number == 2 and draft.based_on_id == version.id
    assert [g.key for g in draft.gates] == [g.key for g in version.gates]
    with pytest.raises(RuleError, match="already has a draft"):
        services.start_draft(framework, actor=pmo)


def test_tailoring_is_edited_in_the_draft_and_governs_projects_that_move_to_it(
    db, pmo, shipped, make_project, make_user
):
    framework, version = shipped["prince2"]
    draft = services.start_draft(framework, actor=pmo)
    services.update_tailoring(
        draft,
        services.TailoringData(
            {
                "small": ("every_boundary", 1, 1),
                "medium": ("every_boundary", 2, 1),
                "large": ("every_boundary", 1, 1),
            }
        ),
        stamp=framework.version,
        actor=pmo,
    )
    lines = services.publish(draft, stamp=framework.version, actor=pmo)
    db.session.commit()
    assert any(line.startswith("Tailoring at small level: every stage boundary") for line in lines)
    manager = make_user()
    project = make_project(manager=manager)
    # New projects start on the newest version; this one is moved back and forth.
    assert db.session.get(ProjectFramework, project.id).framework_version_id == draft.id
    assert stages.regime_for(project).gates == "every_boundary"
    services.move_project(project, version, reason="Keep the old cadence", actor=manager)
    assert stages.regime_for(project).gates == "start_and_close"


def test_a_project_moves_only_between_gates_and_the_move_is_on_its_timeline(db, board, shipped):
    project, manager = board["project"], board["manager"]
    plan_stages(project, manager)
    stages.request_gate(project, report_data(), actor=manager)
    db.session.commit()
    council = shipped["council"][1]
    with pytest.raises(RuleError, match="a gate is waiting for the board"):
        services.move_project(project, council, reason="Council rules", actor=manager)
    db.session.rollback()
    assert (
        db.session.get(ProjectFramework, project.id).framework_version_id
        == shipped["prince2"][1].id
    )
    gate = db.session.scalars(select(GateReview).where(GateReview.project_id == project.id)).one()
    stages.decide_gate(
        gate, role="executive", decision="approve", comment="", actor=board["executive"]
    )
    stages.decide_gate(
        gate, role="senior_user", decision="approve", comment="", actor=board["senior_user"]
    )
    db.session.commit()
    services.move_project(project, council, reason="Council rules", actor=manager)
    db.session.commit()
    entry = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.project_id == project.id, AuditEntry.action == "project.framework_moved"
        )
    ).one()
    assert json.loads(entry.changes)["framework_version"] == [
        "PRINCE2 stage boundaries, version 1",
        "Council gateways 0 to 3, version 1",
    ]


def _to_council(db, board, shipped):
    project, manager = board["project"], board["manager"]
    services.move_project(project, shipped["council"][1], reason="Council project", actor=manager)
    db.session.commit()
    return project, manager


def test_the_next_gate_follows_the_template_and_waits_for_its_checklist(db, board, shipped):
    project, manager = _to_council(db, board, shipped)
    plan_stages(project, manager)
    planned = stages.next_gate(project)
    assert planned.title.startswith("Gateway 0: Strategic assessment (")
    assert planned.roles == ("executive", "senior_user")
    with pytest.raises(RuleError) as refused:
        stages.request_gate(project, report_data(), actor=manager)
    assert "'Strategic fit with the council plan confirmed' is not confirmed" in str(refused.value)
    assert "the document 'Project mandate' is not attached" in str(refused.value)
    db.session.rollback()
    assert _count(db, GateReview) == 0
    items = {i.text: i for i in _gate(shipped["council"][1], "gateway-0").items}
    with pytest.raises(RuleError, match="needs evidence"):
        services.confirm_item(
            project,
            items["Strategic fit with the council plan confirmed"],
            evidence=" ",
            actor=manager,
        )
    with pytest.raises(RuleError, match="required document"):
        services.confirm_item(project, items["Project mandate"], evidence="", actor=manager)
    db.session.rollback()
    assert _count(db, ChecklistConfirmation) == 0
    services.confirm_item(
        project,
        items["Strategic fit with the council plan confirmed"],
        evidence="Cabinet minute 12",
        actor=manager,
    )
    services.confirm_item(project, items["Project mandate"], evidence="DMS-4411", actor=manager)
    gate = stages.request_gate(project, report_data(), actor=manager)
    db.session.commit()
    assert gate.status == "pending"
    with pytest.raises(RuleError, match="already confirmed"):
        services.confirm_item(project, items["Project mandate"], evidence="DMS-4412", actor=manager)


def test_an_item_of_another_framework_cannot_be_confirmed(db, board, shipped):
    project, manager = board["project"], board["manager"]
    item = db.session.scalars(
        select(GateTemplateItem)
        .join(GateTemplate)
        .where(GateTemplate.framework_version_id == shipped["council"][1].id)
    ).first()
    with pytest.raises(RuleError, match="not part of the framework the project follows"):
        services.confirm_item(project, item, evidence="x", actor=manager)


def test_the_renamed_gate_of_a_published_copy_is_the_one_a_new_project_sees(
    db, pmo, board, shipped
):
    draft = services.copy_framework(shipped["council"][1], name="Renamed gateways", actor=pmo)
    gate = _gate(draft, "gateway-0")
    services.update_gate(
        gate, _data(gate, name="Gateway 0: Mandate"), stamp=draft.framework.version, actor=pmo
    )
    services.publish(draft, stamp=draft.framework.version, actor=pmo)
    db.session.commit()
    project, manager = board["project"], board["manager"]
    services.move_project(project, draft, reason="Ours", actor=manager)
    plan_stages(project, manager)
    assert stages.next_gate(project).title.startswith("Gateway 0: Mandate")
