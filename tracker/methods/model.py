"""The method model's data, version 2026.1: questions, labels, thresholds and texts.

This module is the one place the model's wording and numbers live, so that views, forms,
the CLI and the rules never disagree and a new model version is a change to one file.
It holds plain data only; the logic that reads it is in ``rules.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Final

MODEL_VERSION: Final = "2026.1"

SCALE: Final = (1, 2, 3, 4, 5)


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    title: str
    description: str


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    group: str
    text: str
    hint: str
    # Short name of what is asked, used to build reasons: "<topic>: <label> (U1 = 5)".
    topic: str
    # Labels for scale points 1..5, in order.
    labels: tuple[str, str, str, str, str]

    def label(self, value: int) -> str:
        return self.labels[value - 1]


GROUPS: Final = (
    Group(
        "uncertainty",
        "Uncertainty",
        "How unknown and how contested the work is. 5 is most uncertain.",
    ),
    Group(
        "feasibility",
        "Feasibility of iterating",
        "Whether the work can be delivered and tested in small steps. 5 is most feasible.",
    ),
    Group(
        "criticality",
        "Criticality",
        "What is lost if the project fails.",
    ),
    Group(
        "readiness",
        "Readiness",
        "Whether the organisation is ready to work adaptively. These are conditions to "
        "manage, never reasons to choose a method. 5 is most ready.",
    ),
)

QUESTIONS: Final = (
    Question(
        "U1",
        "uncertainty",
        "What share of requirements do you expect to change or be discovered each month?",
        "Think of the features, rules and outcomes the project must deliver.",
        "Requirements expected to change each month",
        ("under 1%", "about 5%", "about 10%", "about 20 to 30%", "over 30%"),
    ),
    Question(
        "U2",
        "uncertainty",
        "Do stakeholders and partners agree on the problem and its causes?",
        "Include elected members, partners and service users, not only the project team.",
        "Agreement on the problem and its causes",
        ("fully agree", "mostly agree", "partly agree", "mostly disagree", "deeply disagree"),
    ),
    Question(
        "U3",
        "uncertainty",
        "Do they agree on what the solution should be?",
        "Agreement on the problem does not mean agreement on the answer.",
        "Agreement on the solution",
        ("fully agree", "mostly agree", "some agreement", "little agreement", "no agreement"),
    ),
    Question(
        "U4",
        "uncertainty",
        "How proven is the solution or technology?",
        "Has this been done before, by this organisation or anywhere else?",
        "How proven the solution is",
        (
            "done many times, here",
            "done before, here",
            "done elsewhere, new here",
            "tried only in pilots",
            "never done anywhere",
        ),
    ),
    Question(
        "U5",
        "uncertainty",
        "Does the problem stay put, or change as you act on it?",
        "Wicked problems change as you work on them; stable ones wait to be solved.",
        "How the problem behaves",
        (
            "stable, well understood",
            "mostly stable",
            "changes slowly",
            "changes often",
            'shifts as you act ("wicked")',
        ),
    ),
    Question(
        "U6",
        "uncertainty",
        "How many organisations must act for it to succeed?",
        "Count the agencies whose staff or decisions the outcome depends on.",
        "Organisations that must act",
        (
            "one team",
            "one organisation",
            "2 or 3 organisations",
            "4 to 7 organisations",
            "eight or more agencies",
        ),
    ),
    Question(
        "U7",
        "uncertainty",
        "Is immediate action needed to stop harm?",
        "A crisis that is hurting people now, not an ambition to do better.",
        "Immediate action needed to stop harm",
        (
            "no",
            "not for now",
            "harm is possible soon",
            "harm is likely soon",
            "yes, harm is happening now",
        ),
    ),
    Question(
        "F1",
        "feasibility",
        "How often can service users or customers give feedback?",
        "Feedback from the people the service is for, on work they can see or use.",
        "How often users can give feedback",
        (
            "never during the project",
            "once or twice",
            "every few months",
            "about monthly",
            "every week or two",
        ),
    ),
    Question(
        "F2",
        "feasibility",
        "Can the work be delivered in usable increments?",
        "Usable means someone can use it for real, not a prototype nobody touches.",
        "Delivery in usable increments",
        (
            "only all at once",
            "in two or three big releases",
            "a usable increment every few months",
            "a usable increment every month or two",
            "a usable increment every few weeks",
        ),
    ),
    Question(
        "F3",
        "feasibility",
        "How flexible is what must be delivered?",
        "Statute, contracts and funding conditions can fix the scope.",
        "Flexibility of what must be delivered",
        (
            "fixed by statute or contract",
            "mostly fixed",
            "partly negotiable",
            "mostly negotiable",
            "fully negotiable",
        ),
    ),
    Question(
        "C1",
        "criticality",
        "What is lost if it fails?",
        "The worst credible loss if the project fails, not the likely one.",
        "What is lost if it fails",
        (
            "loss of comfort",
            "discretionary funds",
            "essential funds",
            "a single life",
            "many lives",
        ),
    ),
    Question(
        "R1",
        "readiness",
        "Do the sponsor and members support an adaptive approach for this project?",
        "Support for this project, not for agile in general.",
        "Sponsor and member support for an adaptive approach",
        ("no support", "little support", "some support", "mostly supportive", "full support"),
    ),
    Question(
        "R2",
        "readiness",
        "Are the team trusted to make day-to-day decisions?",
        "Can the team decide without waiting for sign-off on every change?",
        "Team trusted with day-to-day decisions",
        ("not trusted", "rarely", "sometimes", "mostly", "fully trusted"),
    ),
    Question(
        "R3",
        "readiness",
        "Has the team been trained in, and practised, iterative delivery?",
        "Self-help e-learning alone does not count.",
        "Training and practice in iterative delivery",
        (
            "no training",
            "e-learning only",
            "trained, little practice",
            "trained and practised",
            "trained and experienced",
        ),
    ),
    Question(
        "R4",
        "readiness",
        "Does the team have the time to work this way?",
        "Time for reviews, feedback sessions and planning, on top of the work itself.",
        "Team time to work this way",
        ("no time", "little time", "some time", "mostly", "enough time"),
    ),
)

QUESTIONS_BY_ID: Final = MappingProxyType({q.id: q for q in QUESTIONS})
SCALE_KEYS: Final = tuple(q.id for q in QUESTIONS)
UNCERTAINTY_KEYS: Final = ("U1", "U2", "U3", "U4", "U5", "U6", "U7")
CERTAINTY_AXIS_KEYS: Final = ("U1", "U4", "U5")
AGREEMENT_AXIS_KEYS: Final = ("U2", "U3", "U6")
SPREAD_KEYS: Final = ("U1", "U2", "U3", "U4", "U5", "U6")
FEASIBILITY_KEYS: Final = ("F1", "F2", "F3")
READINESS_KEYS: Final = ("R1", "R2", "R3", "R4")
TEAM_SIZE_KEY: Final = "team_size"
CULTURE_KEY: Final = "culture"
ANSWER_KEYS: Final = (*SCALE_KEYS, TEAM_SIZE_KEY, CULTURE_KEY)

# Schneider's culture types (seed 000, Khan).
CULTURES: Final = MappingProxyType(
    {
        "control": "Control",
        "collaboration": "Collaboration",
        "cultivation": "Cultivation",
        "competence": "Competence",
    }
)
CULTURE_HINTS: Final = MappingProxyType(
    {
        "control": "Order and predictability: clear authority, rules and sign-off.",
        "collaboration": "Partnership and teamwork: people decide together.",
        "cultivation": "Growth and purpose: developing people and new ideas.",
        "competence": "Expertise and excellence: the best people solve the problem.",
    }
)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Every number the rules compare against; scores are on the 0-100 scale."""

    clear_below: int = 20  # uncertainty below this: clear
    complex_from: int = 40  # uncertainty at or above this: complex
    chaotic_from: int = 60  # uncertainty at or above this, with U7 high: chaotic
    chaotic_u7_from: int = 4  # U7 at or above this can make a project chaotic
    axis_complex_from: int = 75  # either axis at or above this: complex
    flag_gap: int = 40  # political / judgmental when one axis leads by this much
    confidence_margin: int = 5  # uncertainty within this of a boundary: low confidence
    confidence_spread: float = 1.5  # population stdev of U1-U6 at or above: low confidence
    feasibility_low: int = 40  # complex and feasibility below this: hybrid
    feasibility_high: int = 60  # complicated and feasibility at or above this (and F2): hybrid
    complicated_f2_from: int = 3  # complicated needs F2 at or above this for hybrid
    complex_f2_blocked: int = 1  # complex and F2 equal to this: hybrid
    critical_c1_from: int = 4  # complex and C1 at or above this: hybrid
    readiness_tradition_below: int = 50  # control culture and readiness below: tradition pull
    readiness_risk_at_most: int = 2  # a readiness answer at or below this is a risk
    small_budget_below: Decimal = Decimal("250000")
    large_budget_above: Decimal = Decimal("5000000")
    stabilise_weeks_at_most: int = 6
    reassess_after_days: int = 90


THRESHOLDS: Final = Thresholds()

# The thresholds a model version may change (the calibration proposes new values for
# them); every other number stays as above in every version.
CALIBRATED: Final = (
    "clear_below",
    "complex_from",
    "chaotic_from",
    "axis_complex_from",
    "feasibility_low",
    "feasibility_high",
)
CALIBRATED_LABELS: Final = MappingProxyType(
    {
        "clear_below": "Uncertainty below which a project is clear",
        "complex_from": "Uncertainty from which a project is complex",
        "chaotic_from": "Uncertainty from which a project with U7 high is chaotic",
        "axis_complex_from": "Either axis from which a project is complex",
        "feasibility_low": "Complex: feasibility below which the method is hybrid",
        "feasibility_high": "Complicated: feasibility from which the method is hybrid",
    }
)


def thresholds_with(values: dict) -> Thresholds:
    """The thresholds of a version: the published ones with ``values`` (calibrated keys
    only) in their place."""
    from dataclasses import replace

    unknown = set(values) - set(CALIBRATED)
    if unknown:
        raise ValueError(f"not a calibrated threshold: {', '.join(sorted(unknown))}")
    return replace(THRESHOLDS, **{key: int(value) for key, value in values.items()})


def calibrated_values(thresholds: Thresholds) -> dict[str, int]:
    return {key: getattr(thresholds, key) for key in CALIBRATED}


METHODS: Final = MappingProxyType(
    {"stage_gated": "Stage-gated", "hybrid": "Hybrid", "agile": "Agile"}
)
# From least to most adaptive: the order the monotonicity property is stated in.
METHOD_ORDER: Final = ("stage_gated", "hybrid", "agile")


@dataclass(frozen=True, slots=True)
class Zone:
    id: str
    label: str
    explanation: str


ZONES: Final = MappingProxyType(
    {
        "clear": Zone(
            "clear",
            "Clear",
            "Cause and effect are known and agreed. Plan the work, then follow the plan.",
        ),
        "complicated": Zone(
            "complicated",
            "Complicated",
            "Cause and effect can be worked out by analysis or by experts. Plan, with "
            "expert review, and check the plan at each stage.",
        ),
        "complex": Zone(
            "complex",
            "Complex",
            "Cause and effect are only clear looking back, and people may not agree on the "
            "problem or the answer. Try small steps, learn from feedback, and adapt: "
            "probe, sense, respond.",
        ),
        "chaotic": Zone(
            "chaotic",
            "Chaotic",
            "Harm is happening now or likely soon, and nothing is stable. Act first to "
            "stabilise the situation, then re-assess before planning anything longer.",
        ),
    }
)
# From most settled to least: the order zones move in as uncertainty rises.
ZONE_ORDER: Final = ("clear", "complicated", "complex", "chaotic")


@dataclass(frozen=True, slots=True)
class Flag:
    id: str
    label: str
    explanation: str


FLAGS: Final = MappingProxyType(
    {
        "political": Flag(
            "political",
            "Political",
            "People disagree far more than the work is unknown. Build agreement first: "
            "a coalition, negotiation, a shared statement of the problem.",
        ),
        "judgmental": Flag(
            "judgmental",
            "Judgmental",
            "The work is far more unknown than it is contested. A shared vision has to "
            "stand in for a plan; agree how decisions will be made as you learn.",
        ),
        "stabilise_first": Flag(
            "stabilise_first",
            "Stabilise first",
            "Run a time-boxed response of at most six weeks with weekly checkpoints, "
            "then re-assess.",
        ),
        "tradition_pull": Flag(
            "tradition_pull",
            "Tradition pull",
            "A control culture with low readiness: expect pressure towards stage gates "
            "whatever the project needs.",
        ),
    }
)

CRITICALITY: Final = MappingProxyType(
    {
        1: "Loss of comfort",
        2: "Loss of discretionary funds",
        3: "Loss of essential funds",
        4: "A single life",
        5: "Many lives",
    }
)


@dataclass(frozen=True, slots=True)
class RiskText:
    id: str
    title: str
    mitigation: str


# A readiness answer at 2 or below becomes one of these risks.
READINESS_RISKS: Final = MappingProxyType(
    {
        "R1": RiskText(
            "R1",
            "Sponsor and members do not yet support an adaptive approach",
            "Brief the sponsor and members on how agile keeps budget checks and release "
            "gates, so they can see where they still decide.",
        ),
        "R2": RiskText(
            "R2",
            "The team is not trusted to make day-to-day decisions",
            "Agree decision rights: what the team decides, what the product owner "
            "decides, and what goes to the board.",
        ),
        "R3": RiskText(
            "R3",
            "The team has not been trained in, or practised, iterative delivery",
            "Arrange training with practice on real work, not e-learning alone.",
        ),
        "R4": RiskText(
            "R4",
            "The team does not have the time to work this way",
            "Protect the team's time: agree what they stop doing, and keep reviews and "
            "feedback sessions in their diaries.",
        ),
    }
)

TRADITION_PULL_RISK: Final = RiskText(
    "tradition_pull",
    "Tradition pull: a control culture with low readiness",
    "Expect pressure towards stage gates whatever the project needs. Record the drivers "
    "of the method decision, and return to the recommendation at each stage end or "
    "release.",
)

ITERATION_CONSTRAINED_RISK: Final = RiskText(
    "iteration_constrained",
    "Uncertainty high but iteration constrained",
    "Iterate where you can inside stages: prototypes, pilots and user research, with "
    "feedback before each stage ends. Look for ways to split the delivery or free up "
    "the scope.",
)

# Drivers a method decision can record (PRODUCT.md: the factors the study names).
DECISION_DRIVERS: Final = MappingProxyType(
    {
        "project_needs": "Project needs",
        "tradition": "Tradition (“the way it's always been done”)",
        "training": "Training",
        "member_preference": "Member preference",
        "manager_preference": "Manager preference",
    }
)

SIZE_TIERS: Final = ("small", "medium", "large")

# The tier C1 alone calls for; the effective tier is the larger of this and the size tier.
CRITICALITY_TIER: Final = MappingProxyType(
    {1: "small", 2: "small", 3: "medium", 4: "large", 5: "large"}
)


@dataclass(frozen=True, slots=True)
class TierRegime:
    """One row of the governance tailoring table.

    ``gates`` and ``highlight_reports`` apply to stage-gated and hybrid work;
    ``iteration_review`` and ``release_gate`` to agile and hybrid work;
    ``approvers`` and ``budget_checkpoint`` to every method.
    """

    tier: str
    gates: str
    highlight_reports: str | None
    approvers: tuple[str, ...]
    iteration_review: str
    budget_checkpoint: str
    release_gate: str | None


ITERATION_REVIEW: Final = "review with customer feedback each iteration"

TAILORING: Final = MappingProxyType(
    {
        "small": TierRegime(
            tier="small",
            gates="start and close only",
            highlight_reports=None,
            approvers=("Executive",),
            iteration_review=ITERATION_REVIEW,
            budget_checkpoint="monthly",
            release_gate=None,
        ),
        "medium": TierRegime(
            tier="medium",
            gates="every stage boundary",
            highlight_reports=None,
            approvers=("Executive", "Senior User"),
            iteration_review=ITERATION_REVIEW,
            budget_checkpoint="monthly",
            release_gate="release gate approved by the Executive",
        ),
        "large": TierRegime(
            tier="large",
            gates="every stage boundary",
            highlight_reports="monthly",
            approvers=("Executive", "Senior User", "Senior Supplier"),
            iteration_review=ITERATION_REVIEW,
            budget_checkpoint="monthly",
            release_gate="release gates approved by the full board",
        ),
    }
)

STABILISE_FIRST: Final = (
    "Stabilise first: a time-boxed response of at most six weeks with weekly "
    "checkpoints, then re-assess."
)

# What the second complex-zone hybrid row asks for (C1 high).
CRITICAL_HYBRID_NOTE: Final = "iterations inside stages, gate reviews at releases"

SPREAD_NOTE: Final = "the answers disagree — discuss them"
