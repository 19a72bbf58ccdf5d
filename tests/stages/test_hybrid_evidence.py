"""A hybrid stage's gate shows the board the iterations and feedback inside the stage."""

from __future__ import annotations

from tests.stages.helpers import plan_stages, report_data
from tracker.agile.models import Feedback, Iteration
from tracker.db import utcnow
from tracker.stages import services


def _first_stage_running(db, board):
    project = board["project"]
    project.delivery_method = "hybrid"
    first, _ = plan_stages(project, board["manager"])
    start = services.request_gate(project, report_data(), actor=board["manager"])
    for role in ("executive", "senior_user"):
        services.decide_gate(start, role=role, decision="approve", comment="", actor=board[role])
    services.start_stage(first, version=None, actor=board["manager"])
    iteration = Iteration(
        project_id=project.id,
        stage_id=first.id,
        name="Sprint inside the stage",
        goal="Try the sign-up with residents",
        status="closed",
        start_on=first.planned_start,
        end_on=first.planned_start,
        committed_points=8,
        completed_points=5,
    )
    db.session.add(iteration)
    db.session.flush()
    db.session.add_all(
        [
            Feedback(
                project_id=project.id,
                iteration_id=iteration.id,
                source="citizen",
                rating=4,
                said="Clear",
                agreement="yes",
                loop_closed=True,
                loop_closed_at=utcnow(),
                loop_closed_how="Reworded the form",
            ),
            Feedback(
                project_id=project.id,
                iteration_id=iteration.id,
                source="staff",
                rating=2,
                said="Too slow",
                agreement="no",
            ),
        ]
    )
    db.session.commit()
    return project, first


def test_gate_request_and_gate_page_show_the_stage_iterations(db, board, client, login):
    project, first = _first_stage_running(db, board)
    login(board["manager"])
    page = client.get(f"/projects/{project.id}/gates/new").get_data(as_text=True)
    assert f"Iterations and feedback in {first.name}" in page
    assert "Sprint inside the stage" in page
    assert "1 of 2" in page  # loops closed of feedback entries
    assert "3.0" in page  # mean rating
    gate = services.request_gate(project, report_data(), actor=board["manager"])
    db.session.commit()
    login(board["executive"])
    page = client.get(f"/projects/{project.id}/gates/{gate.id}").get_data(as_text=True)
    assert "Sprint inside the stage" in page


def test_stage_gated_gates_show_no_iteration_evidence(db, board, client, login):
    project = board["project"]
    plan_stages(project, board["manager"])
    login(board["manager"])
    page = client.get(f"/projects/{project.id}/gates/new").get_data(as_text=True)
    assert "Iterations and feedback in" not in page
