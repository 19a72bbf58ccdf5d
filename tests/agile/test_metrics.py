"""Feedback-loop figures (pure) and the project figures built from the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from tracker.agile import queries
from tracker.agile import services as agile
from tracker.agile.rules import FeedbackEntry, feedback_summary


def at(day):
    return datetime(2026, 3, day, 12, tzinfo=UTC)


def test_feedback_summary():
    summary = feedback_summary(
        [
            FeedbackEntry("Sprint 1", 3, True, at(1), at(3)),
            FeedbackEntry("Sprint 1", 4, False, at(1)),
            FeedbackEntry("Sprint 2", 5, True, at(10), at(16)),
            FeedbackEntry("Sprint 2", 4, True, at(10), at(11)),
        ]
    )
    assert summary.entries == 4
    assert summary.rating_trend == (("Sprint 1", D("3.50")), ("Sprint 2", D("4.50")))
    assert summary.acted_on_share == D("0.750")
    assert summary.loops_closed == 3
    assert summary.median_days_to_close == D("2.00")


def test_feedback_summary_with_nothing_recorded():
    summary = feedback_summary([])
    assert (summary.entries, summary.acted_on_share, summary.median_days_to_close) == (
        0,
        None,
        None,
    )


def test_project_metrics_move_when_work_closes(db, team, build, today):
    project = team["project"]
    sprint = build.iteration("Sprint 1", start=today - timedelta(days=13))
    done = build.item("A", 6, sprint)
    build.item("B", 2, sprint)
    build.start(sprint)
    build.status(done, "done")
    feedback = build.feedback(sprint, rating=2)
    before = queries.project_metrics(project.id, queries.project_iterations(project.id))
    assert before.velocity.iterations == 0
    assert before.feedback.acted_on_share == D("0.000")
    agile.close_iteration(project, sprint, version=None)
    agile.close_loop(
        project,
        feedback,
        action_taken="Fixed",
        how="Told them",
        backlog_item_id=None,
        version=None,
    )
    db.session.commit()
    after = queries.project_metrics(project.id, queries.project_iterations(project.id))
    assert (after.velocity.mean, after.velocity.predictability) == (D("6.00"), D("0.750"))
    assert after.feedback.acted_on_share == D("1.000")
    assert after.feedback.rating_trend == (("Sprint 1", D("2.00")),)
    assert after.feedback.loops_closed == 1
