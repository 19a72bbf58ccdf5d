"""Pages through the client: forms, bad input (message, status 400, nothing saved), charts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_sqlalchemy.record_queries import get_recorded_queries
from sqlalchemy import func, select, update

from tests.races import saved_meanwhile
from tracker.agile import services as agile
from tracker.agile.models import BacklogItem, Feedback, ItemStatusChange, Iteration
from tracker.core.errors import STALE_MESSAGE
from tracker.db import utcnow


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def app_csrf_off(app):
    """The testing configuration posts forms without CSRF tokens (tested in foundation)."""
    assert app.config["WTF_CSRF_ENABLED"] is False
    return app


@pytest.fixture
def as_manager(app_csrf_off, client, login, team):
    login(team["manager"])
    return client


def url(team, path=""):
    return f"/projects/{team['project'].id}{path}"


def test_plan_an_iteration(db, as_manager, team, today):
    response = as_manager.post(
        url(team, "/iterations/new"),
        data={
            "name": "Sprint 1",
            "goal": "Residents can report a change of address",
            "start_on": today.isoformat(),
            "end_on": (today + timedelta(days=13)).isoformat(),
            "committed_points": "",
        },
    )
    assert response.status_code == 302
    iteration = db.session.scalars(select(Iteration)).one()
    assert (iteration.name, iteration.status, iteration.committed_points) == (
        "Sprint 1",
        "planned",
        None,
    )
    page = as_manager.get(url(team)).get_data(as_text=True)
    assert "Sprint 1" in page and "Plan an iteration" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "Enter a name for the iteration"),
        ({"end_on": "2026-01-01", "start_on": "2026-02-01"}, "End date must be the same as or"),
        ({"start_on": "31/02/2026"}, "Start date must be a real date"),
        ({"committed_points": "-3"}, "Committed points must be 0 or more"),
        ({"committed_points": "lots"}, "Committed points must be a whole number"),
        ({"start_on": "2026-03-10", "end_on": "2026-03-20"}, "overlaps &#39;Sprint 1&#39;"),
    ],
)
def test_bad_iteration_input_saves_nothing(db, as_manager, team, build, data, message):
    build.iteration("Sprint 1", start=team["project"].planned_start + timedelta(days=65))
    form = {
        "name": "Sprint 2",
        "goal": "Goal",
        "start_on": "2026-06-01",
        "end_on": "2026-06-14",
        "committed_points": "",
    }
    form.update(data)
    response = as_manager.post(url(team, "/iterations/new"), data=form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(db, Iteration) == 1


def test_non_agile_project_explains_itself(db, as_manager, team, today):
    team["project"].delivery_method = "stage_gated"
    db.session.commit()
    page = as_manager.get(url(team, "/iterations/new"))
    assert page.status_code == 200
    assert "This project is stage-gated" in page.get_data(as_text=True)
    response = as_manager.post(
        url(team, "/iterations/new"),
        data={"name": "S", "goal": "G", "start_on": today.isoformat(), "end_on": today.isoformat()},
    )
    assert response.status_code == 400
    assert "Iterations are for agile and hybrid projects" in response.get_data(as_text=True)
    assert count(db, Iteration) == 0


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ("0", "Points must be a whole number from 1 to 1000"),
        ("-1", "Points must be a whole number from 1 to 1000"),
        ("2.5", "Points must be a whole number, like 3"),
        ("", "Enter the points"),
    ],
)
def test_bad_points_save_nothing(db, as_manager, team, points, message):
    response = as_manager.post(
        url(team, "/backlog/new"), data={"title": "Item", "points": points, "iteration_id": ""}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(db, BacklogItem) == 0


def test_team_member_works_the_backlog(db, app_csrf_off, client, login, team, build):
    sprint = build.start(build.iteration())
    login(team["member"])
    response = client.post(
        url(team, "/backlog/new"),
        data={"title": "<script>alert(1)</script>", "points": "3", "iteration_id": sprint.id},
    )
    assert response.status_code == 302
    item = db.session.scalars(select(BacklogItem)).one()
    page = client.get(url(team, "/backlog")).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    response = client.post(
        url(team, f"/backlog/{item.id}/status"), data={"status": "doing", "version": item.version}
    )
    assert response.status_code == 302
    assert db.session.get(BacklogItem, item.id).status == "doing"
    history = client.get(url(team, f"/backlog/{item.id}")).get_data(as_text=True)
    assert "Status changed" in history and "Added" in history


def test_stale_item_edit_is_refused_on_the_page(db, as_manager, team, build):
    item = build.item("Form", 3)
    seen = item.version
    build.status(item, "doing")
    response = as_manager.post(
        url(team, f"/backlog/{item.id}/edit"),
        data={"title": "Renamed", "points": "5", "iteration_id": "", "version": seen},
    )
    assert response.status_code == 400
    assert "changed by someone else" in response.get_data(as_text=True)
    assert db.session.get(BacklogItem, item.id).title == "Form"


def test_feedback_form_bad_input(db, app_csrf_off, client, login, team, build):
    sprint = build.start(build.iteration())
    login(team["customer"])
    good = {"source": "citizen", "rating": "4", "said": "Clearer now", "agreement": "yes"}
    for change, message in [
        ({"rating": "6"}, "Rating must be a whole number from 1 to 5"),
        ({"rating": "0"}, "Rating must be a whole number from 1 to 5"),
        ({"rating": "x"}, "Rating must be a whole number from 1 to 5"),
        ({"source": "robot"}, "Choose who gave the feedback from the list"),
        ({"said": ""}, "Enter what they said"),
        ({"agreement": ""}, "Choose whether they agreed to proceed"),
    ]:
        response = client.post(
            url(team, f"/iterations/{sprint.id}/feedback/new"), data={**good, **change}
        )
        assert response.status_code == 400, change
        assert message in response.get_data(as_text=True)
    assert count(db, Feedback) == 0
    response = client.post(url(team, f"/iterations/{sprint.id}/feedback/new"), data=good)
    assert response.status_code == 302
    assert db.session.scalars(select(Feedback.recorded_by_id)).one() == team["customer"].id


def test_manager_runs_an_iteration_end_to_end(db, as_manager, team, build, today):
    sprint = build.iteration("Sprint 1", start=today - timedelta(days=3))
    nxt = build.iteration("Sprint 2", start=today + timedelta(days=11))
    done = build.item("Done", 5, sprint)
    build.item("Unfinished", 3, sprint)
    response = as_manager.post(
        url(team, f"/iterations/{sprint.id}/start"), data={"version": sprint.version}
    )
    assert response.status_code == 302
    assert db.session.get(Iteration, sprint.id).status == "active"
    build.status(done, "done")

    # Cannot close without feedback: the page says so and nothing changes.
    close_url = url(team, f"/iterations/{sprint.id}/close")
    page = as_manager.get(close_url).get_data(as_text=True)
    assert "No customer has agreed to proceed yet" in page
    response = as_manager.post(close_url, data={"version": sprint.version})
    assert response.status_code == 400
    assert "Record customer feedback" in response.get_data(as_text=True)
    assert db.session.get(Iteration, sprint.id).status == "active"

    feedback = build.feedback(sprint, agreement="yes")
    sprint = db.session.get(Iteration, sprint.id)
    response = as_manager.post(close_url, data={"version": sprint.version})
    assert response.status_code == 302
    sprint = db.session.get(Iteration, sprint.id)
    assert (sprint.status, sprint.completed_points) == ("closed", 5)
    page = as_manager.get(url(team, f"/iterations/{sprint.id}")).get_data(as_text=True)
    assert "Carried over when this iteration closed" in page
    assert "Unfinished" in page and "Sprint 2" in page
    assert "re-assess the delivery method" in page
    page = as_manager.get(url(team, f"/iterations/{nxt.id}")).get_data(as_text=True)
    assert "Carried over into this iteration" in page

    # Closing the loop puts it on the "you said, we did" list.
    response = as_manager.post(
        url(team, f"/feedback/{feedback.id}/close-loop"),
        data={
            "action_taken": "Rewrote the letter",
            "loop_closed_how": "Emailed the panel",
            "backlog_item_id": "",
            "version": feedback.version,
        },
    )
    assert response.status_code == 302
    page = as_manager.get(url(team, "/you-said-we-did")).get_data(as_text=True)
    assert "Rewrote the letter" in page and "Emailed the panel" in page

    # Closing twice (a second tab) is refused with a message.
    response = as_manager.post(close_url, data={"version": sprint.version})
    assert response.status_code == 400
    assert "This iteration has already been closed" in response.get_data(as_text=True)


def _table(html: str, chart_id: str) -> list[list[str]]:
    start = html.index(f'data-chart-table="{chart_id}"')
    body = html[start : html.index("</table>", start)]
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", body, re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        ]
        for r in rows
    ]


def _set_times(db, item, *moments):
    rows = db.session.scalars(
        select(ItemStatusChange)
        .where(ItemStatusChange.item_id == item.id)
        .order_by(ItemStatusChange.id)
    ).all()
    for row, moment in zip(rows, moments, strict=True):
        db.session.execute(
            update(ItemStatusChange).where(ItemStatusChange.id == row.id).values(changed_at=moment)
        )
    db.session.commit()


def test_burndown_table_matches_the_history(db, as_manager, team, build, today):
    start = today - timedelta(days=2)
    sprint = build.iteration("Sprint 1", start=start, days=5)
    a = build.item("A", 5, sprint)
    b = build.item("B", 3, sprint)
    build.start(sprint)
    build.status(a, "done")
    before = utcnow().replace(year=start.year, month=start.month, day=start.day) - timedelta(days=1)
    _set_times(db, a, before, before.replace(hour=12) + timedelta(days=2))
    _set_times(db, b, before)
    html = as_manager.get(url(team, f"/iterations/{sprint.id}")).get_data(as_text=True)
    rows = _table(html, "burndown")
    assert rows[0] == ["Point", "Remaining", "Ideal", "Scope"]
    assert rows[1] == ["Start", "8", "8.00", "8"]
    days = [start + timedelta(days=n) for n in range(5)]
    assert [r[0] for r in rows[2:]] == [d.isoformat() for d in days]
    assert [r[1] for r in rows[2:]] == ["8", "3", "3", "–", "–"]
    assert [r[2] for r in rows[2:]] == ["6.40", "4.80", "3.20", "1.60", "0.00"]
    assert [r[3] for r in rows[2:]] == ["8", "8", "8", "–", "–"]
    # The drawing has the same number of points as the table has known values.
    line = re.search(r'points="([^"]+)" data-series="Remaining"', html).group(1)
    assert len(line.split()) == 4  # Start + three days so far


def test_velocity_and_burnup_tables(db, as_manager, team, build, today):
    first = build.iteration("Sprint 1", start=today - timedelta(days=20), days=14)
    item = build.item("A", 5, first)
    other = build.item("B", 3, first)
    build.start(first)
    build.status(item, "done")
    build.feedback(first)
    agile.close_iteration(team["project"], first, version=None)
    db.session.commit()
    planned = utcnow() - timedelta(days=21)
    _set_times(db, item, planned, planned + timedelta(days=3))
    _set_times(db, other, planned, utcnow())
    html = as_manager.get(url(team, "/iterations")).get_data(as_text=True)
    assert _table(html, "velocity")[1] == ["Sprint 1", "8", "5"]
    bars = re.findall(r'data-series="(\w+)" data-value="(\d+)"', html)
    assert bars == [("Committed", "8"), ("Completed", "5")]
    assert _table(html, "burnup")[1] == ["Sprint 1", "8", "5"]
    assert "62%" in html  # predictability 5 / 8


def test_iteration_list_query_count_does_not_grow(db, as_manager, team, build, today, app):
    def queries_for_page():
        counts = []
        for path in ("/backlog", "/iterations", ""):
            assert as_manager.get(url(team, path)).status_code == 200
            counts.append(len(get_recorded_queries()))  # the client starts each request afresh
        return counts

    sprint = build.iteration("Sprint 1", start=today)
    build.item("A", 1, sprint)
    few = queries_for_page()
    for n in range(2, 6):
        s = build.iteration(f"Sprint {n}", start=today + timedelta(days=14 * n))
        for m in range(3):
            build.item(f"Item {n}.{m}", 2, s)
    assert queries_for_page() == few


# --------------------------------------------------------------------------------------
# Stale versions and conflicting saves: a clear message, never an error page
# --------------------------------------------------------------------------------------


def test_editing_an_iteration_from_an_old_page_shows_the_stale_message(db, as_manager, team, build):
    sprint = build.iteration("Sprint 1")
    seen = sprint.version
    agile.update_iteration(
        team["project"],
        sprint,
        agile.IterationData("Sprint One", "Try it", sprint.start_on, sprint.end_on),
        version=None,
    )
    db.session.commit()
    response = as_manager.post(
        url(team, f"/iterations/{sprint.id}/edit"),
        data={
            "name": "Mine",
            "goal": "Try it",
            "start_on": sprint.start_on.isoformat(),
            "end_on": sprint.end_on.isoformat(),
            "committed_points": "",
            "version": seen,
        },
    )
    assert response.status_code == 400
    assert STALE_MESSAGE in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Iteration, sprint.id).name == "Sprint One"


def test_closing_a_loop_while_someone_else_saves_it_shows_the_stale_message(
    db, as_manager, team, build
):
    feedback = build.feedback(build.start(build.iteration()))
    feedback = db.session.get(Feedback, feedback.id)
    seen = feedback.version
    saved_meanwhile(db, feedback, action_taken="Their answer")
    response = as_manager.post(
        url(team, f"/feedback/{feedback.id}/close-loop"),
        data={
            "action_taken": "Rewrote the letter",
            "loop_closed_how": "Emailed the panel",
            "backlog_item_id": "",
            "version": seen,
        },
    )
    assert response.status_code == 400
    assert STALE_MESSAGE in response.get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(Feedback, feedback.id)
    assert (stored.action_taken, stored.loop_closed_how) == ("Their answer", "")
