"""Who may decide what at a project's gates and exceptions (the segregation of duties).

Pages, the API and the services ask these; each ``*_refusal`` says in words why a person
may not act, so the page can show it next to the hidden form and the service can refuse
with the same sentence.
"""

from __future__ import annotations

from tracker.projects import governance
from tracker.projects.access import governance_level, team
from tracker.projects.models import Project
from tracker.stages import rules
from tracker.stages.models import ExceptionReport, GateReview
from tracker.stages.rules import WAITING_FOR_BOARD, ExceptionStatus, GateStatus


def _held(user, project_id: int) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return team(project_id).roles_of(user.id)


def gate_refusal(user, gate: GateReview) -> str | None:
    """Why this person may not decide the gate now, or None if they may."""
    held = _held(user, gate.project_id) & set(gate.roles)
    if not held:
        return "Only the board members this gate was requested from can decide it."
    if gate.requested_by_id == user.id:
        return (
            "You requested this gate, so you cannot decide it: whoever asks the board for a "
            "decision never takes it."
        )
    if gate.status != GateStatus.PENDING:
        return None
    if not undecided_gate_roles(user, gate):
        return "You have already decided this gate."
    return None


def undecided_gate_roles(user, gate: GateReview) -> list[str]:
    """The gate's required roles this person may still decide as.

    A person holding two required roles (where the tailoring allows it) decides once: their
    decision counts for each role only if the tailoring says so, and then it is recorded for
    each of them at once.
    """
    held = _held(user, gate.project_id)
    decided = {d.role for d in gate.decisions}
    if any(d.decided_by_id == user.id for d in gate.decisions):
        return []
    return [role for role in gate.roles if role in held and role not in decided]


def can_decide_gate(user, gate: GateReview) -> bool:
    return gate_refusal(user, gate) is None


def exception_refusal(user, report: ExceptionReport) -> str | None:
    """Why this person may not decide the exception report now, or None if they may."""
    held = _held(user, report.project_id) & set(report.roles)
    if not held:
        return "Only the board members this exception was raised to can decide it."
    if report.raised_by_id == user.id:
        return (
            "You raised this exception report, so you cannot decide it: whoever reports an "
            "exception never settles it."
        )
    if report.status == ExceptionStatus.PLAN_SUBMITTED and report.plan_submitted_by_id == user.id:
        return "You submitted this exception plan, so you cannot decide it."
    if report.status in WAITING_FOR_BOARD and not undecided_exception_roles(user, report):
        return "You have already decided this round of the exception."
    return None


def undecided_exception_roles(user, report: ExceptionReport) -> list[str]:
    held = _held(user, report.project_id)
    current = [d for d in report.decisions if d.round == report.round]
    if any(d.decided_by_id == user.id for d in current):
        return []
    decided = {d.role for d in current}
    return [role for role in report.roles if role in held and role not in decided]


def can_decide_exception(user, report: ExceptionReport) -> bool:
    return exception_refusal(user, report) is None


def close_early_refusal(user, project: Project) -> str | None:
    """The Executive alone may close a project early; never its manager."""
    held = _held(user, project.id)
    if rules.EXECUTIVE not in held:
        return "Only the project's Executive can close the project early."
    if governance.PROJECT_MANAGER in held:
        return "The project manager cannot close their own project early."
    return None


def can_close_early(user, project: Project) -> bool:
    return close_early_refusal(user, project) is None


def counts_for_each_role(project: Project) -> bool:
    return rules.decision_counts_for_combined_roles(governance_level(project))
