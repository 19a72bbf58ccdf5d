"""Who may read and keep a project's benefits, on the one team lookup.

Anyone on the project (and PMO staff) reads the register; the project manager keeps it
while the project runs (PMO staff may step in at any time). Benefits outlive the project:
a benefit's owner, often outside the project team, reads the register of a project whose
benefit they own, and records that benefit's measurements and reviews, before and after
closure. Once the project is closed its manager no longer records them: the owner does.
"""

from __future__ import annotations

from sqlalchemy import select

from tracker.benefits.models import Benefit
from tracker.extensions import db
from tracker.projects.access import can_manage, can_view
from tracker.projects.rules import FINISHED_STATUSES


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def owns_any(user, project) -> bool:
    if not _signed_in(user):
        return False
    return (
        db.session.scalar(
            select(Benefit.id)
            .where(Benefit.project_id == project.id, Benefit.owner_id == user.id)
            .limit(1)
        )
        is not None
    )


def can_read(user, project) -> bool:
    return _signed_in(user) and (can_view(user, project) or owns_any(user, project))


def is_closed(project) -> bool:
    return project.status in FINISHED_STATUSES


def can_keep(user, project) -> bool:
    """Add and change benefits, and set review dates: the manager while the project runs,
    PMO staff always."""
    if not _signed_in(user):
        return False
    if getattr(user, "is_pmo", False):
        return True
    return not is_closed(project) and can_manage(user, project)


def can_record(user, benefit) -> bool:
    """Record a measurement or a review of ``benefit``: its owner, those who keep the
    register."""
    if not _signed_in(user):
        return False
    return benefit.owner_id == user.id or can_keep(user, benefit.project)
