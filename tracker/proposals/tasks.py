"""The scheduler's reminder of deferred proposals: on the date the board deferred a
proposal to, PMO staff are told it is back, exactly once per deferral."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tracker.auth.models import User
from tracker.extensions import db
from tracker.notifications.services import notify_all, path_for
from tracker.proposals.models import Proposal
from tracker.proposals.rules import ProposalStatus
from tracker.scheduler.services import claim


def remind_deferred_proposals(today: date) -> int:
    """Remind the PMO of each deferred proposal whose date has come (or passed while the
    scheduler was down). The claim is keyed on the proposal and its date, so a second run,
    or a second scheduler, does nothing more; a new deferral to another date reminds again."""
    due = db.session.scalars(
        select(Proposal)
        .where(
            Proposal.status == ProposalStatus.DEFERRED,
            Proposal.deferred_until.is_not(None),
            Proposal.deferred_until <= today,
        )
        .order_by(Proposal.id)
    ).all()
    if not due:
        return 0
    pmo = list(
        db.session.scalars(
            select(User).where(User.global_role == "pmo", User.is_active_user).order_by(User.id)
        )
    )
    sent = 0
    for proposal in due:
        if not claim(
            "proposal_deferrals", f"proposal:{proposal.id}", proposal.deferred_until.isoformat()
        ):
            continue
        notify_all(
            pmo,
            "approval_reminder",
            f"Proposal {proposal.id} is back for the prioritisation board",
            f"The board deferred “{proposal.title}” to {proposal.deferred_until:%d %B %Y}. "
            "Put it on the board's next agenda.",
            link=path_for("proposals.show_proposal", proposal_id=proposal.id),
        )
        db.session.commit()
        sent += 1
    return sent
