"""Stage services: the tailored regime, gates resolving once, exceptions, audit."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.stages.helpers import plan_stages, report_data, stage_data
from tracker.audit.models import AuditEntry
from tracker.core.errors import RuleError
from tracker.stages import services
from tracker.stages.models import ExceptionReport, GateDecision, GateReview, Stage


def _actions(db, project):
    return [
        a
        for a in db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.project_id == project.id)
            .order_by(AuditEntry.seq)
        )
    ]


def _approve_start(db, board):
    gate = services.request_gate(board["project"], report_data(), actor=board["manager"])
    for role in gate.roles:
        services.decide_gate(gate, role=role, decision="approve", comment="", actor=board[role])
    db.session.commit()
    return gate


def _decide(report, actor, decision, *, option=None, comment=""):
    """One board member's decision on an exception report, as the page would send it."""
    return services.decide_exception(
        report, decision=decision, option=option, comment=comment, version=None, actor=actor
    )


# -- where stages are allowed -------------------------------------------------------------


@pytest.mark.parametrize("method", [None, "agile"])
def test_only_stage_gated_and_hybrid_projects_have_stages(db, board, method):
    project = board["project"]
    project.delivery_method = method
    with pytest.raises(RuleError, match="Only stage-gated and hybrid projects have stages"):
        services.create_stage(project, stage_data(), actor=board["manager"])
    with pytest.raises(RuleError, match="Only stage-gated and hybrid"):
        services.next_gate(project)


def test_hybrid_projects_have_stages(db, board):
    board["project"].delivery_method = "hybrid"
    stage = services.create_stage(board["project"], stage_data(), actor=board["manager"])
    assert stage.sequence == 1
    assert stage.status == "planned"


def test_stage_budgets_may_not_exceed_the_project_budget(db, board):
    project = board["project"]
    services.create_stage(project, stage_data(budget="600000"), actor=board["manager"])
    db.session.commit()
    second = stage_data("Build", date(2026, 4, 1), budget="400000.01")
    with pytest.raises(RuleError, match=r"£0\.01 over the project budget") as error:
        services.create_stage(project, second, actor=board["manager"])
    assert error.value.field == "planned_budget"
    db.session.rollback()
    assert db.session.scalar(select(func.count(Stage.id))) == 1


def test_stages_run_one_after_another(db, board):
    project = board["project"]
    services.create_stage(project, stage_data(days=60), actor=board["manager"])
    with pytest.raises(RuleError, match="must be after Stage 1: Stage finishes"):
        services.create_stage(
            project, stage_data("Overlap", date(2026, 2, 1)), actor=board["manager"]
        )


def test_default_tolerances_come_from_the_size_tier(db, board, make_project):
    medium = services.stage_defaults(board["project"])
    assert medium["time_tolerance_days"] == 15
    assert medium["cost_tolerance_value"] == Decimal("7.5")
    small = make_project(budget_at_completion=Decimal("100000"))
    assert services.stage_defaults(small)["time_tolerance_days"] == 10
    large = make_project(budget_at_completion=Decimal("6000000"))
    assert services.stage_defaults(large)["cost_tolerance_value"] == Decimal(5)


def test_a_stage_starts_only_when_its_gate_authorises_it(db, board):
    first, _ = plan_stages(board["project"], board["manager"])
    with pytest.raises(RuleError, match="cannot start until its gate authorises it"):
        services.start_stage(first, version=None, actor=board["manager"])


def test_time_and_cost_book_only_to_authorised_stages(db, board):
    first, _ = plan_stages(board["project"], board["manager"])
    with pytest.raises(RuleError, match="only to a stage its gate has authorised"):
        services.check_booking(first)
    _approve_start(db, board)
    services.check_booking(first)


# -- the gate regime ------------------------------------------------------------------------


def test_medium_project_needs_executive_and_senior_user_at_every_boundary(db, board):
    plan_stages(board["project"], board["manager"], count=3)
    planned = services.next_gate(board["project"])
    assert planned.boundary == 0
    assert planned.roles == ("executive", "senior_user")
    gate = services.request_gate(board["project"], report_data(), actor=board["manager"])
    assert gate.roles == ("executive", "senior_user")
    assert gate.authorises_stage.sequence == 1


def test_small_low_criticality_project_has_start_and_close_gates_for_the_executive(
    db, board, make_project
):
    manager = board["manager"]
    project = make_project(
        manager=manager,
        budget_at_completion=Decimal("200000"),
        criticality=1,
        members=[(board["executive"], "executive")],
    )
    project.delivery_method = "stage_gated"
    stages = plan_stages(project, manager, count=3)
    gate = services.request_gate(project, report_data(), actor=manager)
    assert gate.roles == ("executive",)
    services.decide_gate(
        gate, role="executive", decision="approve", comment="", actor=board["executive"]
    )
    # The start gate authorises the whole plan: every stage at once.
    assert [s.status for s in stages] == ["authorised"] * 3
    services.start_stage(stages[0], version=None, actor=manager)
    services.close_stage(stages[0], version=None, actor=manager)
    services.start_stage(stages[1], version=None, actor=manager)
    services.close_stage(stages[1], version=None, actor=manager)
    services.start_stage(stages[2], version=None, actor=manager)
    with pytest.raises(RuleError, match="has a gate"):
        services.close_stage(stages[2], version=None, actor=manager)
    closing = services.next_gate(project)
    assert closing.boundary == 3
    assert closing.title.startswith("Closing gate")


def test_criticality_raises_a_small_project_to_the_full_board(db, board, make_project):
    project = make_project(
        manager=board["manager"],
        budget_at_completion=Decimal("200000"),
        criticality=4,
        members=[(board["executive"], "executive"), (board["senior_user"], "senior_user")],
    )
    project.delivery_method = "stage_gated"
    plan_stages(project, board["manager"])
    assert services.next_gate(project).roles == ("executive", "senior_user", "senior_supplier")
    # Nobody holds Senior Supplier on this project: the request is refused, naming the role.
    with pytest.raises(RuleError, match="The Senior supplier role is not filled"):
        services.request_gate(project, report_data(), actor=board["manager"])
    db.session.rollback()
    assert db.session.scalar(select(func.count(GateReview.id))) == 0


def test_a_gate_needs_stages_and_the_end_stage_report(db, board):
    with pytest.raises(RuleError, match="Plan at least one stage"):
        services.request_gate(board["project"], report_data(), actor=board["manager"])
    plan_stages(board["project"], board["manager"])
    with pytest.raises(RuleError, match="Enter the lessons learned") as error:
        services.request_gate(board["project"], report_data(lessons="  "), actor=board["manager"])
    assert error.value.field == "lessons"


def test_only_one_gate_waits_at_a_time(db, board):
    plan_stages(board["project"], board["manager"])
    services.request_gate(board["project"], report_data(), actor=board["manager"])
    with pytest.raises(RuleError, match="already waiting"):
        services.request_gate(board["project"], report_data(), actor=board["manager"])


# -- deciding -------------------------------------------------------------------------------


def test_approval_with_conditions_authorises_the_next_stage_and_is_audited(db, board):
    first, second = plan_stages(board["project"], board["manager"])
    gate = services.request_gate(board["project"], report_data(), actor=board["manager"])
    services.decide_gate(
        gate, role="executive", decision="approve", comment="", actor=board["executive"]
    )
    assert gate.status == "pending"
    assert first.status == "planned"
    services.decide_gate(
        gate,
        role="senior_user",
        decision="approve_with_conditions",
        comment="Test with residents first",
        actor=board["senior_user"],
    )
    assert gate.status == "approved_with_conditions"
    assert gate.conditions == "Senior user: Test with residents first"
    assert gate.resolved_at is not None
    assert first.status == "authorised" and second.status == "planned"
    services.start_stage(first, version=None, actor=board["manager"])
    db.session.commit()
    end_of_first = services.request_gate(board["project"], report_data(), actor=board["manager"])
    assert end_of_first.boundary == 1
    for role in ("executive", "senior_user"):
        services.decide_gate(
            end_of_first, role=role, decision="approve", comment="", actor=board[role]
        )
    assert first.status == "closed"
    assert second.status == "authorised"
    actions = _actions(db, board["project"])
    assert actions.count("gate.requested") == 2
    assert actions.count("gate.decided") == 4
    assert actions.count("gate.resolved") == 2


def test_decisions_need_conditions_or_a_reason(db, board):
    plan_stages(board["project"], board["manager"])
    gate = services.request_gate(board["project"], report_data(), actor=board["manager"])
    with pytest.raises(RuleError, match="Enter the conditions"):
        services.decide_gate(
            gate,
            role="executive",
            decision="approve_with_conditions",
            comment=" ",
            actor=board["executive"],
        )
    with pytest.raises(RuleError, match="Enter the reason for rejecting"):
        services.decide_gate(
            gate, role="executive", decision="reject", comment="", actor=board["executive"]
        )


def test_executive_rejection_stops_the_gate_and_a_new_round_can_follow(db, board):
    first, _ = plan_stages(board["project"], board["manager"])
    gate = services.request_gate(board["project"], report_data(), actor=board["manager"])
    services.decide_gate(
        gate, role="executive", decision="reject", comment="No budget", actor=board["executive"]
    )
    assert gate.status == "rejected"
    assert first.status == "planned"
    db.session.commit()
    second_round = services.request_gate(board["project"], report_data(), actor=board["manager"])
    assert (second_round.boundary, second_round.round) == (0, 2)
    assert services.gate_title(second_round).endswith("(round 2)")
    assert db.session.scalar(select(func.count(GateReview.id))) == 2


def test_the_same_role_cannot_decide_twice(db, board):
    plan_stages(board["project"], board["manager"])
    gate = services.request_gate(board["project"], report_data(), actor=board["manager"])
    services.decide_gate(
        gate, role="executive", decision="approve", comment="", actor=board["executive"]
    )
    db.session.commit()
    with pytest.raises(RuleError, match="Executive has already decided this gate"):
        services.decide_gate(
            gate,
            role="executive",
            decision="reject",
            comment="Changed mind",
            actor=board["executive"],
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count(GateDecision.id))) == 1
    assert gate.status == "pending"


def test_the_unique_constraint_backs_the_one_decision_per_role_rule(db, board):
    plan_stages(board["project"], board["manager"])
    gate = services.request_gate(board["project"], report_data(), actor=board["manager"])
    db.session.commit()
    # A stale decision slipping past the service's check still meets the constraint.
    for _ in range(2):
        db.session.add(
            GateDecision(
                gate_id=gate.id,
                role="executive",
                decided_by_id=board["executive"].id,
                decision="approve",
            )
        )
    with pytest.raises(IntegrityError, match=r"(?i)unique"):
        db.session.flush()
    db.session.rollback()


def test_deciding_a_resolved_gate_is_refused(db, board):
    plan_stages(board["project"], board["manager"])
    gate = services.request_gate(board["project"], report_data(), actor=board["manager"])
    services.decide_gate(
        gate, role="executive", decision="reject", comment="Not yet", actor=board["executive"]
    )
    db.session.commit()
    with pytest.raises(RuleError, match="already been decided \\(rejected\\)"):
        services.decide_gate(
            gate, role="senior_user", decision="approve", comment="", actor=board["senior_user"]
        )


def test_only_a_holder_of_a_required_role_decides(db, board):
    plan_stages(board["project"], board["manager"])
    gate = services.request_gate(board["project"], report_data(), actor=board["manager"])
    with pytest.raises(RuleError, match="do not hold the Executive role"):
        services.decide_gate(
            gate, role="executive", decision="approve", comment="", actor=board["senior_user"]
        )
    with pytest.raises(RuleError, match="Choose the board role"):
        services.decide_gate(
            gate,
            role="senior_supplier",
            decision="approve",
            comment="",
            actor=board["senior_supplier"],
        )


def test_the_executive_closes_the_project_early(db, board):
    first, second = plan_stages(board["project"], board["manager"])
    _approve_start(db, board)
    services.start_stage(first, version=None, actor=board["manager"])
    gate = services.request_gate(board["project"], report_data(), actor=board["manager"])
    with pytest.raises(RuleError, match="Only the project's Executive"):
        services.close_project_early(
            board["project"], reason="x", actor=board["senior_user"], gate=gate
        )
    services.close_project_early(
        board["project"], reason="Funding withdrawn", actor=board["executive"], gate=gate
    )
    assert board["project"].status == "closed_early"
    assert {first.status, second.status} == {"closed"}
    assert gate.status == "closed_early"
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "project.closed_early")
    ).one()
    assert "Funding withdrawn" in entry.summary
    with pytest.raises(RuleError, match="This project is closed"):
        services.create_stage(board["project"], stage_data(), actor=board["manager"])


def test_the_closing_gate_closes_the_project(db, board):
    (only,) = plan_stages(board["project"], board["manager"], count=1)
    _approve_start(db, board)
    services.start_stage(only, version=None, actor=board["manager"])
    closing = _approve_start(db, board)
    assert closing.boundary == 1
    assert only.status == "closed"
    assert board["project"].status == "closed"


# -- forecasts and exceptions ---------------------------------------------------------------


def _late(db, board):
    first, second = plan_stages(board["project"], board["manager"], gap=30)
    _approve_start(db, board)
    services.start_stage(first, version=None, actor=board["manager"])
    breaches = services.record_forecast(
        first,
        finish=first.planned_finish + timedelta(days=11),
        cost=first.planned_budget,
        targets={name: "met" for name in ("scope", "quality", "risk", "benefit", "sustainability")},
        version=None,
        actor=board["manager"],
    )
    return first, second, breaches


def _exception(**overrides):
    options = [
        services.OptionData("Add a team", "+£5,000", "On time", "Low"),
        services.OptionData("Accept the delay", "None", "+11 days", "Medium"),
        services.OptionData("", "", "", ""),
    ]
    data = {
        "cause": "Supplier late",
        "consequences": "Launch slips",
        "options": options,
        "recommended_option": 1,
        "recommendation": "Add a team",
    }
    data.update(overrides)
    return services.ExceptionData(**data)


def test_a_forecast_within_tolerance_keeps_the_stage_active(db, board):
    first, _ = plan_stages(board["project"], board["manager"])
    _approve_start(db, board)
    services.start_stage(first, version=None, actor=board["manager"])
    breaches = services.record_forecast(
        first,
        finish=first.planned_finish + timedelta(days=10),
        cost=first.planned_budget,
        targets={name: "met" for name in ("scope", "quality", "risk", "benefit", "sustainability")},
        version=None,
        actor=board["manager"],
    )
    assert breaches == []
    assert first.status == "active"


def test_a_late_forecast_puts_the_stage_in_exception_and_the_board_approves_an_option(db, board):
    first, _, breaches = _late(db, board)
    assert [b.dimension.value for b in breaches] == ["time"]
    assert first.status == "in_exception"
    with pytest.raises(RuleError, match="is in exception"):
        services.next_gate(board["project"])
    report = services.raise_exception(first, _exception(), actor=board["manager"])
    assert [o.number for o in report.options] == [1, 2]
    assert "11 days late" in report.breaches
    assert report.roles == ("executive", "senior_user")
    with pytest.raises(RuleError, match="already has an exception report"):
        services.raise_exception(first, _exception(), actor=board["manager"])
    with pytest.raises(RuleError, match="Only the board members"):
        _decide(report, board["team"], "approve_option", option=1)
    _decide(report, board["senior_user"], "approve_option", option=1)
    # The rule: every required role approves; one decision alone settles nothing.
    assert report.status == "open"
    assert first.status == "in_exception"
    assert services.exception_outcome(report).awaiting == ("executive",)
    with pytest.raises(RuleError, match="already decided this round"):
        _decide(report, board["senior_user"], "approve_option", option=1)
    _decide(report, board["executive"], "approve_option", option=1)
    assert report.status == "decided"
    assert report.chosen_option == 1
    assert report.decided_role == "executive"
    assert first.status == "active"
    with pytest.raises(RuleError, match="already been decided"):
        _decide(report, board["executive"], "approve_option", option=2)
    assert {"exception.raised", "exception.decided", "stage.forecast"} <= set(
        _actions(db, board["project"])
    )


def test_an_exception_plan_replaces_the_stage_plan_when_approved(db, board):
    first, _, _ = _late(db, board)
    report = services.raise_exception(first, _exception(), actor=board["manager"])
    with pytest.raises(RuleError, match="Say what the exception plan must cover"):
        _decide(report, board["executive"], "request_exception_plan")
    _decide(report, board["executive"], "request_exception_plan", comment="Re-plan the build")
    assert report.status == "plan_requested"
    assert first.status == "in_exception"
    new_finish = first.planned_finish + timedelta(days=11)
    with pytest.raises(RuleError, match="over the project budget"):
        services.submit_exception_plan(
            report,
            finish=new_finish,
            budget=Decimal("2000000"),
            summary="More",
            version=None,
            actor=board["manager"],
        )
    services.submit_exception_plan(
        report,
        finish=new_finish,
        budget=Decimal("12000"),
        summary="Two more weeks",
        version=None,
        actor=board["manager"],
    )
    _decide(report, board["executive"], "approve_exception_plan")
    assert report.status == "plan_submitted"  # the Senior User decides the plan too
    _decide(report, board["senior_user"], "approve_exception_plan")
    assert first.planned_finish == new_finish
    assert first.planned_budget == Decimal("12000")
    assert first.status == "active"
    assert report.status == "decided"


def test_the_board_may_close_the_project_on_an_exception(db, board):
    first, second, _ = _late(db, board)
    report = services.raise_exception(first, _exception(), actor=board["manager"])
    db.session.commit()
    with pytest.raises(RuleError, match="Only the project's Executive"):
        _decide(report, board["senior_user"], "close_project", comment="Stop")
    db.session.rollback()
    _decide(report, board["executive"], "close_project", comment="Stop now")
    assert board["project"].status == "closed_early"
    assert first.status == second.status == "closed"
    assert report.decision == "close_project"


def test_an_exception_report_needs_the_stage_in_exception_and_options(db, board):
    first, _ = plan_stages(board["project"], board["manager"])
    with pytest.raises(RuleError, match="is not in exception"):
        services.raise_exception(first, _exception(), actor=board["manager"])


def test_exception_option_parts_are_all_required(db, board):
    first, _, _ = _late(db, board)
    bad = _exception(options=[services.OptionData("Add a team", "", "On time", "Low")])
    with pytest.raises(RuleError, match="Enter option 1's effect on cost") as error:
        services.raise_exception(first, bad, actor=board["manager"])
    assert error.value.field == "option_1_cost_effect"
    none = _exception(options=[services.OptionData("", "", "", "")])
    with pytest.raises(RuleError, match="Describe at least one option"):
        services.raise_exception(first, none, actor=board["manager"])
    db.session.rollback()
    assert db.session.scalar(select(func.count(ExceptionReport.id))) == 0
