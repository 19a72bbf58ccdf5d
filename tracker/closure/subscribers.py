"""What closure lists for the people who decide (``frameworks.decisions.waits``)."""

from __future__ import annotations

from tracker.closure.models import ClosureDecision, EndProjectReport
from tracker.closure.rules import ClosureStatus
from tracker.frameworks import decisions


@decisions.waits(
    "closing_gates",
    "closing gate to decide",
    "closing gates to decide",
    endpoint="closure.show_closure",
    id_name=None,
)
def closing_gates_to_decide(user):
    """Closing gates (an end-project report) waiting for a board role this person holds."""
    return decisions.waiting_on(
        user,
        EndProjectReport,
        ClosureDecision,
        vote_key=ClosureDecision.report_id,
        requested_by=EndProjectReport.submitted_by_id,
        requested_at=EndProjectReport.submitted_at,
        pending=ClosureStatus.PENDING,
        label=EndProjectReport.gate_name,
    )
