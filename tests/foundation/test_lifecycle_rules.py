"""The project lifecycle as a pure rule: which governance decision may move which project
where. No app, no database."""

from __future__ import annotations

import pytest

from tracker.projects.rules import (
    DELIVERY_METHODS,
    LIFECYCLE,
    Mover,
    ProjectStatus,
    ProjectStatusError,
    check_status_change,
)

P, A, C, E = (
    ProjectStatus.PROPOSED,
    ProjectStatus.ACTIVE,
    ProjectStatus.CLOSED,
    ProjectStatus.CLOSED_EARLY,
)
METHODS = [*DELIVERY_METHODS, None]

ALLOWED = {
    # (from, to, mover): the methods it applies to
    (P, A, Mover.START_GATE): {"stage_gated", "hybrid"},
    (P, A, Mover.START_AUTHORISED): {"agile"},
    (A, C, Mover.CLOSING_GATE): {"stage_gated", "hybrid"},
    (A, C, Mover.CLOSING_DECISION): {"agile"},
    (A, C, Mover.CLOSURE_REPORT): {"agile"},
    (P, E, Mover.EARLY_CLOSURE): set(METHODS),
    (A, E, Mover.EARLY_CLOSURE): set(METHODS),
}


@pytest.mark.parametrize("current", list(ProjectStatus))
@pytest.mark.parametrize("target", list(ProjectStatus))
@pytest.mark.parametrize("mover", list(Mover))
@pytest.mark.parametrize("method", METHODS)
def test_every_move_is_allowed_only_by_its_decision_and_method(current, target, mover, method):
    allowed = method in ALLOWED.get((current, target, mover), set())
    if allowed:
        assert check_status_change(current, target, mover, method) is target
    else:
        with pytest.raises(ProjectStatusError):
            check_status_change(current, target, mover, method)


def test_the_table_is_the_rule():
    table = {
        (start, end, mover): set(methods)
        for (start, end), movers in LIFECYCLE.items()
        for mover, methods in movers.items()
    }
    assert table == ALLOWED


def test_a_stage_gated_project_is_not_started_by_the_executive_alone():
    with pytest.raises(ProjectStatusError) as caught:
        check_status_change("proposed", "active", "start_authorised", "stage_gated")
    message = str(caught.value)
    assert "becomes active only when the board approved the start gate" in message
    assert "moves only through governance" in message


def test_a_hybrid_project_starts_only_at_its_start_gate():
    with pytest.raises(ProjectStatusError) as caught:
        check_status_change("proposed", "active", "start_authorised", "hybrid")
    message = str(caught.value)
    assert "when the board approved the start gate (stage-gated or hybrid projects)" in message
    assert "when the Executive authorised the start (agile projects)" in message


def test_no_iteration_moves_a_project():
    assert "first_iteration" not in {mover.value for mover in Mover}


@pytest.mark.parametrize("final", ["closed", "closed_early"])
def test_closed_is_final(final):
    with pytest.raises(ProjectStatusError, match=f"is {final.replace('_', ' ')}: its status"):
        check_status_change(final, "active", "start_gate", "stage_gated")


def test_no_decision_takes_a_project_back_to_proposed():
    with pytest.raises(ProjectStatusError, match="active: it cannot become proposed"):
        check_status_change("active", "proposed", "early_closure", "agile")


def test_a_proposed_project_cannot_skip_to_closed():
    with pytest.raises(ProjectStatusError, match="proposed: it cannot become closed"):
        check_status_change("proposed", "closed", "closing_gate", "stage_gated")


def test_unknown_words_are_refused():
    with pytest.raises(ValueError):
        check_status_change("proposed", "in_exception", "start_gate", "stage_gated")
    with pytest.raises(ValueError):
        check_status_change("proposed", "active", "manager_says_so", "stage_gated")


def test_only_the_lifecycle_service_writes_a_projects_status():
    """Read the tracker's source: an assignment to ``<project>.status`` appears only in
    ``tracker/projects/lifecycle.py``, and a project is built with no status but proposed."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    writers, built = set(), []
    for path in sorted((root / "tracker").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                for part in target.elts if isinstance(target, ast.Tuple) else [target]:
                    if (
                        isinstance(part, ast.Attribute)
                        and part.attr == "status"
                        and "project" in ast.unparse(part.value).lower()
                    ):
                        writers.add(path.relative_to(root).as_posix())
            if (
                isinstance(node, ast.Call)
                and ast.unparse(node.func) == "Project"
                and any(k.arg == "status" for k in node.keywords)
            ):
                built.append(ast.unparse(node))
    assert writers == {"tracker/projects/lifecycle.py"}
    assert built == ["Project(status=ProjectStatus.PROPOSED.value)"]
