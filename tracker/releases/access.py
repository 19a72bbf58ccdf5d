"""Who may decide a release gate (the segregation of duties: the requester never does).
The checks are the shared decision of a template's roles (``frameworks.decisions``)."""

from __future__ import annotations

from tracker.frameworks import decisions
from tracker.releases.models import Release
from tracker.releases.rules import ReleaseStatus

WORDING = decisions.Wording(
    not_asked="Only the board members this release gate was requested from can decide it.",
    own_request=(
        "You requested this release, so you cannot decide its gate: whoever asks for a "
        "decision never takes it."
    ),
    decided="This release gate has been decided.",
    already="You have already decided this release.",
    role_taken="The {role} has already decided this release.",
)


def undecided_roles(user, release: Release) -> list[str]:
    return decisions.undecided_roles(user, release)


def decision_refusal(user, release: Release) -> str | None:
    return decisions.refusal(
        user,
        release,
        requested_by_id=release.requested_by_id,
        pending=ReleaseStatus.PENDING,
        wording=WORDING,
    )


def check_decider(user, release: Release, role: str) -> None:
    decisions.check_decider(
        user,
        release,
        role,
        requested_by_id=release.requested_by_id,
        pending=ReleaseStatus.PENDING,
        wording=WORDING,
    )
