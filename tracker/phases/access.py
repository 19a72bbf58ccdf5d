"""Who may act on a project's phases and service assessments (the segregation of duties).
Pages, the API and the services ask these."""

from __future__ import annotations

from tracker.phases.models import ServiceAssessment
from tracker.phases.rules import AssessmentStatus
from tracker.projects import access
from tracker.projects.models import Project


def is_executive(user, project: Project) -> bool:
    """Funding is released by the Executive (a board decision), never by the manager."""
    return "executive" in access.project_roles(user, project.id)


def assessor_roles(user, assessment: ServiceAssessment) -> list[str]:
    """The assessment's required roles this person holds and that are still to record."""
    held = access.project_roles(user, assessment.project_id)
    decided = {d.role for d in assessment.decisions}
    return [r for r in assessment.roles if r in held and r not in decided]


def decision_refusal(user, assessment: ServiceAssessment) -> str | None:
    """Why this person may not record an assessment now, or None (the segregation of
    duties: the requester never decides)."""
    held = access.project_roles(user, assessment.project_id) & set(assessment.roles)
    if not held:
        return "Only the board members this assessment was requested from can decide it."
    if assessment.requested_by_id == user.id:
        return (
            "You requested this assessment, so you cannot decide it: whoever asks for a "
            "decision never takes it."
        )
    if assessment.status != AssessmentStatus.PENDING:
        return "This assessment has been decided."
    if any(d.decided_by_id == user.id for d in assessment.decisions):
        return "You have already recorded this assessment."
    return None
