"""A project's business case in versions, through its gates (docs/business-cases.md)."""

from flask import Blueprint

bp = Blueprint("business_cases", __name__)


@bp.record_once
def _vocabulary(state) -> None:
    from tracker.business_cases.rules import (
        FUNDING_LABELS,
        SECTION_LABELS,
        CaseStatus,
        CaseVersion,
        Section,
    )

    state.app.jinja_env.globals.update(
        CaseStatus=CaseStatus,
        CaseVersion=CaseVersion,
        CaseSection=Section,
        CASE_SECTION_LABELS=SECTION_LABELS,
        FUNDING_LABELS_CASE=FUNDING_LABELS,
    )


from tracker.business_cases import subscribers, views  # noqa: E402,F401
