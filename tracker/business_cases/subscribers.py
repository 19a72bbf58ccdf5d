"""What the business case does when stages announces or asks (``tracker.core.events``).

Business cases sit above stages (a version is frozen for a gate), so the gate pages cannot
import them: they ask for sections, and this domain answers.
"""

from __future__ import annotations

from tracker.business_cases import queries, services
from tracker.core import events


@events.subscribe(events.gate_requested, order=5)
def freeze_at_request(gate, *, actor) -> None:
    """Freeze the draft version for the gate just requested (before the board's pack)."""
    services.freeze_for_gate(gate, actor=actor)


@events.subscribe(events.gate_sections, order=10)
def case_at_gate(gate) -> dict | None:
    """The business case at this gate: the version due, the one frozen, what changed."""
    found = queries.at_gate(gate)
    if found.due is None and found.version is None:
        return None
    return {"template": "business_cases/_at_gate.html", "case": found, "gate": gate}
