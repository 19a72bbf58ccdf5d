"""Read models for the pipeline: set-based, a fixed number of queries whatever its size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import selectinload

from tracker.auth.models import User
from tracker.extensions import db
from tracker.orgs.models import Organisation
from tracker.portfolio.models import PortfolioSummary
from tracker.projects.models import Project
from tracker.projects.rules import OPEN_STATUSES
from tracker.proposals import rules
from tracker.proposals.models import FitCriterion, Proposal, ProposalFunding, ProposalScore
from tracker.proposals.rules import PipelineStage, ProposalStatus

ZERO = Decimal("0.00")


def _scorers():
    return (
        select(
            ProposalScore.proposal_id.label("proposal_id"),
            func.count(func.distinct(ProposalScore.scorer_id)).label("scorers"),
        )
        .group_by(ProposalScore.proposal_id)
        .subquery("scorers")
    )


def pipeline(
    *,
    stage: str | None = None,
    lead_organisation_id: int | None = None,
    method: str | None = None,
    q: str | None = None,
) -> Select:
    """Proposals with their lead organisation, proposer and how many people scored them,
    newest first, filtered by stage, lead organisation, recommended method and title."""
    scorers = _scorers()
    count = func.coalesce(scorers.c.scorers, 0)
    statement = (
        select(
            Proposal,
            Organisation.name.label("lead_name"),
            User.name.label("proposer_name"),
            count.label("scorers"),
        )
        .outerjoin(Organisation, Organisation.id == Proposal.lead_organisation_id)
        .join(User, User.id == Proposal.proposer_id)
        .outerjoin(scorers, scorers.c.proposal_id == Proposal.id)
        .order_by(Proposal.id.desc())
    )
    if stage == PipelineStage.DRAFT:
        statement = statement.where(Proposal.status == ProposalStatus.DRAFT)
    elif stage == PipelineStage.SUBMITTED:
        statement = statement.where(Proposal.status == ProposalStatus.SUBMITTED, count == 0)
    elif stage == PipelineStage.SCORED:
        statement = statement.where(Proposal.status == ProposalStatus.SUBMITTED, count > 0)
    elif stage == PipelineStage.DECIDED:
        statement = statement.where(
            Proposal.status.in_(
                [ProposalStatus.DEFERRED, ProposalStatus.APPROVED, ProposalStatus.REJECTED]
            )
        )
    if lead_organisation_id is not None:
        statement = statement.where(Proposal.lead_organisation_id == lead_organisation_id)
    if method:
        statement = statement.where(Proposal.recommended_method == method)
    if q:
        statement = statement.where(Proposal.title.icontains(q, autoescape=True))
    return statement


def stage_counts() -> dict[str, int]:
    """How many proposals are at each stage: one query."""
    scorers = _scorers()
    stage = case(
        (Proposal.status == ProposalStatus.DRAFT, PipelineStage.DRAFT.value),
        (
            and_(
                Proposal.status == ProposalStatus.SUBMITTED,
                func.coalesce(scorers.c.scorers, 0) > 0,
            ),
            PipelineStage.SCORED.value,
        ),
        (Proposal.status == ProposalStatus.SUBMITTED, PipelineStage.SUBMITTED.value),
        else_=PipelineStage.DECIDED.value,
    )
    rows = db.session.execute(
        select(stage.label("stage"), func.count())
        .select_from(Proposal)
        .outerjoin(scorers, scorers.c.proposal_id == Proposal.id)
        .group_by(stage)
    )
    counts = dict.fromkeys(PipelineStage, 0)
    for name, n in rows:
        counts[PipelineStage(name)] = n
    return counts


@dataclass(frozen=True)
class FundingTotal:
    source: str
    label: str
    confirmed: Decimal
    unconfirmed: Decimal
    proposals: int

    @property
    def total(self) -> Decimal:
        return self.confirmed + self.unconfirmed


def funding_totals() -> list[FundingTotal]:
    """The open pipeline's asks (submitted and deferred proposals) by funding source,
    confirmed and not: one query."""
    rows = db.session.execute(
        select(
            ProposalFunding.source,
            func.coalesce(
                func.sum(case((ProposalFunding.is_confirmed, ProposalFunding.amount), else_=0)), 0
            ),
            func.coalesce(
                func.sum(case((ProposalFunding.is_confirmed, 0), else_=ProposalFunding.amount)), 0
            ),
            func.count(func.distinct(ProposalFunding.proposal_id)),
        )
        .join(Proposal, Proposal.id == ProposalFunding.proposal_id)
        .where(Proposal.status.in_(list(rules.DECIDABLE)))
        .group_by(ProposalFunding.source)
    )
    found = {source: (Decimal(c), Decimal(u), n) for source, c, u, n in rows}
    return [
        FundingTotal(source, label, *found.get(source, (ZERO, ZERO, 0)))
        for source, label in rules.FUNDING_SOURCES.items()
    ]


@dataclass(frozen=True)
class PortfolioSpend:
    projects: int
    budget: Decimal
    actual_cost: Decimal


def portfolio_spend() -> PortfolioSpend:
    """The open portfolio's budgets and its actual cost to date (the stored portfolio facts,
    as the portfolio dashboard reads them): one query."""
    projects, budget, actual = db.session.execute(
        select(
            func.count(Project.id),
            func.coalesce(func.sum(Project.budget_at_completion), 0),
            func.coalesce(func.sum(PortfolioSummary.ac), 0),
        )
        .select_from(Project)
        .outerjoin(PortfolioSummary, PortfolioSummary.project_id == Project.id)
        .where(Project.status.in_(OPEN_STATUSES))
    ).one()
    return PortfolioSpend(projects, Decimal(budget), Decimal(actual))


def criteria(*, active_only: bool = True) -> list[FitCriterion]:
    statement = select(FitCriterion).order_by(FitCriterion.is_active.desc(), FitCriterion.name)
    if active_only:
        statement = statement.where(FitCriterion.is_active)
    return list(db.session.scalars(statement))


def totals_for(proposal_ids: list[int], active: list[FitCriterion]) -> dict[int, rules.Total]:
    """Each proposal's weighted total over the active criteria: one query for the scores,
    the sum by the pure rule."""
    if not proposal_ids:
        return {}
    scores: dict[tuple[int, int], list[int]] = defaultdict(list)
    rows = db.session.execute(
        select(ProposalScore.proposal_id, ProposalScore.criterion_id, ProposalScore.score).where(
            ProposalScore.proposal_id.in_(proposal_ids)
        )
    )
    for proposal_id, criterion_id, score in rows:
        scores[(proposal_id, criterion_id)].append(score)
    return {
        proposal_id: rules.weighted_total(
            rules.CriterionScores(c.weight, c.scale_max, scores.get((proposal_id, c.id), []))
            for c in active
        )
        for proposal_id in proposal_ids
    }


def scores_of(proposal_id: int) -> list[ProposalScore]:
    """Every score of one proposal, by criterion then scorer (scorer and criterion joined)."""
    return list(
        db.session.scalars(
            select(ProposalScore)
            .join(FitCriterion, FitCriterion.id == ProposalScore.criterion_id)
            .join(User, User.id == ProposalScore.scorer_id)
            .where(ProposalScore.proposal_id == proposal_id)
            .order_by(FitCriterion.name, User.name)
        ).unique()
    )


def means_by_criterion(proposal_ids: list[int]) -> dict[tuple[int, int], Decimal]:
    """(proposal, criterion) -> the mean score, for the side-by-side comparison: one query."""
    if not proposal_ids:
        return {}
    rows = db.session.execute(
        select(
            ProposalScore.proposal_id,
            ProposalScore.criterion_id,
            func.sum(ProposalScore.score),
            func.count(),
        )
        .where(ProposalScore.proposal_id.in_(proposal_ids))
        .group_by(ProposalScore.proposal_id, ProposalScore.criterion_id)
    )
    return {
        (p, c): (Decimal(total) / Decimal(n)).quantize(Decimal("0.01")) for p, c, total, n in rows
    }


def proposals_by_id(proposal_ids: list[int]) -> list[Proposal]:
    if not proposal_ids:
        return []
    return list(
        db.session.scalars(
            select(Proposal)
            .options(selectinload(Proposal.funding))
            .where(Proposal.id.in_(proposal_ids))
            .order_by(Proposal.id)
        ).unique()
    )
