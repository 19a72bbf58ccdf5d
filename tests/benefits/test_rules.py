"""The benefits rules without an app or a database: the trajectory, the tolerance, the
checks on what people type, and the review dates an end-project report names."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tracker.benefits import rules
from tracker.benefits.rules import BenefitKind, Point

BASE = Point(date(2026, 4, 1), Decimal(100))
TARGET = Point(date(2027, 4, 1), Decimal(200))


def test_linear_trajectory_worked_example():
    # 183 of 365 days in: 100 + 100 x 183/365.
    value = rules.expected(date(2026, 10, 1), baseline=BASE, target=TARGET)
    assert value.quantize(Decimal("0.01")) == Decimal("150.14")


def test_trajectory_holds_the_baseline_before_and_the_target_after():
    assert rules.expected(date(2026, 1, 1), baseline=BASE, target=TARGET) == 100
    assert rules.expected(date(2028, 1, 1), baseline=BASE, target=TARGET) == 200


def test_trajectory_through_given_points():
    points = [Point(date(2026, 10, 1), Decimal(110))]  # a slow start, then the rest
    assert rules.expected(date(2026, 10, 1), baseline=BASE, target=TARGET, points=points) == 110
    halfway_after = rules.expected(
        date(2027, 1, 1), baseline=BASE, target=TARGET, points=points
    ).quantize(Decimal("0.1"))
    # 92 of 182 days from 110 to 200; the straight line would say 175.
    assert halfway_after == Decimal("155.5")


def test_worked_example_off_at_ten_percent_within_at_twenty_five():
    on = date(2026, 10, 1)
    expected = rules.expected(on, baseline=BASE, target=TARGET)
    share = rules.shortfall_share(
        BenefitKind.BENEFIT,
        baseline=BASE.value,
        target=TARGET.value,
        expected_value=expected,
        actual=Decimal(130),
    )
    assert share.quantize(Decimal("0.0001")) == Decimal("0.2014")
    assert rules.is_off_track(share, Decimal(10))
    assert not rules.is_off_track(share, Decimal(25))


def test_ahead_of_the_trajectory_is_not_a_breach():
    share = rules.shortfall_share(
        BenefitKind.BENEFIT,
        baseline=Decimal(100),
        target=Decimal(200),
        expected_value=Decimal(150),
        actual=Decimal(190),
    )
    assert share < 0 and not rules.is_off_track(share, Decimal(10))


def test_a_falling_target_counts_a_rise_as_behind():
    # Complaints to fall from 500 to 300: 480 where 400 was expected is 40% of the plan behind.
    share = rules.shortfall_share(
        BenefitKind.BENEFIT,
        baseline=Decimal(500),
        target=Decimal(300),
        expected_value=Decimal(400),
        actual=Decimal(480),
    )
    assert share == Decimal("0.4")


def test_a_disbenefit_is_off_when_the_harm_exceeds_its_trajectory():
    # Disruption hours allowed to rise from 0 to 100; 80 where 50 was expected is beyond.
    args = {"baseline": Decimal(0), "target": Decimal(100), "expected_value": Decimal(50)}
    worse = rules.shortfall_share(BenefitKind.DISBENEFIT, actual=Decimal(80), **args)
    better = rules.shortfall_share(BenefitKind.DISBENEFIT, actual=Decimal(20), **args)
    assert rules.is_off_track(worse, Decimal(10))
    assert not rules.is_off_track(better, Decimal(10))


@pytest.mark.parametrize(
    ("stated", "percent"),
    [
        ("Forecast benefits stay within 10% of the approved business case.", Decimal(10)),
        ("Within 7.5 per cent of the profile", Decimal("7.5")),
        ("No fall in any benefit", rules.DEFAULT_TOLERANCE_PERCENT),
        (None, rules.DEFAULT_TOLERANCE_PERCENT),
    ],
)
def test_tolerance_from_the_stage_benefit_target(stated, percent):
    assert rules.tolerance_percent(stated) == percent


def test_realised_amount_is_capped_by_the_plan_and_never_negative():
    kwargs = {"baseline": Decimal(0), "target": Decimal(1000)}
    assert rules.realised_amount(BenefitKind.BENEFIT, latest=Decimal(400), **kwargs) == 400
    assert rules.realised_amount(BenefitKind.BENEFIT, latest=Decimal(1500), **kwargs) == 1000
    assert rules.realised_amount(BenefitKind.BENEFIT, latest=Decimal(-5), **kwargs) == 0
    assert rules.realised_amount(BenefitKind.BENEFIT, latest=None, **kwargs) == 0
    assert rules.realised_amount(BenefitKind.DISBENEFIT, latest=Decimal(400), **kwargs) == 0


def test_a_target_without_a_unit_is_refused():
    assert "unit" in rules.unit_problem("", "non_cashable")
    assert "pounds" in rules.unit_problem("hours", "cashable")
    assert rules.unit_problem("£ a year", "cashable") is None


def test_a_measurement_before_the_baseline_is_refused():
    problem = rules.measurement_problem(date(2026, 3, 31), date(2026, 4, 1), date(2026, 5, 1))
    assert "before the baseline" in problem and "1 April 2026" in problem
    future = rules.measurement_problem(date(2026, 6, 1), date(2026, 4, 1), date(2026, 5, 1))
    assert "future" in future
    assert rules.measurement_problem(date(2026, 4, 1), date(2026, 4, 1), date(2026, 5, 1)) is None


def test_an_owner_without_account_needs_an_email_and_a_name():
    assert "email" in rules.owner_problem("", "Sam", has_account=False)
    assert "name" in rules.owner_problem("sam@partner.org", "", has_account=False)
    assert rules.owner_problem("sam@partner.org", "Sam Smith", has_account=False) is None
    assert rules.owner_problem("me@example.gov.uk", "", has_account=True) is None


def test_trajectory_points_are_parsed_and_checked():
    points = rules.parse_points("2026-10-01, 150\n\n2027-01-01 175.5")
    assert points == [
        Point(date(2026, 10, 1), Decimal(150)),
        Point(date(2027, 1, 1), Decimal("175.5")),
    ]
    with pytest.raises(ValueError, match="Line 1"):
        rules.parse_points("next October, 150")
    with pytest.raises(ValueError, match="does not exist"):
        rules.parse_points("2026-02-30, 1")
    assert "between" in rules.points_problem(points[:1], date(2026, 11, 1), date(2027, 4, 1))
    twice = [points[0], Point(date(2026, 10, 1), Decimal(1))]
    assert "different date" in rules.points_problem(twice, date(2026, 4, 1), date(2027, 4, 1))


def test_review_dates_named_in_an_end_project_report():
    text = (
        "Channel shift: review at 6 months (2027-06-30) and again on 31 December 2027. "
        "Not 31 February 2027, nor 2027-13-01."
    )
    assert rules.review_dates_in(text) == [date(2027, 6, 30), date(2027, 12, 31)]
    assert rules.review_dates_in("") == []


def test_values_are_shown_as_people_read_them():
    assert rules.shown(Decimal("12500.5000")) == "12,500.5"
    assert rules.shown(Decimal("0.0000")) == "0"
    assert rules.shown(None) == "–"
