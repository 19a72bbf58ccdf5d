"""Validation of answers and of batch files for ``flask method recommend``."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.methods.helpers import raw
from tracker.methods import model
from tracker.methods.rules import (
    AnswerError,
    BatchError,
    parse_batch,
    recommend,
    size_tier_for,
    validate_answers,
)


def problems(data) -> list[tuple[str, str]]:
    with pytest.raises(AnswerError) as caught:
        validate_answers(data)
    return caught.value.problems


def test_valid_answers_are_typed():
    answers = validate_answers(raw(U3=5, team_size=4, culture="control"))
    assert answers["U3"] == 5
    assert answers.team_size == 4
    assert answers.culture == "control"
    assert answers.to_dict() == raw(U3=5, team_size=4, culture="control")


def test_whole_floats_count_as_numbers():
    """JSON does not tell 3 from 3.0."""
    assert validate_answers(raw(U3=3.0, team_size=7.0))["U3"] == 3


def test_missing_answer_is_named():
    data = raw()
    del data["U2"]
    assert problems(data) == [("U2", "Missing answer: U2")]


@pytest.mark.parametrize("value", [0, 6, -1, 3.5, True, False, "3", "three", None, [3]])
def test_bad_scale_answer(value):
    assert problems(raw(U3=value)) == [("U3", "U3 must be a whole number from 1 to 5")]


def test_unknown_key():
    assert problems(raw(U9=3)) == [("U9", "Unknown key: U9")]


@pytest.mark.parametrize("value", [0, -3, 2.5, True, "5", None])
def test_bad_team_size(value):
    assert problems(raw(team_size=value)) == [
        ("team_size", "team_size must be a positive whole number")
    ]


@pytest.mark.parametrize("value", ["Control", "bureaucracy", "", None, 1])
def test_bad_culture(value):
    assert problems(raw(culture=value)) == [
        ("culture", "culture must be one of control, collaboration, cultivation, competence")
    ]


def test_every_problem_reported_at_once_in_question_order():
    data = raw(U1=9, R4=0, extra=1)
    del data["F2"]
    del data["culture"]
    found = problems(data)
    assert found == [
        ("U1", "U1 must be a whole number from 1 to 5"),
        ("F2", "Missing answer: F2"),
        ("R4", "R4 must be a whole number from 1 to 5"),
        ("culture", "Missing answer: culture"),
        ("extra", "Unknown key: extra"),
    ]
    with pytest.raises(AnswerError, match=r"^U1 must be .*; Missing answer: F2; "):
        validate_answers(data)


# --- size tier ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("budget", "tier"),
    [
        ("0", "small"),
        ("249999.99", "small"),
        ("250000", "medium"),
        ("5000000", "medium"),
        ("5000000.01", "large"),
    ],
)
def test_size_tier_for_default_thresholds(budget, tier):
    assert size_tier_for(Decimal(budget)) == tier


def test_size_tier_for_configured_thresholds():
    assert size_tier_for(Decimal("90000"), Decimal("100000"), Decimal("1000000")) == "small"
    assert size_tier_for(Decimal("1000001"), Decimal("100000"), Decimal("1000000")) == "large"


def test_size_tier_refuses_floats_and_negative_budgets():
    with pytest.raises(TypeError):
        size_tier_for(1000.0)
    with pytest.raises(ValueError, match="negative"):
        size_tier_for(Decimal("-1"))


# --- batch -------------------------------------------------------------------------------


def test_batch_single_object():
    results = parse_batch(json.dumps(raw()))
    assert len(results) == 1
    assert results[0] == recommend(validate_answers(raw())).to_dict()
    assert "project" not in results[0]


def test_batch_list_echoes_project_and_uses_size_tier():
    records = [
        {"project": "HOM-01", "size_tier": "large", **raw()},
        {"project": "REV-02", **raw(C1=3)},
    ]
    results = parse_batch(json.dumps(records))
    assert [r["project"] for r in results] == ["HOM-01", "REV-02"]
    assert next(iter(results[0])) == "project"
    assert results[0]["tailoring"]["tier"] == "large"
    assert results[1]["tailoring"]["tier"] == "medium"
    assert set(results[1]) == {
        "project",
        "method",
        "zone",
        "flags",
        "confidence",
        "confidence_reasons",
        "scores",
        "reasons",
        "risks",
        "tailoring",
        "model_version",
    }


def test_batch_empty_list_gives_no_results():
    assert parse_batch("[]") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "Invalid JSON: Expecting property name enclosed in double quotes at line 1"),
        ("", "Invalid JSON: Expecting value at line 1, column 1"),
        ('{"U1": 1, "U1": 2}', "Invalid JSON: Duplicate key: U1"),
    ],
)
def test_batch_invalid_json(text, message):
    with pytest.raises(BatchError) as caught:
        parse_batch(text)
    assert str(caught.value).startswith(message)


def test_batch_names_each_bad_record_and_problem():
    missing = raw()
    del missing["U2"]
    records = [
        {"project": "OK-1", **raw()},
        {"project": "BAD-2", **raw(U3=7, U9=1)},
        "not a record",
        {**missing, "size_tier": "huge"},
        {"project": "", **raw()},
    ]
    with pytest.raises(BatchError) as caught:
        parse_batch(json.dumps(records))
    assert str(caught.value).splitlines() == [
        "Record 2 (BAD-2): U3 must be a whole number from 1 to 5",
        "Record 2 (BAD-2): Unknown key: U9",
        "Record 3: must be a JSON object of answers",
        "Record 4: Missing answer: U2",
        "Record 4: size_tier must be one of small, medium, large",
        "Record 5: project must be a non-empty text label",
    ]
    assert (2, "U3", "U3 must be a whole number from 1 to 5") in caught.value.problems


@pytest.mark.parametrize("text", ["5", '"U1"', "null", "[[1, 2]]"])
def test_batch_non_object_records(text):
    with pytest.raises(BatchError, match=r"^Record 1: must be a JSON object of answers$"):
        parse_batch(text)


def test_batch_bool_answer_is_refused():
    with pytest.raises(BatchError, match=r"^Record 1: U1 must be a whole number from 1 to 5$"):
        parse_batch(json.dumps(raw(U1=True)))


def test_batch_keys_cover_the_model():
    """Every answer key a batch record may carry is one the model defines."""
    assert set(raw()) == set(model.ANSWER_KEYS)
