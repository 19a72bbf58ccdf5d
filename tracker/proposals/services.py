"""Operations on proposals: drafting, the uncertainty assessment, submission, the PMO's
criteria and scores, the prioritisation board and its decisions. Each checks its rules,
audits and flushes; the caller commits (``form_work``, ``service_call``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.core.errors import RuleError, StaleEdit, check_version
from tracker.db import utcnow
from tracker.extensions import db
from tracker.methods import rules as method_rules
from tracker.methods import services as methods
from tracker.orgs.models import Organisation
from tracker.projects import services as projects
from tracker.proposals import access, rules
from tracker.proposals.models import (
    BoardMember,
    FitCriterion,
    Proposal,
    ProposalDecision,
    ProposalFunding,
    ProposalScore,
)
from tracker.proposals.rules import Decision, FundingSource, ProposalStatus

DECIDED_MEANWHILE = (
    "Someone else on the board recorded a decision on this proposal at the same time. "
    "Reload the page to see it."
)


def _flush() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleEdit() from None


# --------------------------------------------------------------------------------------
# Drafts
# --------------------------------------------------------------------------------------


@dataclass
class FundingLine:
    source: str
    amount: Decimal | None
    is_confirmed: bool = False


@dataclass
class ProposalData:
    title: str
    problem: str = ""
    outcome: str = ""
    lead_organisation_id: int | None = None
    partner_ids: list[int] = field(default_factory=list)
    rough_cost: Decimal | None = None
    start_on: date | None = None
    finish_on: date | None = None
    funding: list[FundingLine] = field(default_factory=list)


def _snapshot(proposal: Proposal) -> dict[str, Any]:
    return {
        "title": proposal.title,
        "problem": proposal.problem,
        "outcome": proposal.outcome,
        "lead_organisation": proposal.lead_organisation.name
        if proposal.lead_organisation
        else None,
        "partners": [org.name for org in proposal.partners],
        "rough_cost": proposal.rough_cost,
        "start_on": proposal.start_on,
        "finish_on": proposal.finish_on,
        "funding": {line.source: [line.amount, line.is_confirmed] for line in proposal.funding},
        "status": proposal.status,
    }


def _apply(proposal: Proposal, data: ProposalData) -> None:
    title = (data.title or "").strip()
    if not title:
        raise RuleError("Enter a title for the proposal", "title")
    if data.rough_cost is not None and data.rough_cost < 0:
        raise RuleError("The rough cost must not be negative", "rough_cost")
    if data.start_on and data.finish_on and data.finish_on < data.start_on:
        raise RuleError("The finish must be the same as or after the start", "finish_on")
    lead = None
    if data.lead_organisation_id is not None:
        lead = db.session.get(Organisation, data.lead_organisation_id)
        if lead is None:
            raise RuleError("Choose a lead organisation from the list", "lead_organisation_id")
    partner_ids = set(data.partner_ids or [])
    partners = []
    if partner_ids:
        partners = list(
            db.session.scalars(select(Organisation).where(Organisation.id.in_(partner_ids)))
        )
        if len(partners) != len(partner_ids):
            raise RuleError("Choose partner organisations from the list", "partner_ids")
    if lead is not None and lead.id in partner_ids:
        raise RuleError("The lead organisation cannot also be a partner", "partner_ids")
    lines: dict[str, FundingLine] = {}
    for line in data.funding:
        if line.source not in rules.FUNDING_SOURCES:
            raise RuleError("Choose a funding source from the list", "funding")
        if line.amount is None:
            continue
        if line.amount < 0:
            raise RuleError(f"{rules.FUNDING_SOURCES[line.source]} must not be negative", "funding")
        if line.source in lines:
            raise RuleError(
                f"{rules.FUNDING_SOURCES[line.source]} is listed twice: give one amount", "funding"
            )
        lines[line.source] = line
    proposal.title = title
    proposal.problem = (data.problem or "").strip()
    proposal.outcome = (data.outcome or "").strip()
    proposal.lead_organisation = lead
    proposal.partners = partners
    proposal.rough_cost = data.rough_cost
    proposal.start_on = data.start_on
    proposal.finish_on = data.finish_on
    existing = {line.source: line for line in proposal.funding}
    for source, row in list(existing.items()):
        if source not in lines:
            proposal.funding.remove(row)
    for source, line in lines.items():
        row = existing.get(source)
        if row is None:
            proposal.funding.append(
                ProposalFunding(source=source, amount=line.amount, is_confirmed=line.is_confirmed)
            )
        else:
            row.amount = line.amount
            row.is_confirmed = line.is_confirmed


def create_proposal(data: ProposalData, *, actor: User) -> Proposal:
    """A new draft, seen and changed by its proposer alone until submitted."""
    proposal = Proposal(status=ProposalStatus.DRAFT, proposer_id=actor.id)
    _apply(proposal, data)
    db.session.add(proposal)
    db.session.flush()
    audit.record(
        "proposal.drafted",
        proposal,
        actor=actor,
        summary=f"Drafted proposal {proposal.id}: {proposal.title}"[:300],
        changes=_snapshot(proposal),
    )
    return proposal


def update_proposal(
    proposal: Proposal, data: ProposalData, *, version: int | None, actor: User
) -> Proposal:
    refusal = access.edit_refusal(actor, proposal)
    if refusal:
        raise RuleError(refusal)
    check_version(proposal, version)
    before = _snapshot(proposal)
    _apply(proposal, data)
    proposal.updated_at = utcnow()
    _flush()
    after = _snapshot(proposal)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        audit.record(
            "proposal.updated",
            proposal,
            actor=actor,
            summary=f"Updated proposal {proposal.id}: {', '.join(changes)}"[:300],
            changes=changes,
        )
    return proposal


def _size_tier(rough_cost: Decimal | None) -> str | None:
    if rough_cost is None:
        return None
    config = current_app.config
    return method_rules.size_tier_for(
        rough_cost, config["TIER_SMALL_BELOW"], config["TIER_LARGE_ABOVE"]
    )


def record_assessment(
    proposal: Proposal, raw_answers: dict[str, Any], *, version: int | None, actor: User
) -> Proposal:
    """The uncertainty assessment, answered with the methods domain's questions and scored
    by its pure model, so the proposal shows its recommended method from the first day."""
    refusal = access.edit_refusal(actor, proposal)
    if refusal:
        raise RuleError(refusal)
    check_version(proposal, version)
    try:
        answers = method_rules.validate_answers(raw_answers)
    except method_rules.AnswerError as error:
        key, message = error.problems[0]
        raise RuleError(message, key) from None
    result = method_rules.recommend(answers, size_tier=_size_tier(proposal.rough_cost)).to_dict()
    proposal.assessment_json = json.dumps(
        {"answers": answers.to_dict(), "result": result}, ensure_ascii=False, sort_keys=True
    )
    proposal.recommended_method = result["method"]
    proposal.zone = result["zone"]
    proposal.model_version = result["model_version"]
    proposal.updated_at = utcnow()
    _flush()
    audit.record(
        "proposal.assessed",
        proposal,
        actor=actor,
        summary=f"Assessed proposal {proposal.id}: {result['zone']} zone, recommends "
        f"{result['method'].replace('_', ' ')}",
        changes={"answers": answers.to_dict(), "method": result["method"], "zone": result["zone"]},
    )
    return proposal


def submit_proposal(proposal: Proposal, *, version: int | None, actor: User) -> Proposal:
    refusal = access.edit_refusal(actor, proposal)
    if refusal:
        raise RuleError(refusal)
    check_version(proposal, version)
    problems = rules.submit_problems(
        title=proposal.title,
        problem=proposal.problem,
        outcome=proposal.outcome,
        has_assessment=proposal.assessment_json is not None,
        start_on=proposal.start_on,
        finish_on=proposal.finish_on,
    )
    if problems:
        raise RuleError(problems[0][1], problems[0][0])
    proposal.status = ProposalStatus.SUBMITTED
    proposal.submitted_at = utcnow()
    _flush()
    audit.record(
        "proposal.submitted",
        proposal,
        actor=actor,
        summary=f"Submitted proposal {proposal.id}: {proposal.title}"[:300],
        changes={"status": [ProposalStatus.DRAFT, ProposalStatus.SUBMITTED]},
    )
    return proposal


# --------------------------------------------------------------------------------------
# Strategic-fit criteria and scores
# --------------------------------------------------------------------------------------


@dataclass
class CriterionData:
    name: str
    description: str
    weight: int | None
    scale_max: int | None
    is_active: bool = True


def _check_criterion(data: CriterionData, exclude_id: int | None = None) -> str:
    name = (data.name or "").strip()
    if not name:
        raise RuleError("Enter the criterion's name", "name")
    if data.weight is None or not 1 <= data.weight <= rules.WEIGHT_LIMIT:
        raise RuleError(f"Give a weight from 1 to {rules.WEIGHT_LIMIT}", "weight")
    if data.scale_max is None or not 2 <= data.scale_max <= rules.SCALE_MAX_LIMIT:
        raise RuleError(
            f"The scale runs from 1 to a top score from 2 to {rules.SCALE_MAX_LIMIT}", "scale_max"
        )
    clash = select(FitCriterion.id).where(func.lower(FitCriterion.name) == name.lower())
    if exclude_id is not None:
        clash = clash.where(FitCriterion.id != exclude_id)
    if db.session.scalar(clash) is not None:
        raise RuleError(f"There is already a criterion called {name}", "name")
    return name


def _criterion_snapshot(criterion: FitCriterion) -> dict[str, Any]:
    return {
        "name": criterion.name,
        "description": criterion.description,
        "weight": criterion.weight,
        "scale_max": criterion.scale_max,
        "is_active": criterion.is_active,
    }


def create_criterion(data: CriterionData, *, actor: User) -> FitCriterion:
    if not actor.is_pmo:
        raise RuleError("PMO staff set the strategic-fit criteria")
    name = _check_criterion(data)
    criterion = FitCriterion(
        name=name,
        description=(data.description or "").strip(),
        weight=data.weight,
        scale_max=data.scale_max,
        is_active=data.is_active,
        created_by_id=actor.id,
    )
    db.session.add(criterion)
    db.session.flush()
    audit.record(
        "criterion.created",
        criterion,
        actor=actor,
        summary=f"Added the strategic-fit criterion {name} (weight {data.weight}, "
        f"scale 1 to {data.scale_max})",
        changes=_criterion_snapshot(criterion),
    )
    return criterion


def update_criterion(
    criterion: FitCriterion, data: CriterionData, *, version: int | None, actor: User
) -> FitCriterion:
    """A change is audited with its before and after; the scale cannot shrink below a
    score already given on it."""
    if not actor.is_pmo:
        raise RuleError("PMO staff set the strategic-fit criteria")
    check_version(criterion, version)
    name = _check_criterion(data, exclude_id=criterion.id)
    top = db.session.scalar(
        select(func.max(ProposalScore.score)).where(ProposalScore.criterion_id == criterion.id)
    )
    if top is not None and data.scale_max < top:
        raise RuleError(
            f"A proposal already scores {top} on this criterion: the scale cannot end below it",
            "scale_max",
        )
    before = _criterion_snapshot(criterion)
    criterion.name = name
    criterion.description = (data.description or "").strip()
    criterion.weight = data.weight
    criterion.scale_max = data.scale_max
    criterion.is_active = data.is_active
    _flush()
    after = _criterion_snapshot(criterion)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        audit.record(
            "criterion.updated",
            criterion,
            actor=actor,
            summary=f"Changed the strategic-fit criterion {name}: {', '.join(changes)}"[:300],
            changes=changes,
        )
    return criterion


def active_criteria() -> list[FitCriterion]:
    return list(
        db.session.scalars(
            select(FitCriterion).where(FitCriterion.is_active).order_by(FitCriterion.name)
        )
    )


@dataclass
class ScoreLine:
    criterion_id: int
    score: int | None
    reason: str


def score_proposal(proposal: Proposal, lines: list[ScoreLine], *, actor: User) -> int:
    """The scorer's scores, one per active criterion, each with its reason. Scoring again
    replaces the scorer's own earlier scores (audited with both); returns how many changed."""
    refusal = access.score_refusal(actor, proposal)
    if refusal:
        raise RuleError(refusal)
    criteria = {c.id: c for c in active_criteria()}
    if not criteria:
        raise RuleError("The PMO has not set any strategic-fit criteria yet")
    given = {line.criterion_id: line for line in lines}
    for criterion_id, criterion in criteria.items():
        line = given.get(criterion_id)
        if line is None or line.score is None:
            raise RuleError(f"Score {criterion.name}", f"score_{criterion_id}")
        problem = rules.score_problem(line.score, criterion.scale_max, criterion.name)
        if problem:
            raise RuleError(problem, f"score_{criterion_id}")
        if not (line.reason or "").strip():
            raise RuleError(
                f"Give the reason for the score on {criterion.name}", f"reason_{criterion_id}"
            )
    unknown = set(given) - set(criteria)
    if unknown:
        raise RuleError("Score only the criteria listed")
    mine = {
        row.criterion_id: row
        for row in db.session.scalars(
            select(ProposalScore).where(
                ProposalScore.proposal_id == proposal.id, ProposalScore.scorer_id == actor.id
            )
        )
    }
    changed = 0
    for criterion_id, criterion in criteria.items():
        line = given[criterion_id]
        reason = line.reason.strip()
        row = mine.get(criterion_id)
        if row is not None and row.score == line.score and row.reason == reason:
            continue
        before = [row.score, row.reason] if row is not None else None
        if row is None:
            row = ProposalScore(
                proposal_id=proposal.id,
                criterion_id=criterion_id,
                scorer_id=actor.id,
                score=line.score,
                reason=reason,
            )
            db.session.add(row)
        else:
            row.score, row.reason, row.scored_at = line.score, reason, utcnow()
        db.session.flush()
        audit.record(
            "proposal.scored",
            row,
            actor=actor,
            summary=f"Scored proposal {proposal.id} on {criterion.name}: {line.score} of "
            f"{criterion.scale_max}"[:300],
            changes={"score": [before[0] if before else None, line.score], "reason": reason},
        )
        changed += 1
    return changed


# --------------------------------------------------------------------------------------
# The prioritisation board
# --------------------------------------------------------------------------------------


def add_board_member(user: User, *, actor: User) -> BoardMember:
    if not actor.is_pmo:
        raise RuleError("PMO staff keep the prioritisation board's list")
    if not user.is_active_user:
        raise RuleError("Choose an active person", "user_id")
    if db.session.get(BoardMember, user.id) is not None:
        raise RuleError(f"{user.name} is already on the prioritisation board", "user_id")
    member = BoardMember(user_id=user.id, added_by_id=actor.id)
    db.session.add(member)
    db.session.flush()
    access.forget()
    audit.record(
        "prioritisation_board.added",
        object_type="prioritisation_board_members",
        object_id=user.id,
        actor=actor,
        summary=f"Added {user.name} to the prioritisation board",
        changes={"person": [None, user.name]},
    )
    return member


def remove_board_member(member: BoardMember, *, actor: User) -> None:
    if not actor.is_pmo:
        raise RuleError("PMO staff keep the prioritisation board's list")
    name, user_id = member.user.name, member.user_id
    db.session.delete(member)
    db.session.flush()
    access.forget()
    audit.record(
        "prioritisation_board.removed",
        object_type="prioritisation_board_members",
        object_id=user_id,
        actor=actor,
        summary=f"Removed {name} from the prioritisation board",
        changes={"person": [name, None]},
    )


@dataclass
class DecisionData:
    decision: str
    reason: str = ""
    defer_until: date | None = None
    # For an approval: the project it becomes.
    code: str = ""
    manager_id: int | None = None
    lead_organisation_id: int | None = None


def _criticality(proposal: Proposal) -> int:
    assessment = proposal.assessment or {}
    return int(assessment.get("answers", {}).get("C1", 3))


def _approve(proposal: Proposal, data: DecisionData, actor: User):
    lead_id = data.lead_organisation_id or proposal.lead_organisation_id
    problems = rules.approval_problems(
        problem=proposal.problem,
        lead_organisation_id=lead_id,
        rough_cost=proposal.rough_cost,
        start_on=proposal.start_on,
        finish_on=proposal.finish_on,
    )
    if problems:
        field_name, message = problems[0]
        raise RuleError(message, field_name if field_name == "lead_organisation_id" else None)
    if not (data.code or "").strip():
        raise RuleError("Enter the new project's code", "code")
    if data.manager_id is None:
        raise RuleError("Choose the new project's manager", "manager_id")
    if proposal.assessment is None:
        raise RuleError("The proposal has no uncertainty assessment to carry into the project")
    statement = proposal.problem.strip()
    if proposal.outcome.strip():
        statement += f"\n\nOutcome sought: {proposal.outcome.strip()}"
    project = projects.create_project(
        projects.ProjectData(
            code=data.code.strip().upper(),
            name=proposal.title,
            problem_statement=statement,
            lead_organisation_id=lead_id,
            partner_ids=[org.id for org in proposal.partners if org.id != lead_id],
            manager_id=data.manager_id,
            budget_at_completion=proposal.rough_cost,
            planned_start=proposal.start_on,
            planned_finish=proposal.finish_on,
            criticality=_criticality(proposal),
        )
    )
    # The proposer answered the assessment: it is the project's first, unchanged.
    methods.assess(project, proposal.assessment["answers"], assessed_by=proposal.proposer)
    proposal.project_id = project.id
    proposal.lead_organisation_id = lead_id
    return project


def decide(
    proposal: Proposal, data: DecisionData, *, version: int | None, actor: User, today: date
) -> ProposalDecision:
    """The board approves (into a proposed project carrying the proposal's problem,
    organisations, budget, dates and assessment), defers to a date, or rejects with a reason.
    A stale page or a decision made at the same moment elsewhere is refused."""
    refusal = access.decide_refusal(actor, proposal)
    if refusal:
        raise RuleError(refusal)
    check_version(proposal, version)
    if data.decision not in rules.DECISIONS:
        raise RuleError("Choose approve, defer or reject", "decision")
    reason = (data.reason or "").strip()
    if data.decision == Decision.REJECT and not reason:
        raise RuleError("Say why the proposal is rejected", "reason")
    if data.decision == Decision.DEFER:
        problem = rules.defer_problem(data.defer_until, today)
        if problem:
            raise RuleError(problem, "defer_until")
    project = _approve(proposal, data, actor) if data.decision == Decision.APPROVE else None
    sequence = (
        db.session.scalar(
            select(func.max(ProposalDecision.sequence)).where(
                ProposalDecision.proposal_id == proposal.id
            )
        )
        or 0
    ) + 1
    before = proposal.status
    decision = ProposalDecision(
        proposal_id=proposal.id,
        sequence=sequence,
        decision=data.decision,
        reason=reason,
        defer_until=data.defer_until if data.decision == Decision.DEFER else None,
        decided_by_id=actor.id,
    )
    db.session.add(decision)
    proposal.status = rules.DECIDED_STATUS[Decision(data.decision)]
    proposal.deferred_until = decision.defer_until
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise RuleError(DECIDED_MEANWHILE) from None
    except StaleDataError:
        raise StaleEdit() from None
    words = {
        Decision.APPROVE: f"Approved proposal {proposal.id} into project "
        f"{project.code if project else ''}",
        Decision.DEFER: f"Deferred proposal {proposal.id} to {data.defer_until}",
        Decision.REJECT: f"Rejected proposal {proposal.id}",
    }
    audit.record(
        f"proposal.{rules.DECIDED_STATUS[Decision(data.decision)]}",
        decision,
        project_id=project.id if project else None,
        actor=actor,
        summary=f"{words[Decision(data.decision)]}: {proposal.title}"[:300],
        changes={
            "status": [before, proposal.status],
            "reason": reason,
            "defer_until": decision.defer_until,
            "project": project.code if project else None,
        },
    )
    return decision


def funding_lines(proposal: Proposal) -> list[FundingLine]:
    """The four sources in order, with the proposal's amounts where it has them."""
    have = {line.source: line for line in proposal.funding}
    return [
        FundingLine(
            source,
            have[source].amount if source in have else None,
            have[source].is_confirmed if source in have else False,
        )
        for source in FundingSource
    ]
