"""The pure segregation-of-duties and exception-resolution rules, without a database."""

from __future__ import annotations

import itertools

import pytest

from tracker.stages.rules import (
    ExceptionResult,
    SizeTier,
    decision_counts_for_combined_roles,
    may_combine,
    resolve_exception,
    role_conflict,
    team_conflicts,
)

BOARD = ("executive", "senior_user", "senior_supplier")


@pytest.mark.parametrize("level", list(SizeTier))
@pytest.mark.parametrize("role", BOARD)
def test_the_manager_never_takes_a_board_role_at_any_level(level, role):
    message = role_conflict(level, {"project_manager"}, role)
    assert message is not None
    assert "the board directs and the project manager manages" in message


@pytest.mark.parametrize("level", list(SizeTier))
def test_a_board_member_never_becomes_the_manager(level):
    message = role_conflict(level, {"executive"}, "project_manager")
    assert message is not None and "cannot also manage the project" in message


def test_only_a_small_project_may_combine_executive_and_senior_user():
    assert may_combine(SizeTier.SMALL, {"executive", "senior_user"})
    assert not may_combine(SizeTier.SMALL, {"executive", "senior_supplier"})
    assert not may_combine(SizeTier.SMALL, {"senior_user", "senior_supplier"})
    assert not may_combine(SizeTier.SMALL, set(BOARD))
    for level in (SizeTier.MEDIUM, SizeTier.LARGE):
        for pair in itertools.combinations(BOARD, 2):
            assert not may_combine(level, pair), (level, pair)
    assert role_conflict(SizeTier.SMALL, {"executive"}, "senior_user") is None
    assert "different person" in role_conflict(SizeTier.MEDIUM, {"executive"}, "senior_user")


def test_one_decision_counts_for_combined_roles_only_where_they_may_combine():
    assert decision_counts_for_combined_roles(SizeTier.SMALL)
    assert not decision_counts_for_combined_roles(SizeTier.MEDIUM)
    assert not decision_counts_for_combined_roles(SizeTier.LARGE)


def test_non_board_roles_are_never_a_conflict():
    assert role_conflict(SizeTier.LARGE, {"project_manager"}, "team_member") is None
    assert role_conflict(SizeTier.LARGE, {"executive"}, "customer_rep") is None
    assert role_conflict(SizeTier.LARGE, {"team_member", "customer_rep"}, "executive") is None


def test_team_conflicts_lists_each_breach_once_per_person():
    lines = team_conflicts(
        SizeTier.MEDIUM,
        {
            "Maria": {"project_manager", "executive", "senior_user"},
            "Jane": {"executive", "senior_supplier"},
            "Sam": {"senior_user", "team_member"},
        },
    )
    assert lines == [
        "Jane holds Executive and Senior supplier, which medium governance does not allow "
        "one person to combine",
        "Maria is the project manager and also Executive and Senior user",
    ]
    assert team_conflicts(SizeTier.SMALL, {"Chair": {"executive", "senior_user"}}) == []


REQUIRED = ("executive", "senior_user")


def test_every_required_role_must_approve_the_same_option():
    one = resolve_exception(REQUIRED, [("senior_user", "approve_option", 2)])
    assert one.result is ExceptionResult.PENDING
    assert one.awaiting == ("executive",)
    assert one.message == "Waiting for: Executive."
    both = resolve_exception(
        REQUIRED, [("senior_user", "approve_option", 2), ("executive", "approve_option", 2)]
    )
    assert (both.result, both.option, both.not_needed) == (
        ExceptionResult.OPTION_APPROVED,
        2,
        (),
    )


def test_one_request_for_a_plan_settles_the_round_and_the_others_are_not_needed():
    outcome = resolve_exception(REQUIRED, [("senior_user", "request_exception_plan", None)])
    assert outcome.result is ExceptionResult.PLAN_REQUESTED
    assert outcome.resolved_by == ("senior_user",)
    assert outcome.not_needed == ("executive",)
    assert outcome.awaiting == ()


def test_different_options_are_no_agreement():
    outcome = resolve_exception(
        REQUIRED, [("executive", "approve_option", 1), ("senior_user", "approve_option", 2)]
    )
    assert outcome.result is ExceptionResult.PLAN_REQUESTED
    assert "different options" in outcome.message


def test_the_executive_alone_may_close_the_project():
    outcome = resolve_exception(REQUIRED, [("executive", "close_project", None)])
    assert outcome.result is ExceptionResult.PROJECT_CLOSED
    assert outcome.not_needed == ("senior_user",)
    with pytest.raises(ValueError, match="only the Executive"):
        resolve_exception(REQUIRED, [("senior_user", "close_project", None)])


def test_the_plan_round_needs_every_approval_and_one_request_sends_it_back():
    pending = resolve_exception(
        REQUIRED, [("executive", "approve_exception_plan", None)], plan_submitted=True
    )
    assert pending.result is ExceptionResult.PENDING
    approved = resolve_exception(
        REQUIRED,
        [
            ("executive", "approve_exception_plan", None),
            ("senior_user", "approve_exception_plan", None),
        ],
        plan_submitted=True,
    )
    assert approved.result is ExceptionResult.PLAN_APPROVED
    again = resolve_exception(
        REQUIRED, [("senior_user", "request_exception_plan", None)], plan_submitted=True
    )
    assert again.result is ExceptionResult.PLAN_REQUESTED
    assert "a new exception plan" in again.message
    with pytest.raises(ValueError, match="cannot be decided at this point"):
        resolve_exception(REQUIRED, [("executive", "approve_option", 1)], plan_submitted=True)


def test_roles_not_required_do_not_count_and_the_order_never_matters():
    decisions = [
        ("senior_supplier", "request_exception_plan", None),
        ("executive", "approve_option", 1),
        ("senior_user", "approve_option", 1),
    ]
    for order in itertools.permutations(decisions):
        assert resolve_exception(REQUIRED, order).result is ExceptionResult.OPTION_APPROVED


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="at least one"):
        resolve_exception((), [])
    with pytest.raises(ValueError, match="not a board role"):
        resolve_exception(("project_manager",), [])
    with pytest.raises(ValueError):
        resolve_exception(REQUIRED, [("executive", "maybe", None)])
