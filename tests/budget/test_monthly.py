"""The set-based monthly job gives exactly the checkpoints the per-project service gives.

A varied portfolio (stage-gated with a closed and an active stage, agile with a release
plan, hybrid with iterations inside stages; cost entries booked to stages and iterations,
a credit note, labour at personal and role rates, a prior reported percentage, a project
with nothing spent yet, an overrun) is checkpointed by the monthly job, then each project
again by ``take_checkpoint`` on the same day. Every stored figure must match.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from sqlalchemy import event, func, select

from tests.budget.helpers import cost
from tests.stages.helpers import stage_data
from tracker.agile import services as agile
from tracker.audit import services as audit
from tracker.audit.models import AuditEntry
from tracker.budget import services
from tracker.budget.models import BudgetException, Checkpoint, CheckpointStage
from tracker.budget.tasks import run_monthly_checkpoints
from tracker.portfolio import summary as portfolio_summary
from tracker.stages import services as stages
from tracker.stages.models import Stage
from tracker.worklog.models import HourlyRate, TimeEntry, TimesheetWeek

ON = date(2026, 3, 20)
TODAY = date(2026, 12, 31)
SAME = [
    "project_id",
    "baseline_id",
    "taken_on",
    *services.CHECKPOINT_FIGURES,
    "completed_points",
    "planned_points",
    "status",
    "tolerance",
    "tolerance_limit",
    "stage_id",
    "stage_status",
    "stage_eac",
    "reasons",
]


def _log(db, person, project, day, hours, *, role="team_member", stage=None, iteration=None):
    week_start = date.fromordinal(day.toordinal() - day.weekday())
    week = db.session.scalars(
        select(TimesheetWeek).where(
            TimesheetWeek.person_id == person.id, TimesheetWeek.week_start == week_start
        )
    ).first()
    if week is None:
        week = TimesheetWeek(person_id=person.id, week_start=week_start, status="open")
        db.session.add(week)
        db.session.flush()
    db.session.add(
        TimeEntry(
            person_id=person.id,
            week_id=week.id,
            project_id=project.id,
            work_date=day,
            hours=D(hours),
            role=role,
            stage_id=stage.id if stage else None,
            iteration_id=iteration.id if iteration else None,
        )
    )
    db.session.commit()


def _close(iteration, points, on):
    iteration.status = "closed"
    iteration.completed_points = points
    iteration.closed_at = datetime(on.year, on.month, on.day, 23, 30, tzinfo=UTC)


def _staged(db, make_user, make_project, member, *, budget="100000"):
    """Discovery (closed) and Build (active), with costs, a credit and booked labour."""
    manager = make_user()
    project = make_project(
        manager=manager, members=[(member, "team_member")], budget_at_completion=D(budget)
    )
    project.delivery_method = "stage_gated"
    one = stages.create_stage(
        project, stage_data("Discovery", date(2026, 2, 1), 19, "40000"), actor=manager
    )
    two = stages.create_stage(
        project, stage_data("Build", date(2026, 2, 21), 59, "60000", cost_value="10"), actor=manager
    )
    db.session.commit()
    services.set_baseline(project, services.BaselineData(""), actor=manager)
    one.status, two.status = "closed", "active"
    db.session.commit()
    cost(project, manager, "30000.00", on=date(2026, 2, 10))
    cost(project, manager, "12345.67", on=date(2026, 3, 1), category="supplier")
    cost(project, manager, "999.99", on=date(2026, 3, 25))  # after the checkpoint
    cost(project, manager, "500.00", on=date(2026, 3, 2), is_credit=True, credit_reason="Refund")
    _log(db, member, project, date(2026, 3, 3), "7.5", stage=two)
    _log(db, member, project, date(2026, 3, 5), "6.25")
    # The manager reported Build 40% done at an earlier checkpoint.
    services.take_checkpoint(
        project,
        services.CheckpointData(date(2026, 3, 10), {two.id: D("40")}),
        actor=manager,
        today=TODAY,
    )
    db.session.commit()
    return project


def _agile(db, make_user, make_project, member, *, spent):
    manager = make_user()
    project = make_project(manager=manager, members=[(member, "team_member")])
    project.delivery_method = "agile"
    db.session.commit()
    sprints = [
        agile.create_iteration(
            project,
            agile.IterationData(f"Sprint {n}", "Goal", date(2026, 3, 2 + 14 * (n - 1)), end, 40),
        )
        for n, end in ((1, date(2026, 3, 13)), (2, date(2026, 3, 27)))
    ]
    db.session.commit()
    services.set_baseline(
        project,
        services.BaselineData(
            "", planned_points=90, iteration_budgets={s.id: D("30000") for s in sprints}
        ),
        actor=manager,
    )
    _close(sprints[0], 35, date(2026, 3, 13))
    db.session.commit()
    cost(project, manager, spent, on=date(2026, 3, 12), category="supplier")
    _log(db, member, project, date(2026, 3, 9), "8", iteration=sprints[0])
    return project


def _hybrid(db, make_user, make_project, member):
    manager = make_user()
    project = make_project(manager=manager, members=[(member, "team_member")])
    project.delivery_method = "hybrid"
    alpha = stages.create_stage(
        project, stage_data("Alpha", date(2026, 3, 1), 30, "50000"), actor=manager
    )
    beta = stages.create_stage(
        project, stage_data("Beta", date(2026, 4, 1), 60, "50000"), actor=manager
    )
    alpha.status = "active"
    db.session.commit()
    first, second = (
        agile.create_iteration(
            project, agile.IterationData(name, "Goal", start, end, points, alpha.id)
        )
        for name, start, end, points in (
            ("A1", date(2026, 3, 2), date(2026, 3, 13), 20),
            ("A2", date(2026, 3, 16), date(2026, 3, 27), 30),
        )
    )
    db.session.commit()
    services.set_baseline(
        project,
        services.BaselineData("", iteration_budgets={first.id: D("20000"), second.id: D("25000")}),
        actor=manager,
    )
    _close(first, 17, date(2026, 3, 13))
    db.session.commit()
    cost(project, manager, "21000.00", on=date(2026, 3, 14), iteration_id=first.id)
    cost(project, manager, "4000.00", on=date(2026, 3, 15), stage_id=None)
    _log(db, member, project, date(2026, 3, 10), "4", iteration=first)
    _log(db, member, project, date(2026, 3, 11), "3.5", role="team_member", stage=alpha)
    assert beta.status != "active"
    return project


@pytest.fixture
def portfolio(db, make_user, make_project):
    member = make_user("Rita Rates")
    db.session.add_all(
        [
            HourlyRate(role="team_member", rate=D("40.00"), effective_from=date(2026, 1, 1)),
            HourlyRate(role="team_member", rate=D("45.50"), effective_from=date(2026, 3, 4)),
            HourlyRate(person_id=member.id, rate=D("62.35"), effective_from=date(2026, 3, 10)),
        ]
    )
    db.session.commit()
    projects = [
        _staged(db, make_user, make_project, member),
        _agile(db, make_user, make_project, member, spent="20000.00"),
        _agile(db, make_user, make_project, member, spent="90000.00"),  # overrun: red
        _hybrid(db, make_user, make_project, member),
    ]
    # Nothing spent, nothing earned: undefined ratios, stored as such.
    idle = make_project(manager=make_user())
    idle.delivery_method = "stage_gated"
    stages.create_stage(idle, stage_data("Only", date(2026, 3, 1), 30, "1000"), actor=None)
    db.session.commit()
    services.set_baseline(idle, services.BaselineData(""), actor=None)
    db.session.commit()
    projects.append(idle)
    # Not active: no monthly checkpoint from either path.
    paused = _agile(db, make_user, make_project, member, spent="100.00")
    paused.status = "closed"
    db.session.commit()
    return projects, paused


def _fields(point: Checkpoint) -> dict:
    return {name: getattr(point, name) for name in SAME}


def _progress(db, point: Checkpoint) -> list[tuple]:
    return sorted(
        (row.stage_id, row.budget, row.percent_complete, row.ev)
        for row in db.session.scalars(
            select(CheckpointStage).where(CheckpointStage.checkpoint_id == point.id)
        )
    )


def test_the_set_based_job_matches_the_per_project_service(db, portfolio):
    projects, paused = portfolio
    audits_before = db.session.scalar(select(func.count(AuditEntry.id)))
    last_before = db.session.scalar(select(func.max(AuditEntry.seq))) or 0

    assert run_monthly_checkpoints(ON, batch_size=2) == len(projects)
    # The PMO dashboard's stored facts heard of the bulk-written checkpoints.
    differences = portfolio_summary.differences()
    assert differences == [], [
        {
            k: (d["stored"][k], d["fresh"].get(k))
            for k in d["stored"]
            if d["stored"][k] != d["fresh"].get(k)
        }
        for d in differences
    ]

    monthly = {
        point.project_id: point
        for point in db.session.scalars(select(Checkpoint).where(Checkpoint.period == "2026-03"))
    }
    assert set(monthly) == {project.id for project in projects}
    assert paused.id not in monthly
    compared = 0
    for project in projects:
        again = services.take_checkpoint(
            project,
            services.CheckpointData(taken_on=ON),
            trigger="manual",
            actor=None,
            today=TODAY,
        )
        db.session.commit()
        db.session.expire_all()
        job = db.session.get(Checkpoint, monthly[project.id].id)
        service = db.session.get(Checkpoint, again.id)
        assert _fields(job) == _fields(service), project.code
        assert _progress(db, job) == _progress(db, service), project.code
        assert (job.trigger, job.note) == ("monthly", "Monthly budget check")
        compared += 1
    assert compared == 5

    # The stage tolerance check ran for the staged and hybrid projects' stages under way,
    # with the same outcome (and audit summary) as through the per-project service.
    for point in (monthly[projects[0].id], monthly[projects[3].id]):
        forecasts = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "stage.forecast", AuditEntry.object_id == point.stage_id)
            .order_by(AuditEntry.seq)
        ).all()[-2:]  # the job's, then the service's (after any from the setup)
        assert len(forecasts) == 2
        assert forecasts[0].summary == forecasts[1].summary
        assert forecasts[0].created_at <= forecasts[1].created_at
        assert '"source":"budget_checkpoint"' in forecasts[0].changes.replace(" ", "")
        stage = db.session.get(Stage, point.stage_id)
        assert stage.forecast_cost == point.stage_eac

    # The portfolio really was varied: labour, credits, points, undefined ratios, red.
    staged, cheap, overrun, hybrid, idle = (monthly[p.id] for p in projects)
    assert staged.ac == D("30000.00") + D("12345.67") - D("500.00") + D("300.00") + D("284.38")
    assert staged.stage_status is not None and staged.progress
    assert cheap.completed_points == 35 and cheap.cpi is not None
    assert overrun.status == "breached"
    assert hybrid.progress and hybrid.stage_eac is not None
    assert idle.cpi is None and "cpi" in idle.reasons
    # The red agile project has its budget exception; the stage-gated one's stage judged.
    assert db.session.scalar(
        select(func.count(BudgetException.id)).where(BudgetException.project_id == projects[2].id)
    )
    # One audit entry per checkpoint, in its project's history, as the service writes it;
    # and the trail is intact.
    entries = [
        entry
        for entry in db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "checkpoint.taken", AuditEntry.seq > last_before
            )
        )
        if json.loads(entry.changes)["trigger"] == "monthly"
    ]
    assert sorted((e.project_id, e.object_id) for e in entries) == sorted(
        (c.project_id, c.id) for c in monthly.values()
    )
    assert db.session.scalar(select(func.count(AuditEntry.id))) > audits_before
    assert audit.verify().is_intact


def test_the_job_twice_takes_nothing_more(db, portfolio):
    projects, _ = portfolio
    assert run_monthly_checkpoints(ON) == len(projects)
    assert run_monthly_checkpoints(ON) == 0
    assert run_monthly_checkpoints(date(2026, 3, 31)) == 0
    count = db.session.scalar(
        select(func.count(Checkpoint.id)).where(Checkpoint.trigger == "monthly")
    )
    assert count == len(projects)


def _idle(db, make_user, make_project, count):
    for _ in range(count):
        project = make_project(manager=make_user())
        project.delivery_method = "stage_gated"
        stages.create_stage(project, stage_data("Only", date(2026, 3, 1), 30, "1000"), actor=None)
        db.session.commit()
        services.set_baseline(project, services.BaselineData(""), actor=None)
        db.session.commit()


def _queries_of_the_job(db, day) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        run_monthly_checkpoints(day)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_job_issues_as_many_queries_for_two_projects_as_for_six(db, make_user, make_project):
    """Set-based: a batch's queries do not grow with its projects (none of these has a
    stage under way or a breach, the only per-project work left)."""
    _idle(db, make_user, make_project, 2)
    two = _queries_of_the_job(db, date(2026, 3, 20))
    _idle(db, make_user, make_project, 4)
    six = _queries_of_the_job(db, date(2026, 4, 20))
    assert db.session.scalar(select(func.count(Checkpoint.id))) == 2 + 6
    assert six == two


def test_a_failing_batch_falls_back_to_one_project_at_a_time(db, make_user, make_project):
    """A project whose figures PostgreSQL cannot store (percent spent of a £0.01 budget
    overflows its column) fails its batch; the batch is retried project by project, so
    only that project goes without its checkpoint."""
    _idle(db, make_user, make_project, 2)
    manager = make_user()
    bad = make_project(manager=manager, budget_at_completion=D("0.01"))
    bad.delivery_method = "stage_gated"
    stages.create_stage(bad, stage_data("Tiny", date(2026, 3, 1), 30, "0.01"), actor=manager)
    db.session.commit()
    services.set_baseline(bad, services.BaselineData(""), actor=manager)
    db.session.commit()
    cost(bad, manager, "9999999999.99", on=date(2026, 3, 2))

    taken = run_monthly_checkpoints(ON, batch_size=10)

    got = set(
        db.session.scalars(select(Checkpoint.project_id).where(Checkpoint.period == "2026-03"))
    )
    if db.engine.dialect.name == "postgresql":
        assert taken == 2
        assert bad.id not in got
    else:  # SQLite does not enforce numeric precision: the figure is stored
        assert taken == 3
        assert bad.id in got
    assert len(got - {bad.id}) == 2
    assert audit.verify().is_intact


def test_the_project_page_shows_the_monthly_checkpoint_at_once(
    db, client, login, make_user, make_project
):
    """The job writes in bulk, past the session's change hooks: it moves the projects'
    change stamps itself, so a project page kept from before shows the new checkpoint."""
    manager = make_user()
    project = make_project(manager=manager)
    project.delivery_method = "stage_gated"
    stages.create_stage(project, stage_data("Only", date(2026, 3, 1), 30, "1000"), actor=None)
    db.session.commit()
    services.set_baseline(project, services.BaselineData(""), actor=None)
    db.session.commit()
    login(manager)
    url = f"/projects/{project.id}"
    assert "Latest checkpoint" not in client.get(url).get_data(as_text=True)
    assert run_monthly_checkpoints(ON) == 1
    page = client.get(url).get_data(as_text=True)
    assert "Latest checkpoint" in page
    assert "Took a budget checkpoint (monthly)" in page  # in the project's own history
