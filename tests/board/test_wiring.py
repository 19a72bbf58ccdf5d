"""The board's place among the domains: the events it answers (docs/architecture.md), its
status enums against their CHECK constraints, its scheduled job."""

from __future__ import annotations

import re

import pytest

from tracker.board import subscribers
from tracker.board.models import ConfidenceAssessment, GateCondition
from tracker.board.rules import ConditionStatus, DcaRating
from tracker.business_cases import subscribers as case_subscribers
from tracker.core import events
from tracker.lessons import subscribers as lesson_subscribers
from tracker.methods import subscribers as method_subscribers
from tracker.scheduler import registry

pytestmark = pytest.mark.one_engine


def test_the_board_answers_the_events_the_architecture_page_lists():
    assert events.receivers_of(events.gate_request_blockers) == [subscribers.open_conditions]
    assert events.receivers_of(events.my_work_sections) == [subscribers.my_conditions]
    assert events.receivers_of(events.gate_conditions_given) == [subscribers.conditions_as_actions]
    # The business case version freezes first (it may refuse the request), then the pack.
    assert events.receivers_of(events.gate_requested) == [
        case_subscribers.freeze_at_request,
        subscribers.pack_at_request,
    ]
    # The pack freezes first; a switch of method proposed with the gate is decided after.
    assert events.receivers_of(events.gate_resolved) == [
        subscribers.pack_at_resolve,
        method_subscribers.switch_at_gate,
        lesson_subscribers.lessons_at_gate,
    ]
    with open("docs/architecture.md", encoding="utf-8") as page:
        text = page.read()
    for name in (
        "open_conditions",
        "my_conditions",
        "conditions_as_actions",
        "pack_at_request",
        "pack_at_resolve",
    ):
        assert f"board.subscribers.{name}" in text


@pytest.mark.parametrize(
    ("model", "column", "enum"),
    [(GateCondition, "status", ConditionStatus), (ConfidenceAssessment, "rating", DcaRating)],
)
def test_each_enum_is_what_its_column_allows(model, column, enum):
    checks = [
        str(c.sqltext)
        for c in model.__table__.constraints
        if f"{column} IN (" in str(getattr(c, "sqltext", ""))
    ]
    (check,) = checks
    assert set(re.findall(r"'([a-z_]+)'", check)) == {member.value for member in enum}


def test_the_condition_reminder_is_a_daily_job_with_a_title():
    job = registry.find("condition_reminders")
    assert job is not None and job[1] == "tracker.board.tasks:remind_overdue_conditions"
    assert "condition_reminders" in registry.JOB_TITLES
