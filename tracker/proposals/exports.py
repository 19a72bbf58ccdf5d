"""The pipeline's columns and rows for the shared export helper (``tracker.core.exports``)."""

from __future__ import annotations

from tracker.core.exports import Column, Kind
from tracker.methods import model as method_model
from tracker.proposals import rules

PIPELINE_COLUMNS = (
    Column("Proposal"),
    Column("Title"),
    Column("Stage"),
    Column("Status"),
    Column("Lead organisation"),
    Column("Proposer"),
    Column("Rough cost", Kind.MONEY),
    Column("Start by", Kind.DATE),
    Column("Finish by", Kind.DATE),
    Column("Recommended method"),
    Column("Scorers", Kind.COUNT),
    Column("Weighted total (%)", Kind.DECIMAL),
    Column("Every criterion scored"),
)


def pipeline_rows(rows, totals):
    for row in rows:
        proposal = row.Proposal
        total = totals.get(proposal.id)
        yield [
            proposal.id,
            proposal.title,
            rules.PIPELINE_STAGES[rules.stage_of(proposal.status, row.scorers)],
            rules.PROPOSAL_STATUSES[proposal.status],
            row.lead_name or "",
            row.proposer_name,
            proposal.rough_cost,
            proposal.start_on,
            proposal.finish_on,
            method_model.METHODS.get(proposal.recommended_method or "", ""),
            row.scorers,
            total.percent if total is not None else None,
            ("Yes" if total.is_complete else "No") if total is not None else "",
        ]
