"""Who may do what with a project's business case (one place, asked by pages, the API and
the services): everyone on the project reads it; its manager (or the PMO) writes it; the
board members a gate was requested from judge the version frozen for it."""

from __future__ import annotations

from tracker.business_cases import services
from tracker.projects.access import can_manage, can_view


def can_read(user, project) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and can_view(user, project)


def can_write(user, project) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and can_manage(user, project)


judgement_refusal = services.judgement_refusal
