"""``flask method recommend FILE``: JSON in, JSON out, status 2 on bad input."""

from __future__ import annotations

import json

import pytest

from tests.methods.conftest import COMPLEX
from tests.methods.helpers import raw
from tracker.methods import model

RESULT_KEYS = {
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


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def write(tmp_path):
    def writer(content, name="answers.json"):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content if isinstance(content, str) else json.dumps(content))
        return str(path)

    return writer


def _run(runner, path):
    return runner.invoke(args=["method", "recommend", path])


def test_one_object_gives_one_result(runner, write):
    result = _run(runner, write(raw()))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    assert set(data) == RESULT_KEYS
    assert data["method"] == "stage_gated"
    assert data["zone"] == "clear"
    assert data["model_version"] == model.MODEL_VERSION
    assert set(data["scores"]) == {
        "certainty",
        "agreement",
        "uncertainty",
        "feasibility",
        "readiness",
    }


def test_a_list_gives_a_list_with_project_labels(runner, write):
    records = [
        {"project": "HOM-2026-02", **COMPLEX},
        {"project": "HWY-2026-03", "size_tier": "large", **raw()},
    ]
    result = _run(runner, write(records))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(r["project"], r["method"]) for r in data] == [
        ("HOM-2026-02", "agile"),
        ("HWY-2026-03", "stage_gated"),
    ]
    assert data[1]["tailoring"]["tier"] == "large"
    assert next(iter(data[0])) == "project"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "Invalid JSON"),
        ({k: v for k, v in raw().items() if k != "U4"}, "Record 1: Missing answer: U4"),
        (raw(F2=6), "Record 1: F2 must be a whole number from 1 to 5"),
        (raw(C1=0), "Record 1: C1 must be a whole number from 1 to 5"),
        (raw(U9=3), "Record 1: Unknown key: U9"),
        (raw(team_size=0), "Record 1: team_size must be a positive whole number"),
        (raw(culture="hierarchy"), "Record 1: culture must be one of"),
        (
            [raw(), {"project": "PH-2026-07", **raw(R2=7)}],
            "Record 2 (PH-2026-07): R2 must be a whole number from 1 to 5",
        ),
        ([raw(), "not an object"], "Record 2: must be a JSON object of answers"),
        (b"\xff\xfe{}", "is not UTF-8 text"),
    ],
)
def test_bad_input_names_the_problem_and_the_record_and_exits_2(runner, write, content, expected):
    result = _run(runner, write(content))
    assert result.exit_code == 2
    assert expected in result.stderr
    assert result.stdout == ""  # nothing half processed


def test_a_missing_file_is_reported(runner, tmp_path):
    result = _run(runner, str(tmp_path / "nope.json"))
    assert result.exit_code == 2
    assert "Cannot read" in result.stderr


def test_reads_standard_input(runner):
    result = runner.invoke(args=["method", "recommend", "-"], input=json.dumps([raw()]))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["method"] == "stage_gated"
