"""A demo pipeline with a proposal at each step: a draft, one submitted and not scored,
one scored by two PMO scorers and waiting for the board, one deferred, one rejected and one
approved into a proposed project. Everything goes through the services, as on the pages.

Idempotent: a criterion or proposal whose name or title exists is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from tracker.auth.models import User
from tracker.core.dates import uk_today
from tracker.extensions import db
from tracker.orgs.models import Organisation
from tracker.proposals import services
from tracker.proposals.models import BoardMember, FitCriterion, Proposal

PMO = "priya.shah@example.gov.uk"
SECOND_SCORER = "admin@example.gov.uk"  # an administrator is PMO staff too
BOARD = (
    "cllr.jane.morgan@example.gov.uk",
    "chris.evans@example.gov.uk",
    "robert.ellis@example.gov.uk",
)
CRITERIA = (
    ("Strategic priority", "Serves a priority of the partners' corporate plans.", 3),
    ("Value for money", "Benefits well above the cost, and the cost is credible.", 2),
    ("Partnership benefit", "More than one agency gains, and each has a role.", 2),
    ("Deliverability", "The skills, suppliers and time exist to do it.", 1),
)
APPROVED_CODE = "WHR-2027-01"

_KEYS = ("U1", "U2", "U3", "U4", "U5", "U6", "U7", "F1", "F2", "F3", "C1", "R1", "R2", "R3", "R4")


def _answers(scale: str, team_size: int, culture: str) -> dict:
    values = [int(digit) for digit in scale.replace(" ", "")]
    return {**dict(zip(_KEYS, values, strict=True)), "team_size": team_size, "culture": culture}


@dataclass(frozen=True)
class DemoProposal:
    title: str
    proposer: str
    problem: str
    outcome: str
    lead: str | None
    partners: tuple[str, ...]
    cost: str | None
    start: date | None
    finish: date | None
    funding: tuple[tuple[str, str, bool], ...]
    answers: dict | None
    step: str  # draft, submitted, scored, deferred, rejected, approved
    # Each scorer's scores, criterion by criterion in CRITERIA's order.
    scores: tuple[tuple[int, ...], tuple[int, ...]] = ((), ())


PROPOSALS = (
    DemoProposal(
        "Youth mental health drop-in",
        "lucy.brown@example.gov.uk",
        "Young people wait months for a first appointment and many stop asking.",
        "",
        None,
        (),
        None,
        None,
        None,
        (),
        None,
        "draft",
    ),
    DemoProposal(
        "Digital library cards",
        "sam.taylor@example.gov.uk",
        "Residents must visit a branch to join the library, which few do.",
        "Anyone can join online in five minutes and borrow e-books the same day.",
        "Northshire County Council",
        (),
        "45000",
        date(2027, 4, 1),
        date(2027, 9, 30),
        (("revenue", "45000", True),),
        _answers("2222222 444 1 4444", 4, "collaboration"),
        "submitted",
    ),
    DemoProposal(
        "Flood warning sensors",
        "aisha.khan@example.gov.uk",
        "Residents on the Eastvale flood plain get warnings too late to move belongings.",
        "Street-level warnings an hour earlier, in the places that flood first.",
        "Eastvale Borough Council",
        ("Northshire Police",),
        "320000",
        date(2027, 5, 1),
        date(2028, 4, 30),
        (("capital", "220000", True), ("grant", "100000", False)),
        _answers("3332322 334 4 3333", 8, "control"),
        "scored",
        ((5, 3, 4, 3), (4, 4, 4, 2)),
    ),
    DemoProposal(
        "Electric fleet charging",
        "dev.patel@example.gov.uk",
        "The council's vans cannot go electric without charging at the depots.",
        "Every depot charges the whole fleet overnight.",
        "Northshire County Council",
        ("Eastvale Borough Council",),
        "600000",
        date(2027, 7, 1),
        date(2028, 12, 31),
        (("capital", "450000", False), ("partner", "150000", False)),
        _answers("1212112 223 2 4344", 6, "control"),
        "deferred",
        ((3, 3, 3, 4), (3, 2, 4, 4)),
    ),
    DemoProposal(
        "Community minibus",
        "tom.hughes@example.gov.uk",
        "Older people in the villages cannot reach the day centres.",
        "A bookable minibus three days a week.",
        "Northshire Community Voluntary Service",
        (),
        "80000",
        date(2027, 4, 1),
        date(2028, 3, 31),
        (("grant", "80000", False),),
        _answers("2221212 343 2 3333", 3, "cultivation"),
        "rejected",
        ((2, 2, 3, 4), (2, 3, 2, 4)),
    ),
    DemoProposal(
        "Warm homes retrofit",
        "lucy.brown@example.gov.uk",
        "Cold, damp homes make people ill: winter admissions for breathing problems are "
        "highest in the poorest-insulated streets.",
        "Fewer winter admissions and lower bills for the 400 coldest homes.",
        "Eastvale Borough Council",
        ("Northshire and Eastvale Integrated Care Board",),
        "1250000",
        date(2027, 4, 1),
        date(2029, 3, 31),
        (("capital", "900000", True), ("grant", "250000", True), ("partner", "100000", False)),
        _answers("3233332 444 3 3333", 10, "collaboration"),
        "approved",
        ((5, 4, 5, 3), (5, 4, 4, 3)),
    ),
)

REASONS = {
    "deferred": "Wait for the government's fleet grant round in the spring.",
    "rejected": "The voluntary sector transport scheme already covers these villages.",
}


def _criteria(pmo: User) -> list[FitCriterion]:
    have = {c.name: c for c in db.session.scalars(select(FitCriterion))}
    for name, description, weight in CRITERIA:
        if name not in have:
            have[name] = services.create_criterion(
                services.CriterionData(name, description, weight, 5), actor=pmo
            )
    return [have[name] for name, _, _ in CRITERIA]


def load(people: dict[str, User]) -> None:
    pmo, second = people[PMO], people[SECOND_SCORER]
    criteria = _criteria(pmo)
    for email in BOARD:
        if db.session.get(BoardMember, people[email].id) is None:
            services.add_board_member(people[email], actor=pmo)
    orgs = {o.name: o for o in db.session.scalars(select(Organisation))}
    titles = set(db.session.scalars(select(Proposal.title)))
    chair = people[BOARD[0]]
    today = uk_today()
    for spec in PROPOSALS:
        if spec.title in titles:
            continue
        proposer = people[spec.proposer]
        proposal = services.create_proposal(
            services.ProposalData(
                title=spec.title,
                problem=spec.problem,
                outcome=spec.outcome,
                lead_organisation_id=orgs[spec.lead].id if spec.lead else None,
                partner_ids=[orgs[name].id for name in spec.partners],
                rough_cost=Decimal(spec.cost) if spec.cost else None,
                start_on=spec.start,
                finish_on=spec.finish,
                funding=[
                    services.FundingLine(source, Decimal(amount), confirmed)
                    for source, amount, confirmed in spec.funding
                ],
            ),
            actor=proposer,
        )
        if spec.answers is not None:
            services.record_assessment(proposal, spec.answers, version=None, actor=proposer)
        if spec.step == "draft":
            continue
        services.submit_proposal(proposal, version=None, actor=proposer)
        for scorer, scores in zip((pmo, second), spec.scores, strict=True):
            if scores:
                services.score_proposal(
                    proposal,
                    [
                        services.ScoreLine(c.id, s, f"{c.name}: {s} of 5, from the mandate")
                        for c, s in zip(criteria, scores, strict=True)
                    ],
                    actor=scorer,
                )
        if spec.step in {"submitted", "scored"}:
            continue
        services.decide(
            proposal,
            services.DecisionData(
                _DECISION[spec.step],
                reason=REASONS.get(spec.step, "Strong fit, funding largely confirmed."),
                defer_until=today + timedelta(days=60) if spec.step == "deferred" else None,
                code=APPROVED_CODE,
                manager_id=proposer.id,
            ),
            version=None,
            actor=chair,
            today=today,
        )


_DECISION = {"deferred": "defer", "rejected": "reject", "approved": "approve"}
