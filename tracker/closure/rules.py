"""Pure rules of closure through an end-project report: what a complete report holds, and
how the board's closing gate resolves. No Flask, no database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

from tracker.frameworks.rules import Verdict, verdict

# The report's sections, in order: (field, label).
SECTIONS = (
    ("delivered_vs_business_case", "What was delivered against the business case"),
    ("time_performance", "Time: performance against the target"),
    ("cost_performance", "Cost: performance against the target"),
    ("scope_performance", "Scope: performance against the target"),
    ("quality_performance", "Quality: performance against the target"),
    ("risk_performance", "Risk: performance against the target"),
    ("benefit_performance", "Benefits: performance against the target"),
    ("sustainability_performance", "Sustainability: performance against the target"),
    ("lessons", "Lessons"),
    ("handover", "Handover to the people who run it"),
    ("follow_on_actions", "Follow-on actions"),
    ("benefits_to_review", "Benefits to be reviewed, and when"),
)
FIELDS = tuple(name for name, _label in SECTIONS)
LABELS = dict(SECTIONS)


class ClosureStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


CLOSURE_STATUSES = {
    ClosureStatus.PENDING: "Waiting for the board",
    ClosureStatus.APPROVED: "Approved: the project is closed",
    ClosureStatus.REJECTED: "Not approved",
}


class ClosureVote(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


CLOSURE_VOTES = {ClosureVote.APPROVE: "Approve closure", ClosureVote.REJECT: "Reject it"}


def missing_sections(report: Mapping[str, str]) -> list[str]:
    """The sections left empty: every one is needed before the board is asked."""
    return [LABELS[name] for name in FIELDS if not (report.get(name) or "").strip()]


def outcome(required_roles: Sequence[str], votes: Mapping[str, str]) -> ClosureStatus:
    """Any rejection rejects the report; approval by every required role closes the
    project (the shared verdict of a template's roles)."""
    approvals = {role: vote == ClosureVote.APPROVE for role, vote in votes.items()}
    return _STATUS[verdict(required_roles, approvals)]


_STATUS = {
    Verdict.PENDING: ClosureStatus.PENDING,
    Verdict.APPROVED: ClosureStatus.APPROVED,
    Verdict.REJECTED: ClosureStatus.REJECTED,
}
