"""Business case services: versions, frozen at a gate's request, copies, the board's
judgement raising an exception, stale edits, audit."""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from tests.stages.helpers import plan_stages, report_data
from tracker.audit.models import AuditEntry
from tracker.business_cases import access, queries, services
from tracker.business_cases.models import BusinessCaseVersion, CaseFlow
from tracker.core.errors import RuleError, StaleEdit
from tracker.stages import services as stages
from tracker.stages.models import GateReview, Stage


def _actions(db, project):
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.project_id == project.id, AuditEntry.action.like("business_case.%"))
            .order_by(AuditEntry.seq)
        )
    )


def _request_start_gate(db, board, **overrides):
    plan_stages(board["project"], board["manager"], count=2)
    gate = stages.request_gate(board["project"], report_data(**overrides), actor=board["manager"])
    db.session.commit()
    return gate


def test_a_version_holds_sections_and_figures_and_writes_audit(db, board, soc):
    view = queries.view_of(soc)
    assert soc.number == 1 and soc.kind == "soc" and soc.status == "draft"
    assert [a.name for a in view.appraisals] == ["Do minimum", "Shared service"]
    assert view.best == 2
    assert view.appraisals[1].npv == Decimal("13981.65")
    assert _actions(db, board["project"]) == [
        "business_case.started",
        "business_case.section_changed",
        "business_case.option_saved",
        "business_case.option_saved",
    ]


def test_requesting_a_gate_freezes_the_draft_with_the_managers_answer(db, board, soc):
    gate = _request_start_gate(db, board, business_case_justified=True)
    db.session.refresh(soc)
    assert soc.status == "frozen"
    assert soc.gate_review_id == gate.id
    assert soc.frozen_at is not None
    assert soc.manager_justified is True
    assert "business_case.frozen" in _actions(db, board["project"])


def test_editing_a_frozen_version_is_refused_and_nothing_is_saved(db, board, soc):
    _request_start_gate(db, board)
    with pytest.raises(RuleError, match=r"Version 1 \(SOC\) was frozen on .* cannot be changed"):
        services.update_section(soc, "strategic", "Rewritten", stamp=None, actor=board["manager"])
    db.session.rollback()
    with pytest.raises(RuleError, match="start a new version"):
        services.save_option(
            soc,
            services.OptionData("Third", "", "0, 1, 1"),
            number=None,
            stamp=None,
            actor=board["manager"],
        )
    db.session.rollback()
    assert db.session.get(BusinessCaseVersion, soc.id).strategic.startswith("The library")
    assert len(db.session.get(BusinessCaseVersion, soc.id).options) == 2


def test_a_new_version_starts_as_a_copy_and_the_changes_are_shown(db, board, soc):
    _request_start_gate(db, board)
    obc = services.start_version(board["project"], kind="obc", actor=board["manager"])
    db.session.commit()
    assert obc.number == 2 and obc.based_on_id == soc.id
    assert obc.strategic == soc.strategic
    assert [o.name for o in obc.options] == ["Do minimum", "Shared service"]
    services.update_section(
        obc,
        "strategic",
        "The library service needs one online booking system.",
        stamp=None,
        actor=board["manager"],
    )
    services.save_option(
        obc,
        services.OptionData("Shared service", "", "0, 120000, 0\n1, 0, 60000\n2, 0, 60000", True),
        number=2,
        stamp=None,
        actor=board["manager"],
    )
    db.session.commit()
    found = queries.changes(soc, obc)
    assert [c.section.value for c in found.changed_sections] == ["strategic"]
    assert ("added", "online ") in [(p.kind, p.text) for p in found.changed_sections[0].pieces]
    assert any("cost £120,000.00 (was £100,000.00)" in line for line in found.figures)
    assert "Preferred option: 2, Shared service (was none)." in found.figures
    # The frozen version kept its figures.
    assert db.session.scalar(
        select(func.sum(CaseFlow.cost)).where(CaseFlow.option_id == soc.options[1].id)
    ) == Decimal("100000.00")


def test_only_one_draft_at_a_time(db, board, soc):
    with pytest.raises(RuleError, match=r"Version 1 \(SOC\) is still a draft"):
        services.start_version(board["project"], kind="obc", actor=board["manager"])


def test_an_fbc_without_a_preferred_option_refuses_the_gate_request(db, board, soc):
    start = _request_start_gate(db, board)
    fbc = services.start_version(board["project"], kind="fbc", actor=board["manager"])
    db.session.commit()
    # Approve the start gate so the next one can be requested.
    for role in start.roles:
        stages.decide_gate(start, role=role, decision="approve", comment="", actor=board[role])
    db.session.commit()
    stage = db.session.scalars(
        select(Stage).where(Stage.project_id == board["project"].id, Stage.sequence == 1)
    ).one()
    stages.start_stage(stage, version=None, actor=board["manager"])
    db.session.commit()
    with pytest.raises(RuleError, match="no preferred option") as refused:
        stages.request_gate(board["project"], report_data(), actor=board["manager"])
    assert "no funding" in str(refused.value)
    db.session.rollback()
    assert db.session.get(BusinessCaseVersion, fbc.id).status == "draft"
    assert (
        db.session.scalar(
            select(func.count()).select_from(GateReview).where(GateReview.status == "pending")
        )
        == 0
    )


def test_stale_edits_are_refused(db, board, soc):
    opened = soc.version
    services.update_section(soc, "economic", "First", stamp=opened, actor=board["manager"])
    db.session.commit()
    with pytest.raises(StaleEdit):
        services.update_section(soc, "economic", "Second", stamp=opened, actor=board["manager"])
    db.session.rollback()
    with pytest.raises(StaleEdit):
        services.save_funding(
            soc, funding="grant, 5, yes", discount_rate="3.5", stamp=opened, actor=board["manager"]
        )
    db.session.rollback()
    assert db.session.get(BusinessCaseVersion, soc.id).economic == "First"
    assert db.session.get(BusinessCaseVersion, soc.id).funding == []


def test_negative_years_are_refused_and_nothing_saved(db, board, soc):
    with pytest.raises(RuleError, match="year -2 is negative") as refused:
        services.save_option(
            soc,
            services.OptionData("Shared service", "", "-2, 5, 5"),
            number=2,
            stamp=None,
            actor=board["manager"],
        )
    assert refused.value.field == "flows"
    db.session.rollback()
    assert [f.year for f in db.session.get(BusinessCaseVersion, soc.id).options[1].flows] == [
        0,
        1,
        2,
    ]


def test_the_board_judges_the_frozen_version_and_not_justified_is_an_exception(db, board, soc):
    gate = _request_start_gate(db, board)
    for role in gate.roles:
        stages.decide_gate(gate, role=role, decision="approve", comment="", actor=board[role])
    db.session.commit()
    stage = db.session.scalars(
        select(Stage).where(Stage.project_id == board["project"].id, Stage.sequence == 1)
    ).one()
    stages.start_stage(stage, version=None, actor=board["manager"])
    db.session.commit()
    soc = db.session.get(BusinessCaseVersion, soc.id)
    # Segregation: the manager who requested the gate cannot judge its case; nor the team.
    assert "Only the board members" in access.judgement_refusal(board["manager"], soc, gate)
    assert "Only the board members" in access.judgement_refusal(board["team"], soc, gate)
    with pytest.raises(RuleError, match="Say why"):
        services.judge(soc, justified=False, note="", stamp=None, actor=board["executive"])
    db.session.rollback()
    soc = db.session.get(BusinessCaseVersion, soc.id)
    moved = services.judge(
        soc, justified=False, note="Costs doubled", stamp=None, actor=board["executive"]
    )
    db.session.commit()
    assert moved is not None and moved.id == stage.id
    assert db.session.get(Stage, stage.id).status == "in_exception"
    soc = db.session.get(BusinessCaseVersion, soc.id)
    assert soc.board_justified is False and soc.judged_by_id == board["executive"].id
    assert access.judgement_refusal(board["senior_user"], soc, gate) == (
        "The board has already judged this version."
    )
    # The existing exception mechanism takes over: the manager may now raise a report.
    assert stages.open_exception(db.session.get(Stage, stage.id)) is None
    assert "business_case.judged" in _actions(db, board["project"])


def test_the_version_due_follows_the_projects_framework(db, board, shipped_council):
    project = board["project"]
    plan_stages(project, board["manager"], count=3)
    stage_ids = [s.id for s in stages.stages_of(project)]

    def at(boundary):
        authorises = stage_ids[boundary] if boundary < len(stage_ids) else None
        return services.due_at(
            project, SimpleNamespace(boundary=boundary, authorises_stage_id=authorises)
        )

    assert at(0) is None  # Gateway 0
    assert at(1).value == "soc"
    assert at(2).value == "obc"
    assert at(3) is None  # the end of the last stage: the closure review


@pytest.fixture
def shipped_council(db, board):
    from tracker.frameworks import services as frameworks
    from tracker.frameworks.models import GovernanceFramework

    framework = db.session.scalars(
        select(GovernanceFramework).where(GovernanceFramework.name == "Council gateways 0 to 3")
    ).one()
    version = frameworks.latest_published(framework.id)
    frameworks.move_project(
        board["project"], version, reason="Council project", actor=board["manager"]
    )
    db.session.commit()
    return version


def test_the_database_keeps_one_draft_and_no_negative_years(db, board, soc):
    """Behind the services: a second draft and a negative year are refused by the
    database's own constraints."""
    from sqlalchemy.exc import IntegrityError

    db.session.add(
        BusinessCaseVersion(
            project_id=board["project"].id, number=2, kind="obc", status="draft", version=1
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(CaseFlow(option_id=soc.options[0].id, year=-1, cost=0, benefit=0))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_enums_match_their_check_constraints():
    from tracker.business_cases.models import CaseFunding
    from tracker.business_cases.rules import CaseStatus, CaseVersion, FundingSource

    def allowed(table, name):
        check = next(
            c for c in table.constraints if getattr(c, "name", None) and c.name.endswith(name)
        )
        return set(re.findall(r"'([a-z_]+)'", str(check.sqltext)))

    assert allowed(BusinessCaseVersion.__table__, "kind_known") == set(CaseVersion)
    assert allowed(BusinessCaseVersion.__table__, "status_known") == set(CaseStatus)
    assert allowed(CaseFunding.__table__, "source_known") == set(FundingSource)
