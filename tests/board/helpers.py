"""Builders for the board's tests: a gate approved with conditions set as actions."""

from __future__ import annotations

from datetime import timedelta

from tests.stages.helpers import plan_stages, report_data
from tracker.board import services
from tracker.core.dates import uk_today
from tracker.extensions import db
from tracker.stages import services as stages


def conditions_for(owner, *texts, days=14) -> list[services.ConditionData]:
    return [
        services.ConditionData(text=text, owner_id=owner.id, due_on=uk_today() + timedelta(days))
        for text in texts
    ]


def approved_with_conditions(board, *texts, owner=None):
    """Plan two stages, request the start gate and approve it: the Executive plainly, the
    Senior User with ``texts`` as conditions owned by ``owner`` (the manager by default)."""
    project = board["project"]
    first, second = plan_stages(project, board["manager"])
    gate = stages.request_gate(project, report_data(), actor=board["manager"])
    stages.decide_gate(
        gate, role="executive", decision="approve", comment="", actor=board["executive"]
    )
    services.decide_gate(
        gate,
        role="senior_user",
        decision="approve_with_conditions",
        comment="",
        conditions=conditions_for(owner or board["manager"], *(texts or ("Run a workshop",))),
        actor=board["senior_user"],
    )
    db.session.commit()
    return gate, first, second
