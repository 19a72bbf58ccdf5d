"""The demo pipeline has a proposal at every step, reached through the services."""

from __future__ import annotations

from sqlalchemy import select

from tracker.demo import data
from tracker.proposals import demo, queries
from tracker.proposals.models import Proposal
from tracker.proposals.rules import PipelineStage


def test_the_demo_pipeline_has_a_proposal_at_each_step(db):
    data.load("demo password long enough")
    db.session.commit()
    counts = queries.stage_counts()
    assert counts[PipelineStage.DRAFT] == 1
    assert counts[PipelineStage.SUBMITTED] == 1
    assert counts[PipelineStage.SCORED] == 1
    assert counts[PipelineStage.DECIDED] == 3
    statuses = dict(db.session.execute(select(Proposal.title, Proposal.status)).all())
    assert statuses["Electric fleet charging"] == "deferred"
    assert statuses["Community minibus"] == "rejected"
    approved = db.session.scalars(
        select(Proposal).where(Proposal.title == "Warm homes retrofit")
    ).one()
    assert approved.project.code == demo.APPROVED_CODE
    # Loading again adds nothing.
    data.load("demo password long enough")
    db.session.commit()
    assert sum(queries.stage_counts().values()) == 6
