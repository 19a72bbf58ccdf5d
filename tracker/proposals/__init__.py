"""Intake and prioritisation: proposals (mandates) before a project exists, scored by the
PMO against its strategic-fit criteria and decided by the prioritisation board; an approval
creates a proposed project through the projects and methods services. Above projects,
methods and portfolio (the pipeline's funding is shown beside the portfolio's spend)."""

from flask import Blueprint

bp = Blueprint("proposals", __name__, url_prefix="/proposals")


@bp.record_once
def _vocabulary(state) -> None:
    from tracker.proposals import rules

    state.app.jinja_env.globals.update(
        ProposalStatus=rules.ProposalStatus,
        PROPOSAL_STATUSES=rules.PROPOSAL_STATUSES,
        PipelineStage=rules.PipelineStage,
        PIPELINE_STAGES=rules.PIPELINE_STAGES,
        FUNDING_SOURCES=rules.FUNDING_SOURCES,
        PROPOSAL_DECISIONS=rules.DECISIONS,
    )


from tracker.proposals import views  # noqa: E402,F401
