"""The prompt to re-assess: a pure function of dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.methods.rules import reassess_prompt

TODAY = date(2026, 11, 22)


def test_never_assessed_prompts():
    prompt = reassess_prompt(None, TODAY)
    assert prompt is not None
    assert prompt.kind == "none"
    assert "not been assessed" in prompt.text


@pytest.mark.parametrize(
    ("age", "expected"), [(0, None), (89, None), (90, None), (91, "stale"), (400, "stale")]
)
def test_older_than_the_limit_prompts(age, expected):
    prompt = reassess_prompt(TODAY - timedelta(days=age), TODAY, after_days=90)
    assert (prompt.kind if prompt else None) == expected


def test_the_limit_is_a_parameter():
    last = TODAY - timedelta(days=31)
    assert reassess_prompt(last, TODAY, after_days=30).kind == "stale"
    assert reassess_prompt(last, TODAY, after_days=31) is None


def test_stale_text_names_the_date_and_age():
    prompt = reassess_prompt(date(2026, 7, 1), TODAY, after_days=90)
    assert "1 July 2026" in prompt.text
    assert "144 days old" in prompt.text


def test_a_later_boundary_prompts_even_when_recent():
    last = TODAY - timedelta(days=10)
    boundary = TODAY - timedelta(days=3)
    prompt = reassess_prompt(last, TODAY, boundaries=[boundary, last - timedelta(days=5)])
    assert prompt.kind == "boundary"
    assert prompt.since == boundary


@pytest.mark.parametrize("offset", [0, -1, 5])
def test_boundaries_on_or_before_the_assessment_or_in_the_future_do_not(offset):
    last = TODAY - timedelta(days=10)
    boundary = last + timedelta(days=offset) if offset <= 0 else TODAY + timedelta(days=offset)
    assert reassess_prompt(last, TODAY, boundaries=[boundary]) is None


def test_latest_boundary_is_named():
    last = date(2026, 11, 1)
    prompt = reassess_prompt(last, TODAY, boundaries=[date(2026, 11, 5), date(2026, 11, 20)])
    assert prompt.since == date(2026, 11, 20)
    assert "20 November 2026" in prompt.text


def test_after_days_must_be_positive():
    with pytest.raises(ValueError):
        reassess_prompt(TODAY, TODAY, after_days=0)
