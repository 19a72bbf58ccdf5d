"""Who may act on a project's phases and service assessments (the segregation of duties).
Pages, the API and the services ask these; an assessment's checks are the shared decision
of a template's roles (``frameworks.decisions``)."""

from __future__ import annotations

from tracker.frameworks import decisions
from tracker.phases.models import ServiceAssessment
from tracker.phases.rules import AssessmentStatus
from tracker.projects import access
from tracker.projects.models import Project

WORDING = decisions.Wording(
    not_asked="Only the board members this assessment was requested from can decide it.",
    own_request=(
        "You requested this assessment, so you cannot decide it: whoever asks for a "
        "decision never takes it."
    ),
    decided="This assessment has been decided.",
    already="You have already recorded this assessment.",
    role_taken="The {role} has already recorded this assessment.",
    choose_role="Choose the board role you are assessing as",
)


def is_executive(user, project: Project) -> bool:
    """Funding is released by the Executive (a board decision), never by the manager."""
    return "executive" in access.project_roles(user, project.id)


def assessor_roles(user, assessment: ServiceAssessment) -> list[str]:
    """The assessment's required roles this person holds and that are still to record."""
    return decisions.undecided_roles(user, assessment)


def decision_refusal(user, assessment: ServiceAssessment) -> str | None:
    """Why this person may not record an assessment now, or None (the segregation of
    duties: the requester never decides)."""
    return decisions.refusal(
        user,
        assessment,
        requested_by_id=assessment.requested_by_id,
        pending=AssessmentStatus.PENDING,
        wording=WORDING,
    )


def check_assessor(user, assessment: ServiceAssessment, role: str) -> None:
    decisions.check_decider(
        user,
        assessment,
        role,
        requested_by_id=assessment.requested_by_id,
        pending=AssessmentStatus.PENDING,
        wording=WORDING,
    )
