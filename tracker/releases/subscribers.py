"""What releases lists for the people who decide (``frameworks.decisions.waits``)."""

from __future__ import annotations

from tracker.frameworks import decisions
from tracker.releases.models import Release, ReleaseDecision
from tracker.releases.rules import ReleaseStatus


@decisions.waits(
    "release_gates",
    "release gate to decide",
    "release gates to decide",
    endpoint="releases.show_release",
    id_name="release_id",
)
def release_gates_to_decide(user):
    """Release gates waiting for a board role this person holds."""
    return decisions.waiting_on(
        user,
        Release,
        ReleaseDecision,
        vote_key=ReleaseDecision.release_id,
        requested_by=Release.requested_by_id,
        requested_at=Release.requested_at,
        pending=ReleaseStatus.PENDING,
        label=Release.gate_name + ": " + Release.name,
    )
