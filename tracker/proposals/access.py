"""Who may do what with proposals, in one place.

Anyone signed in proposes; only the proposer sees and edits a draft until it is submitted.
PMO staff run the pipeline and score; the prioritisation board (the PMO's list) decides.
Nobody scores or decides their own proposal (segregation of duties).
"""

from __future__ import annotations

from flask import g
from sqlalchemy import select

from tracker.extensions import db
from tracker.proposals.models import BoardMember, Proposal
from tracker.proposals.rules import DECIDABLE, ProposalStatus


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_board_member(user) -> bool:
    """On the prioritisation board: one query per request, however often asked."""
    if not _signed_in(user):
        return False
    cache = g.setdefault("prioritisation_board", {})
    if user.id not in cache:
        cache[user.id] = (
            db.session.scalar(select(BoardMember.user_id).where(BoardMember.user_id == user.id))
            is not None
        )
    return cache[user.id]


def forget() -> None:
    """After the board's membership changes within a request."""
    g.pop("prioritisation_board", None)


def can_run_pipeline(user) -> bool:
    return _signed_in(user) and (user.is_pmo or is_board_member(user))


def can_see(user, proposal: Proposal) -> bool:
    if not _signed_in(user):
        return False
    if proposal.proposer_id == user.id:
        return True
    return can_run_pipeline(user)


def edit_refusal(user, proposal: Proposal) -> str | None:
    if not _signed_in(user) or proposal.proposer_id != user.id:
        return "Only the person who proposed it changes a proposal."
    if proposal.status != ProposalStatus.DRAFT:
        return "This proposal has been submitted: it can no longer be changed."
    return None


def score_refusal(user, proposal: Proposal) -> str | None:
    if not _signed_in(user) or not user.is_pmo:
        return "PMO staff score proposals."
    if proposal.proposer_id == user.id:
        return "You proposed this: others score it (segregation of duties)."
    if proposal.status not in DECIDABLE:
        return "Only a submitted proposal waiting for the board is scored."
    return None


def decide_refusal(user, proposal: Proposal) -> str | None:
    if not is_board_member(user):
        return "Members of the prioritisation board decide proposals."
    if proposal.proposer_id == user.id:
        return "You proposed this: the rest of the board decides it (segregation of duties)."
    if proposal.status == ProposalStatus.DRAFT:
        return "This proposal is still a draft: the board decides it once it is submitted."
    if proposal.status not in DECIDABLE:
        return "This proposal has already been decided."
    return None
