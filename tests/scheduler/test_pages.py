"""The job log, for administrators."""

from __future__ import annotations

from datetime import date

from tracker.scheduler import registry
from tracker.scheduler import services as scheduler


def boom(today):
    raise ValueError("Spreadsheet <not> found")


def test_the_job_log_shows_each_job_and_its_runs(client, login, db, make_user, monkeypatch):
    monkeypatch.setattr(
        registry,
        "JOBS",
        [*registry.JOBS, ("boom", f"{__name__}:boom", {"trigger": "cron", "hour": 6})],
    )
    scheduler.run_job("approval_reminders", date(2026, 3, 6))
    scheduler.run_job("boom", date(2026, 3, 6))
    login(make_user(global_role="admin"))
    response = client.get("/admin/jobs")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for title in ("Remind approvers of decisions waiting too long", "Send queued emails"):
        assert title in page
    assert "Every day at 07:00" in page and "Every minute" in page
    assert "Succeeded" in page and "Failed" in page and "Never run" in page
    assert "ValueError: Spreadsheet &lt;not&gt; found" in page
    filtered = client.get("/admin/jobs?job=boom").get_data(as_text=True)
    assert "Runs of “boom”" in filtered


def test_only_admins_see_the_job_log(client, login, make_user):
    login(make_user(global_role="pmo"))
    assert client.get("/admin/jobs").status_code == 403


def test_admins_have_a_jobs_link(client, login, make_user):
    login(make_user(global_role="admin"))
    assert 'href="/admin/jobs"' in client.get("/projects/").get_data(as_text=True)
    login(make_user())
    assert 'href="/admin/jobs"' not in client.get("/projects/").get_data(as_text=True)


def test_the_job_log_shows_the_active_scheduler_and_its_standbys(client, login, db, make_user):
    from tracker.db import utcnow
    from tracker.scheduler.models import SchedulerProcess

    now = utcnow()
    db.session.add_all(
        [
            SchedulerProcess(
                runner="alpha:101",
                host="alpha",
                pid=101,
                started_at=now,
                seen_at=now,
                active_since=now,
            ),
            SchedulerProcess(runner="beta:202", host="beta", pid=202, started_at=now, seen_at=now),
        ]
    )
    db.session.flush()
    login(make_user(global_role="admin"))
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "Active: <strong>alpha</strong>, process 101" in page
    assert "Standing by to take over" in page and "beta" in page


def test_the_job_log_says_when_no_scheduler_is_running(client, login, db, make_user):
    login(make_user(global_role="admin"))
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "No active scheduler" in page
    assert "Standing by to take over" not in page
