"""Services: the rules hold, state changes are recorded and audited, races are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tracker.agile import services as agile
from tracker.agile.models import BacklogItem, CarryOver, Feedback, ItemStatusChange, Iteration
from tracker.audit.models import AuditEntry
from tracker.core.errors import RuleError, StaleEdit


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def actions(db, project) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.project_id == project.id)
            .order_by(AuditEntry.seq)
        )
    )


def test_overlapping_iterations_are_refused(db, team, build, today):
    build.iteration("Sprint 1", start=today, days=14)
    with pytest.raises(RuleError, match="overlaps 'Sprint 1'") as caught:
        agile.create_iteration(
            team["project"],
            agile.IterationData("Sprint 2", "", today + timedelta(days=13), today + timedelta(30)),
        )
    assert caught.value.field == "start_on"
    db.session.rollback()
    assert count(db, Iteration) == 1


def test_next_day_is_not_an_overlap(db, team, build, today):
    build.iteration("Sprint 1", start=today, days=14)
    second = build.iteration("Sprint 2", start=today + timedelta(days=14))
    assert second.status == "planned"


def test_end_before_start_and_duplicate_name(db, team, build, today):
    with pytest.raises(RuleError, match="End date must be the same as or after"):
        agile.create_iteration(
            team["project"], agile.IterationData("S", "", today, today - timedelta(days=1))
        )
    build.iteration("Sprint 1", start=today)
    with pytest.raises(RuleError, match="already has an iteration called 'sprint 1'"):
        agile.create_iteration(
            team["project"],
            agile.IterationData("sprint 1", "", today + timedelta(60), today + timedelta(70)),
        )


@pytest.mark.parametrize(
    ("method", "message"), [(None, "not decided yet"), ("stage_gated", "stage-gated")]
)
def test_only_agile_and_hybrid_projects_have_iterations(db, team, today, method, message):
    project = team["project"]
    project.delivery_method = method
    db.session.commit()
    with pytest.raises(RuleError, match=message):
        agile.create_iteration(project, agile.IterationData("S1", "", today, today))
    with pytest.raises(RuleError, match="agile and hybrid"):
        agile.create_item(project, agile.ItemData("Item", "", 3))
    db.session.rollback()
    assert count(db, Iteration) == 0
    assert count(db, BacklogItem) == 0


def test_hybrid_projects_have_iterations(db, team, build):
    team["project"].delivery_method = "hybrid"
    db.session.commit()
    assert build.iteration().status == "planned"


@pytest.mark.parametrize("points", [0, -2, True, 2.5])
def test_points_must_be_positive_whole_numbers(db, team, points):
    with pytest.raises(RuleError, match="whole number of 1 or more"):
        agile.create_item(team["project"], agile.ItemData("Item", "", points))
    db.session.rollback()
    assert count(db, BacklogItem) == 0


def test_items_cannot_join_a_closed_iteration(db, team, build):
    sprint = build.start(build.iteration())
    build.feedback(sprint)
    agile.close_iteration(team["project"], sprint, version=None)
    db.session.commit()
    with pytest.raises(RuleError, match="Sprint 1 is closed") as caught:
        agile.create_item(team["project"], agile.ItemData("Late", "", 2, sprint.id))
    assert caught.value.field == "iteration_id"


def test_every_item_change_is_recorded_in_history(db, team, build):
    sprint = build.iteration()
    item = build.item("Form", 5)
    agile.update_item(
        team["project"], item, agile.ItemData("Form", "", 5, sprint.id), version=item.version
    )
    db.session.commit()
    build.status(item, "doing")
    build.status(item, "done")
    rows = db.session.execute(
        select(
            ItemStatusChange.reason,
            ItemStatusChange.from_status,
            ItemStatusChange.to_status,
            ItemStatusChange.iteration_id,
        )
        .where(ItemStatusChange.item_id == item.id)
        .order_by(ItemStatusChange.id)
    ).all()
    assert [tuple(row) for row in rows] == [
        ("created", None, "todo", None),
        ("moved", "todo", "todo", sprint.id),
        ("status", "todo", "doing", sprint.id),
        ("status", "doing", "done", sprint.id),
    ]
    assert actions(db, team["project"])[-3:] == [
        "backlog_item.updated",
        "backlog_item.status_changed",
        "backlog_item.status_changed",
    ]


def test_stale_item_edit_is_refused(db, team, build):
    item = build.item("Form", 5)
    seen = item.version
    build.status(item, "doing")
    with pytest.raises(StaleEdit):
        agile.update_item(team["project"], item, agile.ItemData("Renamed", "", 8), version=seen)
    with pytest.raises(StaleEdit):
        agile.change_status(team["project"], item, "done", version=seen)
    db.session.rollback()
    assert db.session.get(BacklogItem, item.id).title == "Form"


def test_start_commits_the_items_points_and_only_one_runs_at_once(db, team, build, today):
    first = build.iteration("Sprint 1", start=today)
    second = build.iteration("Sprint 2", start=today + timedelta(days=14))
    build.item("A", 3, first)
    build.item("B", 5, first)
    build.start(first)
    assert (first.status, first.committed_points) == ("active", 8)
    with pytest.raises(RuleError, match="Close Sprint 1 before starting another"):
        agile.start_iteration(team["project"], second, version=None)


def test_closing_needs_feedback_with_agreement(db, team, build):
    project = team["project"]
    sprint = build.start(build.iteration())
    with pytest.raises(RuleError, match="Record customer feedback"):
        agile.close_iteration(project, sprint, version=None)
    db.session.rollback()
    build.feedback(sprint, agreement="no")
    with pytest.raises(RuleError, match="No customer has agreed"):
        agile.close_iteration(project, sprint, version=None)
    db.session.rollback()
    sprint = db.session.get(Iteration, sprint.id)
    assert sprint.status == "active"
    assert sprint.completed_points is None
    assert "iteration.closed" not in actions(db, project)


def test_closing_a_planned_iteration_is_refused(db, team, build):
    sprint = build.iteration()
    with pytest.raises(RuleError, match="Only an active iteration can be closed"):
        agile.close_iteration(team["project"], sprint, version=None)


def test_close_records_points_and_carries_unfinished_work_over(db, team, build, today):
    project = team["project"]
    first = build.iteration("Sprint 1", start=today - timedelta(days=13))
    later = build.iteration("Sprint 3", start=today + timedelta(days=15))
    second = build.iteration("Sprint 2", start=today + timedelta(days=1))
    done = build.item("Done", 5, first)
    doing = build.item("Doing", 3, first)
    todo = build.item("Todo", 2, first)
    build.start(first)
    build.status(done, "doing")
    build.status(done, "done")
    build.status(doing, "doing")
    build.feedback(first, agreement="yes_with_changes")
    build.feedback(first, agreement="no")

    outcome = agile.close_iteration(project, first, version=first.version)
    db.session.commit()

    assert (outcome.completed_points, outcome.carried_over_points) == (5, 5)
    assert (outcome.agreements, outcome.disagreements) == (1, 1)
    assert first.status == "closed" and first.completed_points == 5 and first.closed_at
    # Unfinished work moves to the *next* planned iteration by date, keeping its status.
    assert (doing.iteration_id, doing.status) == (second.id, "doing")
    assert todo.iteration_id == second.id
    assert later.id not in {doing.iteration_id, todo.iteration_id}
    assert done.iteration_id == first.id
    carry = db.session.scalars(select(CarryOver).order_by(CarryOver.item_id)).all()
    assert [(c.item_id, c.iteration_id, c.to_iteration_id, c.points, c.status) for c in carry] == [
        (doing.id, first.id, second.id, 3, "doing"),
        (todo.id, first.id, second.id, 2, "todo"),
    ]
    history = db.session.scalars(
        select(ItemStatusChange.reason)
        .where(ItemStatusChange.item_id == doing.id)
        .order_by(ItemStatusChange.id)
    ).all()
    assert history == ["created", "status", "carried_over"]
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "iteration.closed")
    ).one()
    assert "5 points completed, 2 items (5 points) carried over to Sprint 2" in entry.summary


def test_unfinished_items_go_back_to_the_backlog_when_nothing_is_planned(db, team, build):
    sprint = build.iteration()
    item = build.item("Todo", 2, sprint)
    build.start(sprint)
    build.feedback(sprint)
    agile.close_iteration(team["project"], sprint, version=None)
    db.session.commit()
    assert item.iteration_id is None
    assert db.session.scalars(select(CarryOver.to_iteration_id)).one() is None


def test_closing_twice_closes_once(db, team, build):
    project = team["project"]
    sprint = build.start(build.iteration())
    build.feedback(sprint)
    seen = sprint.version
    agile.close_iteration(project, sprint, version=seen)
    db.session.commit()
    with pytest.raises(RuleError, match="already been closed"):
        agile.close_iteration(project, sprint, version=seen)
    db.session.rollback()
    assert actions(db, project).count("iteration.closed") == 1


def test_a_close_racing_another_change_is_refused(db, team, build):
    """Someone else's write lands between our read and our flush: the version check catches
    it at flush and nothing of ours is kept."""
    project = team["project"]
    sprint = build.start(build.iteration())
    item = build.item("Todo", 2, sprint)
    build.feedback(sprint)
    original = agile._locked

    def locked_then_raced(iteration):
        fresh = original(iteration)
        db.session.execute(
            update(Iteration)
            .where(Iteration.id == iteration.id)
            .values(version=Iteration.version + 1)
            .execution_options(synchronize_session=False)
        )
        return fresh

    agile._locked = locked_then_raced
    try:
        with pytest.raises(RuleError, match="Someone else changed this iteration"):
            agile.close_iteration(project, sprint, version=None)
    finally:
        agile._locked = original
    db.session.rollback()
    assert count(db, CarryOver) == 0
    assert db.session.get(BacklogItem, item.id).iteration_id == sprint.id
    assert "iteration.closed" not in actions(db, project)


def test_stale_close_is_refused(db, team, build):
    sprint = build.start(build.iteration())
    build.feedback(sprint)
    with pytest.raises(StaleEdit):
        agile.close_iteration(team["project"], sprint, version=sprint.version - 1)


def test_closed_iterations_and_their_items_cannot_change(db, team, build, today):
    project = team["project"]
    sprint = build.iteration()
    item = build.item("Done", 2, sprint)
    build.start(sprint)
    build.status(item, "done")
    build.feedback(sprint)
    agile.close_iteration(project, sprint, version=None)
    db.session.commit()
    with pytest.raises(RuleError, match="closed"):
        agile.update_iteration(
            project,
            sprint,
            agile.IterationData("New", "", sprint.start_on, sprint.end_on),
            version=None,
        )
    with pytest.raises(RuleError, match="closed: its figures are history"):
        agile.change_status(project, item, "doing", version=None)


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_feedback_rating_must_be_1_to_5(db, team, build, rating):
    sprint = build.start(build.iteration())
    with pytest.raises(RuleError, match="Rating must be a whole number from 1 to 5"):
        agile.add_feedback(
            team["project"], sprint, agile.FeedbackData("citizen", "", rating, "Hmm", "yes")
        )
    db.session.rollback()
    assert count(db, Feedback) == 0


def test_feedback_needs_a_started_iteration(db, team, build):
    sprint = build.iteration()
    with pytest.raises(RuleError, match="has not started"):
        agile.add_feedback(
            team["project"], sprint, agile.FeedbackData("citizen", "", 4, "Hmm", "yes")
        )


def test_closing_the_loop(db, team, build):
    project = team["project"]
    sprint = build.start(build.iteration())
    item = build.item("Plain English", 2)
    feedback = build.feedback(sprint)
    with pytest.raises(RuleError, match="how you told them") as caught:
        agile.close_loop(
            project,
            feedback,
            action_taken="Rewrote it",
            how=" ",
            backlog_item_id=None,
            version=None,
        )
    assert caught.value.field == "loop_closed_how"
    db.session.rollback()
    agile.close_loop(
        project,
        feedback,
        action_taken="Rewrote the letters",
        how="Shown at the show and tell",
        backlog_item_id=item.id,
        version=feedback.version,
    )
    db.session.commit()
    assert feedback.loop_closed and feedback.loop_closed_at is not None
    assert feedback.backlog_item_id == item.id
    assert actions(db, project)[-1] == "feedback.loop_closed"
    with pytest.raises(RuleError, match="already been closed"):
        agile.close_loop(
            project, feedback, action_taken="x", how="y", backlog_item_id=None, version=None
        )
