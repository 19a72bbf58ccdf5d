"""Who may decide a release gate (the segregation of duties: the requester never does)."""

from __future__ import annotations

from tracker.projects import access
from tracker.releases.models import Release
from tracker.releases.rules import ReleaseStatus


def undecided_roles(user, release: Release) -> list[str]:
    held = access.project_roles(user, release.project_id)
    if any(d.decided_by_id == user.id for d in release.decisions):
        return []
    decided = {d.role for d in release.decisions}
    return [r for r in release.roles if r in held and r not in decided]


def decision_refusal(user, release: Release) -> str | None:
    held = access.project_roles(user, release.project_id) & set(release.roles)
    if not held:
        return "Only the board members this release gate was requested from can decide it."
    if release.requested_by_id == user.id:
        return (
            "You requested this release, so you cannot decide its gate: whoever asks for a "
            "decision never takes it."
        )
    if release.status != ReleaseStatus.PENDING:
        return "This release gate has been decided."
    if not undecided_roles(user, release):
        return "You have already decided this release."
    return None
