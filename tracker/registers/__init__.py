"""The project's registers: risks (threats and opportunities, scored 5x5, every change
kept) and issues (requests for change, off-specifications, problems and concerns).

Every project has them, whatever its method. They sit above projects and notifications
and below methods and stages: a method decision opens a risk here, and the stage reports
and the gate page read the registers directly.
"""

from flask import Blueprint

bp = Blueprint("registers", __name__, url_prefix="/projects")


@bp.record_once
def _vocabulary(state) -> None:
    """Templates compare statuses with these enums, never with literals, and label values
    with these maps (globals, so the register macros see them too)."""
    from tracker.registers import reports, rules
    from tracker.registers.models import RISK_SOURCES

    state.app.jinja_env.globals.update(
        Band=rules.Band,
        EscalationStatus=rules.EscalationStatus,
        ESCALATION_STATUSES=rules.ESCALATION_STATUSES,
        ASSUMPTION_STATUSES=rules.ASSUMPTION_STATUSES,
        AssumptionStatus=rules.AssumptionStatus,
        IssueStatus=rules.IssueStatus,
        RiskKind=rules.RiskKind,
        RiskStatus=rules.RiskStatus,
        RISK_STATUSES=rules.RISK_STATUSES,
        RISK_SOURCES=RISK_SOURCES,
        RISK_KINDS=rules.RISK_KINDS,
        RISK_CATEGORIES=rules.RISK_CATEGORIES,
        PROXIMITIES=rules.PROXIMITIES,
        RESPONSES=rules.RESPONSES,
        BANDS=rules.BANDS,
        ISSUE_KINDS=rules.ISSUE_KINDS,
        ISSUE_STATUSES=rules.ISSUE_STATUSES,
        ISSUE_PRIORITIES=rules.PRIORITIES,
        SCALE=rules.SCALE,
        stored_register_section=reports.stored,
    )


from tracker.registers import subscribers, views  # noqa: E402,F401
