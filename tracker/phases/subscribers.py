"""What phases does when other domains announce something (``tracker.core.events``)."""

from __future__ import annotations

from sqlalchemy import String, case, cast, literal

from tracker.core import events
from tracker.frameworks import decisions
from tracker.phases import services
from tracker.phases.models import AssessmentDecision, ServiceAssessment
from tracker.phases.rules import AssessmentStatus


@events.subscribe(events.iteration_closed, order=20)
def spending_at_iteration_close(iteration, *, project, actor=None) -> None:
    """After the iteration's budget checkpoint, compare the phase's spending with the
    funding released to it: past it, an exception goes to the board."""
    phase = services.active_phase(project)
    if phase is not None:
        services.check_spending(phase, actor=actor)


def _round_label(name, round_):
    """ "Alpha assessment", or "Alpha assessment (round 2)" for a re-run."""
    return case(
        (round_ > 1, name + literal(" (round ") + cast(round_, String) + literal(")")),
        else_=name,
    )


@decisions.waits(
    "service_assessments",
    "service assessment to decide",
    "service assessments to decide",
    endpoint="phases.show_assessment",
    id_name="assessment_id",
)
def assessments_to_decide(user):
    """Service assessments waiting for a board role this person holds."""
    return decisions.waiting_on(
        user,
        ServiceAssessment,
        AssessmentDecision,
        vote_key=AssessmentDecision.assessment_id,
        requested_by=ServiceAssessment.requested_by_id,
        requested_at=ServiceAssessment.requested_at,
        pending=AssessmentStatus.PENDING,
        label=_round_label(ServiceAssessment.name, ServiceAssessment.round),
    )


@decisions.waits(
    "phase_funding_exceptions",
    "phase funding exception to decide",
    "phase funding exceptions to decide",
    endpoint="phases.list_phases",
    id_name=None,
)
def funding_exceptions_to_decide(user):
    """Open funding exceptions on projects where this person is the Executive, who
    releases more funding (or closes the project early)."""
    return services.funding_exceptions_waiting(user)


@events.subscribe(events.boundary_waiting, order=20)
def assessment_at_boundary(project) -> tuple[str, int, str] | None:
    """The service assessment waiting at a phase boundary, which a switch may ride on."""
    assessment = services.waiting_assessment(project)
    if assessment is None:
        return None
    return ("assessment", assessment.id, assessment.name)
