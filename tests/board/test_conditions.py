"""Conditions of an approval are actions: an owner, a due date, a status; met with evidence
or waived by the board; the next gate waits for them; overdue ones are reminded once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.board.helpers import approved_with_conditions, conditions_for
from tests.stages.helpers import plan_stages, report_data
from tracker.audit.models import AuditEntry
from tracker.board import queries, services, tasks
from tracker.board.models import GateCondition
from tracker.core.dates import uk_today
from tracker.core.errors import RuleError
from tracker.notifications.models import Notification
from tracker.stages import services as stages
from tracker.stages.models import GateDecision

EVIDENCE = "Two workshops held; the notes are in the stage file."


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _actions(db, project) -> list[str]:
    return list(
        db.session.scalars(select(AuditEntry.action).where(AuditEntry.project_id == project.id))
    )


def test_each_condition_becomes_an_action_and_is_audited(db, board):
    gate, first, _ = approved_with_conditions(
        board, "Run a workshop with providers", "Publish the data plan", owner=board["team"]
    )
    assert gate.status == "approved_with_conditions"
    assert first.status == "authorised"
    conditions = queries.gate_conditions(gate.id)
    assert [c.text for c in conditions] == [
        "Run a workshop with providers",
        "Publish the data plan",
    ]
    assert {c.owner_id for c in conditions} == {board["team"].id}
    assert {c.status for c in conditions} == {"open"}
    assert {c.set_by_role for c in conditions} == {"senior_user"}
    assert _actions(db, board["project"]).count("condition.set") == 2
    # The gate keeps the conditions in words too, as before.
    assert "Run a workshop with providers" in gate.conditions


def test_the_next_gate_waits_until_each_condition_is_met_with_evidence(db, board):
    gate, first, _ = approved_with_conditions(board, "Run a workshop")
    stages.start_stage(first, version=None, actor=board["manager"])
    db.session.commit()
    with pytest.raises(RuleError, match=r"1 condition of Start gate.*is still open"):
        stages.request_gate(board["project"], report_data(), actor=board["manager"])
    (condition,) = queries.gate_conditions(gate.id)
    services.settle_condition(
        condition, status="met", explanation=EVIDENCE, version=None, actor=board["manager"]
    )
    db.session.commit()
    assert condition.status == "met" and condition.resolved_by_id == board["manager"].id
    following = stages.request_gate(board["project"], report_data(), actor=board["manager"])
    assert following.boundary == 1
    assert "condition.met" in _actions(db, board["project"])


def test_a_condition_waived_by_the_board_with_a_reason_no_longer_blocks(db, board):
    gate, first, _ = approved_with_conditions(board, "Run a workshop")
    (condition,) = queries.gate_conditions(gate.id)
    services.settle_condition(
        condition,
        status="waived",
        explanation="The providers' forum replaced the workshop.",
        version=None,
        actor=board["executive"],
    )
    db.session.commit()
    stages.start_stage(first, version=None, actor=board["manager"])
    assert stages.request_gate(board["project"], report_data(), actor=board["manager"])


def test_met_without_evidence_or_waived_by_someone_not_on_the_board_is_refused(db, board):
    gate, _, _ = approved_with_conditions(board, "Run a workshop")
    (condition,) = queries.gate_conditions(gate.id)
    with pytest.raises(RuleError, match="Give the evidence"):
        services.settle_condition(
            condition, status="met", explanation="  ", version=None, actor=board["manager"]
        )
    with pytest.raises(RuleError, match="Only a member of the project board may waive"):
        services.settle_condition(
            condition, status="waived", explanation=EVIDENCE, version=None, actor=board["manager"]
        )
    with pytest.raises(RuleError, match="owner, the project manager or the board"):
        services.settle_condition(
            condition, status="met", explanation=EVIDENCE, version=None, actor=board["outsider"]
        )
    db.session.refresh(condition)
    assert condition.status == "open" and condition.explanation is None


def test_a_stale_version_is_refused(db, board):
    from sqlalchemy.orm.exc import StaleDataError

    from tracker.core.errors import StaleEdit

    gate, _, _ = approved_with_conditions(board, "Run a workshop")
    (condition,) = queries.gate_conditions(gate.id)
    with pytest.raises((StaleEdit, StaleDataError)):
        services.settle_condition(
            condition,
            status="met",
            explanation=EVIDENCE,
            version=condition.version + 1,
            actor=board["manager"],
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"owner_id": None}, "Condition 1: choose an owner"),
        ({"due_on": uk_today() - timedelta(days=1)}, "Condition 1: the due date cannot be"),
        ({"due_on": None}, "Condition 1: enter the date"),
    ],
)
def test_a_bad_condition_refuses_the_whole_decision(db, board, change, message):
    project = board["project"]
    plan_stages(project, board["manager"])
    gate = stages.request_gate(project, report_data(), actor=board["manager"])
    db.session.commit()
    (condition,) = conditions_for(board["manager"], "Run a workshop")
    bad = services.ConditionData(**{**condition.__dict__, **change})
    with pytest.raises(RuleError, match=message):
        services.decide_gate(
            gate,
            role="executive",
            decision="approve_with_conditions",
            comment="",
            conditions=[bad],
            actor=board["executive"],
        )
    db.session.rollback()
    assert _count(db, GateDecision, GateDecision.gate_id == gate.id) == 0
    assert _count(db, GateCondition, GateCondition.gate_id == gate.id) == 0


def test_an_owner_from_outside_the_team_is_refused(db, board):
    project = board["project"]
    plan_stages(project, board["manager"])
    gate = stages.request_gate(project, report_data(), actor=board["manager"])
    with pytest.raises(RuleError, match="owner from the project's team"):
        services.decide_gate(
            gate,
            role="executive",
            decision="approve_with_conditions",
            comment="",
            conditions=conditions_for(board["outsider"], "Run a workshop"),
            actor=board["executive"],
        )


def test_the_requester_of_a_gate_cannot_set_its_conditions(db, board):
    """Segregation of duties holds on the board's decision page as on the gate page."""
    project = board["project"]
    plan_stages(project, board["manager"])
    gate = stages.request_gate(project, report_data(), actor=board["executive"])
    db.session.commit()
    with pytest.raises(RuleError, match="You requested this gate"):
        services.decide_gate(
            gate,
            role="executive",
            decision="approve_with_conditions",
            comment="",
            conditions=conditions_for(board["manager"], "Run a workshop"),
            actor=board["executive"],
        )


def test_conditions_of_a_rejected_gate_bind_nobody(db, board):
    project = board["project"]
    plan_stages(project, board["manager"])
    gate = stages.request_gate(project, report_data(), actor=board["manager"])
    services.decide_gate(
        gate,
        role="executive",
        decision="approve_with_conditions",
        comment="",
        conditions=conditions_for(board["team"], "Run a workshop"),
        actor=board["executive"],
    )
    stages.decide_gate(
        gate, role="senior_user", decision="reject", comment="No plan", actor=board["senior_user"]
    )
    db.session.commit()
    assert gate.status == "rejected"
    assert queries.my_conditions(board["team"].id) == []
    assert stages.request_gate(project, report_data(), actor=board["manager"]).round == 2


def test_overdue_conditions_are_reminded_once_to_the_owner_and_the_board(db, board):
    gate, _, _ = approved_with_conditions(board, "Run a workshop", owner=board["team"])
    (condition,) = queries.gate_conditions(gate.id)
    later = condition.due_on + timedelta(days=1)
    assert tasks.remind_overdue_conditions(condition.due_on) == 0
    assert tasks.remind_overdue_conditions(later) == 1
    assert tasks.remind_overdue_conditions(later) == 0
    assert tasks.remind_overdue_conditions(later + timedelta(days=7)) == 0
    told = set(
        db.session.scalars(
            select(Notification.user_id).where(Notification.kind == "condition_overdue")
        )
    )
    assert told == {
        board["team"].id,
        board["executive"].id,
        board["senior_user"].id,
        board["senior_supplier"].id,
    }
    assert _count(db, Notification, Notification.kind == "condition_overdue") == 4


def test_a_met_condition_is_never_reminded(db, board):
    gate, _, _ = approved_with_conditions(board, "Run a workshop")
    (condition,) = queries.gate_conditions(gate.id)
    services.settle_condition(
        condition, status="met", explanation=EVIDENCE, version=None, actor=board["manager"]
    )
    db.session.commit()
    assert tasks.remind_overdue_conditions(condition.due_on + timedelta(days=2)) == 0


def test_open_and_overdue_conditions_by_method(db, board):
    gate, _, _ = approved_with_conditions(board, "Run a workshop", "Publish the plan")
    due = queries.gate_conditions(gate.id)[0].due_on
    assert queries.conditions_by_method(due) == [{"method": "stage_gated", "open": 2, "overdue": 0}]
    assert queries.conditions_by_method(due + timedelta(days=1)) == [
        {"method": "stage_gated", "open": 2, "overdue": 2}
    ]
