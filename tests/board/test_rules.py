"""The board's pure rules: when a condition is overdue, who may settle it and how, and the
delivery confidence scale."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.board import rules
from tracker.board.rules import ConditionStatus, DcaRating

EVIDENCE = "Workshop notes filed in the stage file"


def test_an_open_condition_is_overdue_from_the_day_after_it_is_due():
    due = date(2027, 3, 31)
    assert not rules.is_overdue(ConditionStatus.OPEN, due, date(2027, 3, 31))
    assert rules.is_overdue(ConditionStatus.OPEN, due, date(2027, 4, 1))
    assert not rules.is_overdue(ConditionStatus.MET, due, date(2027, 4, 1))


@pytest.mark.parametrize(
    ("target", "explanation", "on_board", "owner", "field", "words"),
    [
        ("met", "", False, True, "explanation", "evidence"),
        ("met", "done", True, True, "explanation", "evidence"),
        ("met", EVIDENCE, False, False, "status", "owner"),
        ("waived", EVIDENCE, False, True, "status", "member of the project board"),
        ("waived", "", True, False, "explanation", "reason"),
        ("open", EVIDENCE, True, True, "status", "met or waived"),
    ],
)
def test_a_change_of_status_is_refused_with_its_reason(
    target, explanation, on_board, owner, field, words
):
    message, named = rules.resolution_refusal(
        ConditionStatus.OPEN,
        target,
        explanation=explanation,
        on_board=on_board,
        is_owner_or_manager=owner,
    )
    assert named == field
    assert words in message


def test_met_with_evidence_by_its_owner_and_waived_with_a_reason_by_the_board_are_allowed():
    allowed = {"explanation": EVIDENCE, "is_owner_or_manager": True}
    assert rules.resolution_refusal("open", "met", on_board=False, **allowed) is None
    assert rules.resolution_refusal("open", "waived", on_board=True, **allowed) is None


def test_a_settled_condition_stays_settled():
    message, _ = rules.resolution_refusal(
        ConditionStatus.MET, "waived", explanation=EVIDENCE, on_board=True, is_owner_or_manager=True
    )
    assert "already met" in message


def test_the_block_on_the_next_gate_names_how_many_conditions_are_open():
    assert rules.blocking_message(0, "Start gate") is None
    assert "1 condition of Start gate is still open" in rules.blocking_message(1, "Start gate")
    assert "2 conditions of Start gate are still open" in rules.blocking_message(2, "Start gate")


def test_every_rating_has_a_label_and_a_published_definition():
    assert set(rules.DCA_LABELS) == set(DcaRating) == set(rules.DCA_DEFINITIONS)
    assert rules.DCA_LABELS[DcaRating.AMBER_GREEN] == "Amber/Green"
    assert "highly likely" in rules.DCA_DEFINITIONS[DcaRating.GREEN]


def test_worsening_moves_towards_red_and_an_unknown_earlier_rating_never_counts():
    assert rules.worsened("green", "amber")
    assert not rules.worsened("amber", "amber_green")
    assert not rules.worsened("amber", "amber")
    assert not rules.worsened(None, "red")


def test_turning_red_happens_once_per_move_into_red():
    assert rules.turned_red("amber_red", "red")
    assert rules.turned_red(None, "red")
    assert not rules.turned_red("red", "red")
    assert not rules.turned_red("amber", "amber_red")


def test_divergence_is_the_spread_between_the_most_and_least_confident():
    assert rules.divergence([]) == 0
    assert rules.divergence(["amber", "amber"]) == 0
    assert rules.divergence(["green", "amber_red"]) == 3
