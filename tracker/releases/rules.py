"""Pure rules of release gates: a release of agile or hybrid work goes live only once the
board roles its framework names have approved it (where the tailoring asks for a release
gate at all). No Flask, no database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

from tracker.frameworks.rules import Verdict, verdict


class ReleaseStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    LIVE = "live"


RELEASE_STATUSES = {
    ReleaseStatus.PENDING: "Waiting for the release gate",
    ReleaseStatus.APPROVED: "Approved to go live",
    ReleaseStatus.REJECTED: "Not approved",
    ReleaseStatus.LIVE: "Live",
}


class ReleaseVote(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


RELEASE_VOTES = {ReleaseVote.APPROVE: "Approve the release", ReleaseVote.REJECT: "Reject it"}

RELEASED_METHODS = ("agile", "hybrid")


def outcome(required_roles: Sequence[str], votes: Mapping[str, str]) -> ReleaseStatus:
    """A rejection by any required role rejects the release; approval by all approves it.
    With no required role (a level whose tailoring has no release gate) it is approved."""
    approvals = {role: vote == ReleaseVote.APPROVE for role, vote in votes.items()}
    return _STATUS[verdict(required_roles, approvals)]


_STATUS = {
    Verdict.PENDING: ReleaseStatus.PENDING,
    Verdict.APPROVED: ReleaseStatus.APPROVED,
    Verdict.REJECTED: ReleaseStatus.REJECTED,
}


def live_problem(status: ReleaseStatus | str) -> str | None:
    """Why a release cannot go live, or None: only once its gate has approved it."""
    status = ReleaseStatus(status)
    if status is ReleaseStatus.APPROVED:
        return None
    if status is ReleaseStatus.LIVE:
        return "The release is already live."
    if status is ReleaseStatus.PENDING:
        return "The release gate has not decided yet: a release goes live once it is approved."
    return "The release gate rejected this release: request a new release once it is fixed."
