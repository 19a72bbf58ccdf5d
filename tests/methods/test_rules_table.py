"""Table-driven tests of every zone, recommendation row, flag and confidence trigger.

Answers move scores in steps (uncertainty in steps of 25/6, feasibility in steps of 25/3),
so several thresholds (uncertainty 20, 40 and 60, feasibility 40 and 60, an axis gap of 40)
cannot be hit exactly by answers. Those are tested exactly on the functions that hold the
rule (``zone_for``, ``method_for``, ``flags_for``, ``confidence_for``), and through
``recommend`` at the nearest reachable answers on either side.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from tests.methods.helpers import answers, axes
from tracker.methods.rules import (
    Scores,
    confidence_for,
    effective_tier,
    flags_for,
    method_for,
    recommend,
    tailoring_for,
    zone_for,
)

EPS = Fraction(1, 1000)
COMPLEX_U = axes((4, 4, 4), (4, 4, 4))  # uncertainty 75
COMPLICATED_U = axes((2, 2, 2), (2, 2, 2))  # uncertainty 25


def scores(certainty=0, agreement=0, uncertainty=None, feasibility=50, readiness=75) -> Scores:
    certainty, agreement = Fraction(certainty), Fraction(agreement)
    if uncertainty is None:
        uncertainty = (certainty + agreement) / 2
    return Scores(
        certainty, agreement, Fraction(uncertainty), Fraction(feasibility), Fraction(readiness)
    )


# --- zones -------------------------------------------------------------------------------

ZONE_CASES = [
    # (U1..U6, U7, expected zone, uncertainty shown)
    (axes((1, 1, 1), (1, 1, 1)), 1, "clear", 0.0),
    (axes((2, 2, 1), (2, 2, 1)), 1, "clear", 16.7),  # just below 20
    (axes((2, 2, 2), (2, 2, 1)), 1, "complicated", 20.8),  # just above 20
    (axes((2, 3, 3), (2, 3, 2)), 1, "complicated", 37.5),  # just below 40, axes < 75
    (axes((3, 3, 3), (2, 3, 2)), 1, "complex", 41.7),  # just above 40
    (axes((4, 4, 4), (1, 1, 1)), 1, "complex", 37.5),  # certainty axis at 75
    (axes((4, 4, 3), (1, 1, 1)), 1, "complicated", 33.3),  # certainty axis just below 75
    (axes((1, 1, 1), (4, 4, 4)), 1, "complex", 37.5),  # agreement axis at 75
    (axes((1, 1, 1), (4, 4, 3)), 1, "complicated", 33.3),  # agreement axis just below 75
    (axes((4, 4, 4), (3, 3, 3)), 4, "chaotic", 62.5),  # just above 60, U7 at 4
    (axes((4, 4, 4), (3, 3, 3)), 5, "chaotic", 62.5),
    (axes((4, 4, 4), (3, 3, 3)), 3, "complex", 62.5),  # U7 just below 4
    (axes((4, 4, 3), (3, 3, 3)), 5, "complex", 58.3),  # just below 60
    (axes((5, 5, 5), (5, 5, 5)), 1, "complex", 100.0),  # no harm: never chaotic
]


@pytest.mark.parametrize(("u", "u7", "zone", "uncertainty"), ZONE_CASES)
def test_zone_from_answers(u, u7, zone, uncertainty):
    result = recommend(answers(u, U7=u7))
    assert result.zone == zone
    assert result.scores["uncertainty"] == uncertainty


@pytest.mark.parametrize(
    ("u7", "certainty", "agreement", "zone"),
    [
        (1, 20 - EPS, 20 - EPS, "clear"),
        (1, 20, 20, "complicated"),  # uncertainty exactly 20
        (1, 40 - EPS, 40 - EPS, "complicated"),
        (1, 40, 40, "complex"),  # uncertainty exactly 40
        (1, 75 - EPS, 0, "complicated"),
        (1, 75, 0, "complex"),  # certainty axis exactly 75
        (1, 0, 75 - EPS, "complicated"),
        (1, 0, 75, "complex"),  # agreement axis exactly 75
        (4, 60 - EPS, 60 - EPS, "complex"),
        (4, 60, 60, "chaotic"),  # uncertainty exactly 60
        (3, 60, 60, "complex"),
        (5, 100, 100, "chaotic"),
    ],
)
def test_zone_exact_thresholds(u7, certainty, agreement, zone):
    assert zone_for(u7, Fraction(certainty), Fraction(agreement)) == zone


# --- recommendation table ---------------------------------------------------------------

ROW_CASES = [
    # (id, U1..U6, overrides, method, has the "iteration constrained" risk)
    (
        "chaotic",
        axes((5, 5, 5), (5, 5, 5)),
        {"U7": 4, "F1": 1, "F2": 1, "F3": 1, "C1": 5},
        "agile",
        False,
    ),
    ("complex F2=1", COMPLEX_U, {"F1": 5, "F2": 1, "F3": 5}, "hybrid", True),
    ("complex F2=2 feasible", COMPLEX_U, {"F1": 5, "F2": 2, "F3": 5}, "agile", False),
    ("complex feasibility 33.3", COMPLEX_U, {"F1": 2, "F2": 2, "F3": 3}, "hybrid", True),
    ("complex feasibility 41.7", COMPLEX_U, {"F1": 2, "F2": 3, "F3": 3}, "agile", False),
    ("complex C1=4", COMPLEX_U, {"C1": 4}, "hybrid", False),
    ("complex C1=5", COMPLEX_U, {"C1": 5}, "hybrid", False),
    ("complex C1=3", COMPLEX_U, {"C1": 3}, "agile", False),
    ("complex F2=1 beats C1", COMPLEX_U, {"F1": 5, "F2": 1, "F3": 5, "C1": 5}, "hybrid", True),
    ("complex otherwise", COMPLEX_U, {"F1": 5, "F2": 5, "F3": 5}, "agile", False),
    ("complicated iterable", COMPLICATED_U, {"F1": 4, "F2": 3, "F3": 4}, "hybrid", False),
    ("complicated F2=2", COMPLICATED_U, {"F1": 4, "F2": 2, "F3": 5}, "stage_gated", False),
    (
        "complicated feasibility 58.3",
        COMPLICATED_U,
        {"F1": 3, "F2": 3, "F3": 4},
        "stage_gated",
        False,
    ),
    (
        "complicated all feasible",
        COMPLICATED_U,
        {"F1": 5, "F2": 5, "F3": 5, "C1": 5},
        "hybrid",
        False,
    ),
    (
        "clear feasible",
        axes((1, 1, 1), (1, 1, 1)),
        {"F1": 5, "F2": 5, "F3": 5},
        "stage_gated",
        False,
    ),
    ("clear critical", axes((1, 1, 1), (1, 1, 1)), {"C1": 5, "F2": 1}, "stage_gated", False),
]


@pytest.mark.parametrize(
    ("u", "overrides", "method", "constrained"),
    [case[1:] for case in ROW_CASES],
    ids=[case[0] for case in ROW_CASES],
)
def test_recommendation_rows(u, overrides, method, constrained):
    result = recommend(answers(u, **overrides))
    assert result.method == method
    assert ("iteration_constrained" in [r.id for r in result.risks]) is constrained
    assert result.reasons


@pytest.mark.parametrize(
    ("zone", "feasibility", "f2", "c1", "method"),
    [
        ("chaotic", 0, 1, 5, "agile"),
        ("complex", 100, 1, 1, "hybrid"),
        ("complex", 100, 2, 1, "agile"),
        ("complex", 40 - EPS, 3, 1, "hybrid"),
        ("complex", 40, 3, 1, "agile"),  # feasibility exactly 40 is not below 40
        ("complex", 100, 3, 4, "hybrid"),
        ("complex", 100, 3, 3, "agile"),
        ("complicated", 60, 3, 1, "hybrid"),  # feasibility exactly 60
        ("complicated", 60 - EPS, 3, 1, "stage_gated"),
        ("complicated", 100, 2, 1, "stage_gated"),
        ("complicated", 100, 3, 5, "hybrid"),
        ("clear", 100, 5, 1, "stage_gated"),
    ],
)
def test_method_exact_thresholds(zone, feasibility, f2, c1, method):
    assert method_for(zone, Fraction(feasibility), f2, c1)[0] == method


def test_critical_hybrid_reason_names_c1():
    result = recommend(answers(COMPLEX_U, C1=4))
    assert result.reasons[0] == (
        "What is lost if it fails: a single life (C1 = 4) → hybrid "
        "(iterations inside stages, gate reviews at releases)"
    )


def test_constrained_hybrid_reason_names_f2():
    result = recommend(answers(COMPLEX_U, F1=5, F2=1, F3=5))
    assert result.reasons[0] == "Delivery in usable increments: only all at once (F2 = 1) → hybrid"


# --- flags -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("u", "overrides", "flags"),
    [
        (axes((1, 1, 1), (3, 3, 2)), {}, ("political",)),  # gap 41.7
        (axes((1, 1, 1), (3, 2, 2)), {}, ()),  # gap 33.3
        (axes((3, 3, 2), (1, 1, 1)), {}, ("judgmental",)),
        (axes((3, 2, 2), (1, 1, 1)), {}, ()),
        (axes((5, 5, 5), (5, 5, 5)), {"U7": 4}, ("stabilise_first",)),
        (axes((5, 5, 5), (3, 2, 2)), {"U7": 5}, ("judgmental", "stabilise_first")),  # 66.7
        (
            COMPLEX_U,
            {"culture": "control", "R1": 3, "R2": 3, "R3": 3, "R4": 2},
            ("tradition_pull",),
        ),
        (COMPLEX_U, {"culture": "control", "R1": 3, "R2": 3, "R3": 3, "R4": 3}, ()),  # 50
        (COMPLEX_U, {"culture": "competence", "R1": 1, "R2": 1, "R3": 1, "R4": 1}, ()),
    ],
)
def test_flags_from_answers(u, overrides, flags):
    assert recommend(answers(u, **overrides)).flags == flags


@pytest.mark.parametrize(
    ("certainty", "agreement", "flags"),
    [
        (0, 40, ("political",)),  # exactly 40
        (0, 40 - EPS, ()),
        (40, 0, ("judgmental",)),
        (40 - EPS, 0, ()),
        (50, 50, ()),
    ],
)
def test_flag_gap_exact(certainty, agreement, flags):
    assert flags_for(answers(), scores(certainty, agreement), "complex") == flags


@pytest.mark.parametrize(
    ("culture", "readiness", "pulled"),
    [
        ("control", 50 - EPS, True),
        ("control", 50, False),
        ("collaboration", 0, False),
        ("cultivation", 0, False),
    ],
)
def test_tradition_pull_exact(culture, readiness, pulled):
    flags = flags_for(answers(culture=culture), scores(readiness=readiness), "clear")
    assert ("tradition_pull" in flags) is pulled


def test_tradition_pull_adds_a_risk_but_never_changes_the_method():
    ready = recommend(answers(COMPLEX_U, culture="control"))
    pulled = recommend(answers(COMPLEX_U, culture="control", R1=1, R2=1, R3=1, R4=1))
    assert ready.method == pulled.method == "agile"
    assert [r.id for r in pulled.risks] == ["R1", "R2", "R3", "R4", "tradition_pull"]


# --- confidence --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("u", "u7", "confidence"),
    [
        (axes((1, 1, 1), (2, 2, 2)), 1, "high"),  # 12.5: 7.5 from 20
        (axes((2, 2, 1), (2, 2, 1)), 1, "low"),  # 16.7
        (axes((2, 2, 2), (2, 2, 2)), 1, "low"),  # 25.0: exactly 5 from 20 counts
        (axes((2, 3, 2), (2, 2, 2)), 1, "high"),  # 29.2
        (axes((2, 3, 3), (2, 3, 2)), 1, "low"),  # 37.5
        (axes((3, 3, 3), (2, 3, 2)), 1, "low"),  # 41.7
        (axes((3, 3, 3), (3, 2, 3)), 1, "high"),  # 45.8
        (axes((4, 4, 3), (3, 3, 3)), 4, "low"),  # 58.3, U7 makes 60 a boundary
        (axes((4, 4, 3), (3, 3, 3)), 3, "high"),  # 58.3, no chaotic boundary
        (axes((4, 4, 4), (3, 3, 3)), 4, "low"),  # 62.5
        (axes((4, 4, 4), (3, 4, 3)), 4, "high"),  # 66.7
    ],
)
def test_confidence_near_boundaries(u, u7, confidence):
    result = recommend(answers(u, U7=u7))
    assert result.confidence == confidence
    assert bool(result.confidence_reasons) is (confidence == "low")


@pytest.mark.parametrize(
    ("uncertainty", "u7", "confidence"),
    [
        (15 - EPS, 1, "high"),
        (15, 1, "low"),
        (25, 1, "low"),
        (25 + EPS, 1, "high"),
        (35 - EPS, 1, "high"),
        (35, 1, "low"),
        (45, 1, "low"),
        (45 + EPS, 1, "high"),
        (55, 1, "high"),
        (55, 4, "low"),
        (65, 4, "low"),
        (65 + EPS, 4, "high"),
        (65, 3, "high"),
    ],
)
def test_confidence_margin_exact(uncertainty, u7, confidence):
    assert confidence_for(answers(U7=u7), scores(uncertainty=uncertainty))[0] == confidence


@pytest.mark.parametrize(
    ("u", "confidence"),
    [
        ((2, 5, 2, 5, 2, 5), "low"),  # population standard deviation exactly 1.5
        ((1, 3, 3, 5, 5, 5), "high"),  # 1.49
    ],
)
def test_confidence_spread(u, confidence):
    result = recommend(answers(u))
    assert result.confidence == confidence
    if confidence == "low":
        assert result.confidence_reasons == (
            "The uncertainty answers U1 to U6 spread widely (standard deviation 1.50, 1.5 "
            "or more): the answers disagree — discuss them",
        )


def test_both_confidence_triggers_reported():
    result = recommend(answers((1, 1, 1, 4, 4, 4)))  # 37.5 and spread 1.5
    assert result.confidence == "low"
    assert len(result.confidence_reasons) == 2
    assert "boundary at 40" in result.confidence_reasons[0]


# --- tailoring ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size_tier", "c1", "tier"),
    [
        (None, 1, "small"),
        (None, 2, "small"),
        (None, 3, "medium"),
        (None, 4, "large"),
        ("small", 2, "small"),
        ("small", 3, "medium"),
        ("small", 5, "large"),
        ("medium", 1, "medium"),
        ("medium", 4, "large"),
        ("large", 1, "large"),
    ],
)
def test_effective_tier(size_tier, c1, tier):
    assert effective_tier(size_tier, c1) == tier
    assert recommend(answers(C1=c1), size_tier=size_tier).tailoring.tier == tier


def test_unknown_size_tier_is_refused():
    with pytest.raises(ValueError, match="size_tier must be one of small, medium, large"):
        recommend(answers(), size_tier="huge")


def test_tailoring_small_stage_gated():
    regime = tailoring_for("stage_gated", "small")
    assert regime.gates == "start and close only"
    assert regime.approvers == ("Executive",)
    assert regime.highlight_reports is None
    assert regime.iteration_review is None
    assert regime.release_gate is None
    assert regime.budget_checkpoint == "monthly"


def test_tailoring_medium_agile():
    regime = tailoring_for("agile", "medium")
    assert regime.gates is None
    assert regime.approvers == ("Executive", "Senior User")
    assert regime.iteration_review == "review with customer feedback each iteration"
    assert regime.release_gate == "release gate approved by the Executive"


def test_tailoring_large_hybrid_has_both_regimes():
    regime = tailoring_for("hybrid", "large")
    assert regime.gates == "every stage boundary"
    assert regime.highlight_reports == "monthly"
    assert regime.approvers == ("Executive", "Senior User", "Senior Supplier")
    assert regime.iteration_review == "review with customer feedback each iteration"
    assert regime.release_gate == "release gates approved by the full board"
