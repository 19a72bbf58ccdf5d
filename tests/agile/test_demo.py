"""The demo loads iterations with history and feedback, once."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.agile import queries
from tracker.agile.demo import DEMO
from tracker.agile.models import CarryOver, Feedback, Iteration
from tracker.demo import data
from tracker.projects.models import Project


def test_demo_iterations_are_loaded_once_and_make_sense(db):
    data.load("demo password for tests")
    db.session.commit()
    iterations = db.session.scalar(select(func.count()).select_from(Iteration))
    # Five sprints for each agile-looking demo project whose method decision allows them
    # and whose board has started it (a proposed hybrid project runs none).
    eligible = db.session.scalar(
        select(func.count())
        .select_from(Project)
        .where(
            Project.code.in_(list(DEMO)),
            Project.delivery_method != "stage_gated",
            Project.status != "proposed",
        )
    )
    assert eligible >= 4
    assert iterations == eligible * 5
    data.load("demo password for tests")
    assert db.session.scalar(select(func.count()).select_from(Iteration)) == iterations
    statuses = db.session.execute(
        select(Iteration.status, func.count()).group_by(Iteration.status)
    ).all()
    assert dict(statuses) == {"closed": 3 * eligible, "active": eligible, "planned": eligible}
    assert db.session.scalar(select(func.count()).select_from(CarryOver)) > 0
    closed_loops = db.session.scalar(select(func.count()).where(Feedback.loop_closed))
    open_loops = db.session.scalar(select(func.count()).where(Feedback.loop_closed.is_(False)))
    assert closed_loops > 0 and open_loops > 0
    # Every closed iteration had agreement to proceed, and its recorded points match history.
    for iteration in db.session.scalars(select(Iteration).where(Iteration.status == "closed")):
        agreements = {f.agreement for f in queries.iteration_feedback(iteration.id)}
        assert agreements & {"yes", "yes_with_changes"}
        line = queries.burndown(iteration)
        assert line.points[-1].remaining == iteration.committed_points - iteration.completed_points
