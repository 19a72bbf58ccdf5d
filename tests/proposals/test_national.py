"""The generated national portfolio has a pipeline too, written set-based like the rest."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tracker.demo import national
from tracker.proposals import queries
from tracker.proposals.models import Proposal, ProposalScore
from tracker.proposals.rules import PipelineStage


def test_the_generated_pipeline_has_every_step(db):
    counts = national.generate(20, password_hash="not-a-real-hash", today=date(2026, 11, 22))
    db.session.commit()
    assert counts["proposals"] == 7
    stages = queries.stage_counts()
    assert all(stages[stage] > 0 for stage in PipelineStage), stages
    approved = db.session.scalars(
        select(Proposal.project_id).where(Proposal.status == "approved")
    ).all()
    assert approved and None not in approved
    # Scores stay on each criterion's scale, and the totals read them.
    assert db.session.scalar(select(func.max(ProposalScore.score))) <= 5
    active = queries.criteria()
    ids = list(db.session.scalars(select(Proposal.id)))
    totals = queries.totals_for(ids, active)
    assert any(total.is_complete for total in totals.values())
    assert queries.funding_totals()[0].total > 0
