"""Who may decide a closing gate (the segregation of duties: whoever submitted the report
never decides it). The checks are the shared decision of a template's roles
(``frameworks.decisions``)."""

from __future__ import annotations

from tracker.closure.models import EndProjectReport
from tracker.closure.rules import ClosureStatus
from tracker.frameworks import decisions

WORDING = decisions.Wording(
    not_asked="Only the board members this closing gate was requested from can decide it.",
    own_request=(
        "You submitted this end-project report, so you cannot decide its closing gate: "
        "whoever asks for a decision never takes it."
    ),
    decided="This closing gate has been decided.",
    already="You have already decided this closing gate.",
    role_taken="The {role} has already decided.",
)


def undecided_roles(user, report: EndProjectReport) -> list[str]:
    return decisions.undecided_roles(user, report)


def decision_refusal(user, report: EndProjectReport) -> str | None:
    return decisions.refusal(
        user,
        report,
        requested_by_id=report.submitted_by_id,
        pending=ClosureStatus.PENDING,
        wording=WORDING,
    )


def check_decider(user, report: EndProjectReport, role: str) -> None:
    decisions.check_decider(
        user,
        report,
        role,
        requested_by_id=report.submitted_by_id,
        pending=ClosureStatus.PENDING,
        wording=WORDING,
    )
