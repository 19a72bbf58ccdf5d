"""The model's data is complete, consistent, and free of web or database imports."""

from __future__ import annotations

import ast
from pathlib import Path

from tracker.methods import model

PACKAGE = Path(model.__file__).parent


def test_catalogue_is_complete_and_in_order():
    ids = [q.id for q in model.QUESTIONS]
    assert ids == [
        *(f"U{i}" for i in range(1, 8)),
        *(f"F{i}" for i in range(1, 4)),
        "C1",
        *(f"R{i}" for i in range(1, 5)),
    ]
    groups = {g.id for g in model.GROUPS}
    assert groups == {"uncertainty", "feasibility", "criticality", "readiness"}
    for question in model.QUESTIONS:
        assert question.group in groups
        assert len(question.labels) == 5
        assert all(label for label in question.labels)
        assert question.text.endswith("?")
        assert question.hint
        assert question.topic


def test_spec_labels_at_the_ends_of_each_scale():
    q = model.QUESTIONS_BY_ID
    assert q["U1"].labels[0] == "under 1%"
    assert q["U1"].labels[-1] == "over 30%"
    assert q["U6"].labels[-1] == "eight or more agencies"
    assert q["U7"].labels[-1] == "yes, harm is happening now"
    assert q["F3"].labels[0] == "fixed by statute or contract"
    assert [q["C1"].label(v) for v in model.SCALE][3:] == ["a single life", "many lives"]
    assert model.CRITICALITY[1] == "Loss of comfort"
    assert model.CRITICALITY[5] == "Many lives"


def test_names_and_numbers():
    assert model.MODEL_VERSION == "2026.1"
    assert dict(model.METHODS) == {
        "stage_gated": "Stage-gated",
        "hybrid": "Hybrid",
        "agile": "Agile",
    }
    assert set(model.CULTURES) == {"control", "collaboration", "cultivation", "competence"}
    assert set(model.DECISION_DRIVERS) == {
        "project_needs",
        "tradition",
        "training",
        "member_preference",
        "manager_preference",
    }
    assert set(model.READINESS_RISKS) == set(model.READINESS_KEYS)
    assert set(model.FLAGS) == {"political", "judgmental", "stabilise_first", "tradition_pull"}
    assert set(model.ZONES) == set(model.ZONE_ORDER)
    assert set(model.TAILORING) == set(model.SIZE_TIERS)
    t = model.THRESHOLDS
    assert (t.clear_below, t.complex_from, t.chaotic_from, t.axis_complex_from) == (20, 40, 60, 75)
    assert (t.flag_gap, t.confidence_margin, t.confidence_spread) == (40, 5, 1.5)
    assert (t.feasibility_low, t.feasibility_high, t.readiness_tradition_below) == (40, 60, 50)


def test_pure_core_has_no_web_or_database_imports():
    """The package's ``__init__`` will hold the blueprint; the model and rules stay pure."""
    for path in (PACKAGE / "model.py", PACKAGE / "rules.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                root = name.split(".")[0]
                assert root not in {"flask", "flask_sqlalchemy", "sqlalchemy", "wtforms"}, path
