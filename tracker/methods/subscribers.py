"""What methods does when other domains announce something (``tracker.core.events``): a
switch of method proposed at a boundary is decided with the decision it rides on."""

from __future__ import annotations

from tracker.core import events
from tracker.methods import switches
from tracker.methods.switching import BoundaryKind

APPROVED_GATE = ("approved", "approved_with_conditions")
"""The gate statuses that approve (stages' ``GateStatus``; methods does not import stages)."""


@events.subscribe(events.gate_resolved, order=20)
def switch_at_gate(gate, *, actor) -> None:
    """After the board's pack is frozen: the switch goes with the gate's decision."""
    switches.settle_at(
        BoundaryKind.GATE, gate.id, approved=gate.status in APPROVED_GATE, actor=actor
    )


@events.subscribe(events.assessment_resolved, order=10)
def switch_at_assessment(assessment, *, actor) -> None:
    switches.settle_at(
        BoundaryKind.ASSESSMENT,
        assessment.id,
        approved=assessment.status == "passed",
        actor=actor,
    )


@events.subscribe(events.gate_notices, order=10)
def switch_with_gate(gate) -> dict | None:
    """The board reads a switch proposed with the gate before deciding both."""
    switch = switches.proposed_at(BoundaryKind.GATE, gate.id)
    if switch is None:
        return None
    return switches.notice(switch)
