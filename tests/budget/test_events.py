"""Domain events (``tracker.core.events``): subscribers run in their stated order, inside
the sender's transaction, so a refusal in one rolls the whole change back."""

from __future__ import annotations

import pytest
from blinker import Namespace
from sqlalchemy import func, select

from tests.stages.helpers import report_data
from tracker.agile import subscribers as agile_subscribers
from tracker.audit.models import AuditEntry
from tracker.budget import services
from tracker.budget import subscribers as budget_subscribers
from tracker.budget.models import Checkpoint
from tracker.core import events
from tracker.core.errors import RuleError
from tracker.frameworks import subscribers as framework_subscribers
from tracker.lessons import subscribers as lesson_subscribers
from tracker.notifications import subscribers as notification_subscribers
from tracker.orgs import subscribers as org_subscribers
from tracker.phases import subscribers as phase_subscribers
from tracker.portfolio import subscribers as portfolio_subscribers
from tracker.projects import subscribers as project_subscribers
from tracker.stages import services as stages
from tracker.stages import subscribers as stage_subscribers
from tracker.stages.models import GateReview


def test_receivers_are_called_in_their_stated_order_not_the_order_they_subscribed():
    signal = Namespace().signal("test-order")
    calls: list[str] = []

    def late(sender, **kwargs):
        calls.append("late")
        return "late"

    def early(sender, **kwargs):
        calls.append(f"early:{sender}:{kwargs['n']}")
        return "early"

    def also_early(sender, **kwargs):
        calls.append("also early")
        return "also early"

    with (
        events.subscribed(signal, late, order=20),
        events.subscribed(signal, early, order=10),
        events.subscribed(signal, also_early, order=10),
    ):
        events.connect(signal, early, order=10)  # subscribing again changes nothing
        assert events.receivers_of(signal) == [early, also_early, late]
        assert events.send(signal, "s", n=1) == ["early", "also early", "late"]
    assert calls == ["early:s:1", "also early", "late"]
    assert events.receivers_of(signal) == []
    assert events.send(signal, "s", n=2) == []


def test_a_refusing_receiver_stops_the_later_ones_and_reaches_the_sender():
    signal = Namespace().signal("test-refusal")
    calls: list[str] = []

    def refuse(sender):
        calls.append("refuse")
        raise RuleError("Not now")

    def later(sender):
        calls.append("later")

    with (
        events.subscribed(signal, refuse, order=1),
        events.subscribed(signal, later, order=2),
        pytest.raises(RuleError, match="Not now"),
    ):
        events.send(signal)
    assert calls == ["refuse"]


def test_each_event_has_the_documented_subscribers(app):
    """docs/architecture.md lists these; a new subscriber must be listed there too."""
    assert events.receivers_of(events.gate_approved) == [budget_subscribers.checkpoint_at_gate]
    assert events.receivers_of(events.iteration_closed) == [
        budget_subscribers.checkpoint_at_iteration_close,
        phase_subscribers.spending_at_iteration_close,
        lesson_subscribers.lessons_at_iteration_close,
    ]
    assert events.receivers_of(events.checkpoints_taken) == [
        portfolio_subscribers.refresh_after_checkpoints
    ]
    assert events.receivers_of(events.gate_evidence) == [agile_subscribers.iterations_in_stage]
    assert events.receivers_of(events.job_log_sections) == [notification_subscribers.email_outbox]
    assert events.receivers_of(events.organisation_columns) == [project_subscribers.project_counts]
    assert events.receivers_of(events.governance_breaches) == [agile_subscribers.project_lifecycle]
    assert events.receivers_of(events.organisation_named) == [org_subscribers.organisation_named]
    assert events.receivers_of(events.organisation_choices) == [
        org_subscribers.organisation_choices
    ]
    assert events.receivers_of(events.closure_blockers) == [
        budget_subscribers.budget_exception_waiting
    ]
    assert events.receivers_of(events.project_created) == [
        framework_subscribers.start_on_default_framework
    ]
    assert events.receivers_of(events.framework_move_blockers) == [stage_subscribers.gate_waiting]


def _checkpoints(db, gate) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Checkpoint).where(Checkpoint.gate_id == gate.id)
    )


def _baselined_gate(db, staged):
    project, manager = staged["project"], staged["manager"]
    services.set_baseline(project, services.BaselineData(""), actor=manager)
    gate = stages.request_gate(project, report_data(), actor=manager)
    db.session.commit()
    return gate


def _approve(staged, gate):
    stages.decide_gate(
        gate, role="executive", decision="approve", comment="", actor=staged["executive"]
    )


def test_gate_subscribers_run_in_order_inside_the_approving_transaction(db, staged):
    gate = _baselined_gate(db, staged)
    seen: list[tuple[str, str, int]] = []

    def before_budget(sender, *, actor):
        seen.append(("before", sender.status, _checkpoints(db, sender)))

    def after_budget(sender, *, actor):
        assert actor is staged["executive"]
        seen.append(("after", sender.status, _checkpoints(db, sender)))

    with (
        events.subscribed(events.gate_approved, after_budget, order=20),
        events.subscribed(events.gate_approved, before_budget, order=5),
    ):
        _approve(staged, gate)
    # Both saw the approval before it was committed; only the later one saw budget's
    # checkpoint, flushed in the same transaction.
    assert seen == [("before", "approved", 0), ("after", "approved", 1)]
    db.session.commit()
    assert _checkpoints(db, gate) == 1


def test_a_refusal_in_a_subscriber_rolls_the_whole_approval_back(db, staged):
    gate = _baselined_gate(db, staged)
    gate_id, stage_statuses = gate.id, [s.status for s in staged["stages"]]
    audits_before = db.session.scalar(select(func.count()).select_from(AuditEntry))

    def refuse(sender, *, actor):
        # Budget's checkpoint was taken in this transaction before the refusal.
        assert _checkpoints(db, sender) == 1
        raise RuleError("The board's budget check refused the approval")

    with (
        events.subscribed(events.gate_approved, refuse, order=20),
        pytest.raises(RuleError, match="budget check refused"),
    ):
        _approve(staged, gate)
    db.session.rollback()

    gate = db.session.get(GateReview, gate_id)
    assert gate.status == "pending"
    assert gate.decisions == []
    assert _checkpoints(db, gate) == 0
    assert [s.status for s in staged["stages"]] == stage_statuses
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audits_before
