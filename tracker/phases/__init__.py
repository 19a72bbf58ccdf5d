"""Agile phases (discovery, alpha, beta, live), their service assessments and funding
released phase by phase."""

from flask import Blueprint

bp = Blueprint("phases", __name__)


@bp.record_once
def _vocabulary(state) -> None:
    from tracker.phases.rules import AssessmentStatus, PhaseStatus

    state.app.jinja_env.globals.update(AssessmentStatus=AssessmentStatus, PhaseStatus=PhaseStatus)


from tracker.phases import subscribers, views  # noqa: E402,F401
