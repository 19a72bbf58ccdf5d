"""The generated portfolio: believable rows that keep every rule, written without touching
the audit trail, and usable by the monthly checkpoint job."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from tracker.agile.models import Feedback, Iteration
from tracker.audit import services as audit
from tracker.audit.models import AuditEntry
from tracker.budget.models import Baseline, Checkpoint, CostEntry
from tracker.budget.tasks import run_monthly_checkpoints
from tracker.demo import national
from tracker.projects.models import Project, ProjectMembership
from tracker.stages.models import GateReview, Stage
from tracker.worklog.models import TimeEntry, TimesheetWeek

TODAY = date(2026, 11, 22)


@pytest.fixture
def generated(db):
    audit.record("test.before", summary="Something people did before the generator ran")
    db.session.commit()
    before = db.session.scalar(select(func.count(AuditEntry.id)))
    counts = national.generate(20, password_hash="not-a-real-hash", today=TODAY, seed=3)
    db.session.commit()
    return counts, before


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_counts_and_every_method(db, generated):
    counts, _ = generated
    assert _count(db, Project, Project.code.like("NAT-%")) == 20 == counts["projects"]
    methods = set(db.session.scalars(select(Project.delivery_method).distinct()))
    assert {"stage_gated", "agile", "hybrid", None} <= methods
    for model in (Stage, Iteration, TimeEntry, CostEntry, Feedback, Checkpoint, Baseline):
        assert _count(db, model) == counts[model.__tablename__] > 0, model
    # About the national ratios per project: 100 time entries, 20 costs, 10 checkpoints.
    assert 40 <= counts["time_entries"] / 20 <= 160
    assert 8 <= counts["cost_entries"] / 20 <= 32
    assert 4 <= counts["budget_checkpoints"] / 20 <= 16


def test_rows_follow_the_domain_rules(db, generated):
    projects = {p.id: p for p in db.session.scalars(select(Project))}
    stage_totals = dict(
        db.session.execute(
            select(Stage.project_id, func.sum(Stage.planned_budget)).group_by(Stage.project_id)
        ).all()
    )
    for project_id, total in stage_totals.items():
        assert Decimal(total) <= projects[project_id].budget_at_completion
    for stage in db.session.scalars(select(Stage)):
        project = projects[stage.project_id]
        assert project.planned_start <= stage.planned_start <= stage.planned_finish
        assert stage.planned_finish <= project.planned_finish
    active = Counter(db.session.scalars(select(Stage.project_id).where(Stage.status == "active")))
    assert max(active.values(), default=1) == 1
    daily = Counter()
    for entry in db.session.scalars(select(TimeEntry)):
        project = projects[entry.project_id]
        assert project.planned_start <= entry.work_date < TODAY
        assert entry.work_date <= project.planned_finish
        week = db.session.get(TimesheetWeek, entry.week_id)
        assert week.person_id == entry.person_id
        assert week.week_start <= entry.work_date < week.week_start + timedelta(days=7)
        assert db.session.scalar(
            select(func.count()).where(
                ProjectMembership.project_id == entry.project_id,
                ProjectMembership.user_id == entry.person_id,
                ProjectMembership.role == entry.role,
            )
        )
        daily[(entry.person_id, entry.work_date)] += entry.hours
    assert max(daily.values()) <= 24
    for cost in db.session.scalars(select(CostEntry)):
        assert cost.spent_on < TODAY
    spent_by_stage = db.session.execute(
        select(CostEntry.stage_id, func.sum(CostEntry.amount)).group_by(CostEntry.stage_id)
    ).all()
    assert all(Decimal(total) > 0 for _, total in spent_by_stage)
    this_month = f"{TODAY:%Y-%m}"
    assert not _count(db, Checkpoint, Checkpoint.period == this_month)
    pending = Counter(
        db.session.scalars(select(GateReview.project_id).where(GateReview.status == "pending"))
    )
    assert max(pending.values(), default=1) == 1


def test_audit_trail_is_untouched_and_still_verifies(app, db, generated):
    _, before = generated
    assert db.session.scalar(select(func.count(AuditEntry.id))) == before >= 1
    assert audit.verify().is_intact
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"{before} entries verified" in result.output


def test_monthly_checkpoint_job_runs_over_the_generated_portfolio(db, generated):
    active = _count(
        db,
        Project,
        Project.status == "active",
        Project.id.in_(select(Baseline.project_id)),
    )
    taken = run_monthly_checkpoints(TODAY)
    assert taken == active > 0
    assert run_monthly_checkpoints(TODAY) == 0
    assert audit.verify().is_intact


def test_cli_loads_the_small_scale_once(app, db, monkeypatch):
    monkeypatch.setenv("TRACKER_DEMO_PASSWORD", "demo password for tests")
    monkeypatch.setitem(national.SCALES, "small", 6)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load", "--scale", "small"])
    assert first.exit_code == 0, first.output
    assert "Demo data ready (" in first.output
    assert "6 projects" in first.output
    assert _count(db, Project, Project.code.like("NAT-%")) == 6
    again = runner.invoke(args=["demo", "load", "--scale", "small"])
    assert "already loaded: nothing added" in again.output
    assert _count(db, Project, Project.code.like("NAT-%")) == 6
    assert audit.verify().is_intact


def test_generated_projects_have_their_portfolio_facts_stored(db, generated):
    """The generator writes past the ORM, so it refreshes the stored portfolio facts itself,
    and gives every closed project the day it finished."""
    from tracker.portfolio import summary
    from tracker.portfolio.models import PortfolioSummary

    assert _count(db, PortfolioSummary) == _count(db, Project)
    assert summary.differences() == []
    assert _count(db, Project, Project.status.in_(("closed", "closed_early"))) > 0
    assert (
        _count(
            db,
            Project,
            Project.status.in_(("closed", "closed_early")),
            Project.finished_on.is_(None),
        )
        == 0
    )


def test_the_generated_portfolio_obeys_the_segregation_of_duties(db, generated):
    from tracker.stages.queries import segregation_breaches

    assert segregation_breaches() == []


def test_generated_statuses_are_ones_governance_could_reach(db, generated):
    """Written in bulk, not through the services, but consistent with them: an active
    project has an approved start gate or a started iteration, a closed one its approved
    closing gate or every iteration delivered, one closed early neither."""
    from tests.lifecycle import status_problems

    generated_projects = list(db.session.scalars(select(Project).where(Project.code.like("NAT-%"))))
    assert status_problems(generated_projects) == []
    assert {p.status for p in generated_projects} >= {"proposed", "active", "closed"}


def test_generated_benefits_are_measured_monthly_and_reviewed_after_closure(db, generated):
    from tracker.benefits.models import Benefit, BenefitReview, Measurement

    counts, _ = generated
    # About four benefits a project, each measured about monthly since the project began.
    assert 3 <= counts["benefits"] / 20 <= 5
    assert counts["benefit_measurements"] > counts["benefits"]
    for benefit in db.session.scalars(select(Benefit)):
        dates = sorted(
            db.session.scalars(
                select(Measurement.measured_on).where(Measurement.benefit_id == benefit.id)
            )
        )
        assert all(benefit.baseline_on < on < TODAY for on in dates)
        assert all((later - earlier).days == 30 for earlier, later in pairwise(dates))
        assert benefit.latest_on == (dates[-1] if dates else None)
    reviewed = db.session.scalars(
        select(Project.status).join(Benefit).join(BenefitReview).distinct()
    ).all()
    assert set(reviewed) <= {"closed", "closed_early"} and reviewed
