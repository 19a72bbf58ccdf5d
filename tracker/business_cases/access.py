"""Who may do what with a project's business case (one place, asked by pages, the API and
the services): everyone on the project reads it; its manager (or the PMO) writes it; the
board members a gate was requested from judge the version frozen for it."""

from __future__ import annotations

from tracker.business_cases.models import BusinessCaseVersion
from tracker.projects.access import can_manage, can_view, project_roles
from tracker.stages.models import GateReview


def can_read(user, project) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and can_view(user, project)


def can_write(user, project) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and can_manage(user, project)


def judgement_refusal(user, version: BusinessCaseVersion, gate: GateReview | None) -> str | None:
    """Why this person may not record the board's judgement on ``version``, or None."""
    if gate is None or version.gate_review_id != gate.id:
        return "The board judges a version at the gate it was frozen for."
    if not project_roles(user, gate.project_id) & set(gate.roles):
        return "Only the board members this gate was requested from can judge its business case."
    if gate.requested_by_id == user.id:
        return (
            "You requested this gate, so you cannot judge its business case: whoever asks the "
            "board for a decision never takes it."
        )
    if version.board_justified is not None:
        return "The board has already judged this version."
    return None
