"""Worked examples: realistic public-service projects and what the model says about them."""

from __future__ import annotations

from decimal import Decimal

from tracker.methods.rules import recommend, size_tier_for, validate_answers


def assess(budget: str, **answers):
    return recommend(validate_answers(answers), size_tier=size_tier_for(Decimal(budget)))


def test_statutory_system_replacement_is_stage_gated():
    """A council replaces its revenues system: the law fixes what it must do, the product
    is proven and everyone agrees. A control culture with an untrained team adds a tradition
    pull, which is a risk to manage and not a reason: the method stays stage-gated because
    the project is clear."""
    result = assess(
        "1200000",
        U1=1, U2=1, U3=2, U4=2, U5=1, U6=2, U7=1,
        F1=2, F2=1, F3=1, C1=3,
        R1=3, R2=3, R3=2, R4=3, team_size=12, culture="control",
    )  # fmt: skip
    assert result.method == "stage_gated"
    assert result.zone == "clear"
    assert result.flags == ("tradition_pull",)
    assert result.confidence == "high"
    assert result.scores["uncertainty"] == 12.5
    assert result.reasons[0] == (
        "Requirements expected to change each month: under 1% (U1 = 1) → stage-gated"
    )
    assert result.reasons[-1].endswith("clear zone → stage-gated")
    assert [risk.id for risk in result.risks] == ["R3", "tradition_pull"]
    assert result.tailoring.tier == "medium"
    assert result.tailoring.gates == "every stage boundary"
    assert result.tailoring.iteration_review is None


def test_multi_agency_homelessness_prevention_pilot_is_agile():
    """Eight agencies, no agreed cause, a problem that moves as they act on it, and
    service users who can give feedback every fortnight."""
    result = assess(
        "400000",
        U1=4, U2=4, U3=4, U4=4, U5=5, U6=5, U7=2,
        F1=5, F2=4, F3=4, C1=3,
        R1=4, R2=4, R3=3, R4=4, team_size=9, culture="collaboration",
    )  # fmt: skip
    assert result.method == "agile"
    assert result.zone == "complex"
    assert result.flags == ()
    assert result.confidence == "high"
    assert result.reasons[:2] == (
        'How the problem behaves: shifts as you act ("wicked") (U5 = 5) → agile',
        "Organisations that must act: eight or more agencies (U6 = 5) → agile",
    )
    assert result.risks == ()
    assert result.tailoring.release_gate == "release gate approved by the Executive"
    assert result.tailoring.gates is None


def test_safeguarding_crisis_is_agile_and_stabilises_first():
    """Children are at risk now after a failed inspection; nobody knows yet what works.
    Harm happening now puts it in the chaotic zone: stabilise first, whatever the lives at
    stake, and the regime is sized by criticality although the budget is small."""
    result = assess(
        "150000",
        U1=5, U2=3, U3=4, U4=4, U5=5, U6=4, U7=5,
        F1=4, F2=4, F3=3, C1=4,
        R1=4, R2=2, R3=3, R4=2, team_size=15, culture="control",
    )  # fmt: skip
    assert result.method == "agile"
    assert result.zone == "chaotic"
    assert result.flags == ("stabilise_first", "tradition_pull")
    assert result.reasons[0] == (
        "Immediate action needed to stop harm: yes, harm is happening now (U7 = 5) → agile, "
        "stabilise first"
    )
    assert [risk.id for risk in result.risks] == ["R2", "R4", "tradition_pull"]
    assert result.tailoring.tier == "large"
    assert "at most six weeks with weekly checkpoints" in result.tailoring.stabilise_first


def test_complex_life_critical_crisis_pathway_is_hybrid():
    """A new mental-health crisis pathway across partners: complex, but a failure could
    cost lives, so iterations run inside stages with gate reviews at releases."""
    result = assess(
        "3000000",
        U1=3, U2=3, U3=4, U4=4, U5=3, U6=4, U7=2,
        F1=4, F2=3, F3=3, C1=5,
        R1=4, R2=3, R3=4, R4=3, team_size=20, culture="competence",
    )  # fmt: skip
    assert result.method == "hybrid"
    assert result.zone == "complex"
    assert result.flags == ()
    assert result.reasons[0] == (
        "What is lost if it fails: many lives (C1 = 5) → hybrid "
        "(iterations inside stages, gate reviews at releases)"
    )
    assert result.reasons[-1].endswith("complex zone → hybrid")
    assert result.risks == ()
    assert result.tailoring.tier == "large"
    assert result.tailoring.gates == "every stage boundary"
    assert result.tailoring.highlight_reports == "monthly"
    assert result.tailoring.release_gate == "release gates approved by the full board"


def test_complex_work_that_cannot_be_split_is_hybrid_with_a_risk():
    """A new shared-care record that can only go live all at once."""
    result = assess(
        "800000",
        U1=4, U2=3, U3=3, U4=5, U5=3, U6=4, U7=1,
        F1=3, F2=1, F3=2, C1=3,
        R1=4, R2=4, R3=4, R4=4, team_size=10, culture="competence",
    )  # fmt: skip
    assert result.method == "hybrid"
    assert result.zone == "complex"
    assert result.reasons[:2] == (
        "Delivery in usable increments: only all at once (F2 = 1) → hybrid",
        "Feasibility of iterating scores 25.0 of 100, below 40 → hybrid",
    )
    assert [risk.id for risk in result.risks] == ["iteration_constrained"]
    assert result.risks[0].title == "Uncertainty high but iteration constrained"
