"""Builders for portfolio tests: the records the dashboard reads, written directly so each
test states exactly the numbers it expects back."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from tracker.agile.models import Feedback, Iteration
from tracker.budget.models import Baseline, BudgetException, Checkpoint
from tracker.extensions import db
from tracker.methods.models import Assessment, MethodDecision, MethodDecisionDriver
from tracker.stages.models import ExceptionReport, GateReview, Stage

ZERO = Decimal(0)


def checkpoint(project, *, cpi=None, spi=None, status="within", on=date(2026, 3, 1), ac=None):
    baseline = db.session.query(Baseline).filter_by(project_id=project.id).first()
    if baseline is None:
        baseline = Baseline(
            project_id=project.id,
            number=1,
            kind="stage",
            bac=Decimal(1000),
            starts_on=project.planned_start,
            finishes_on=project.planned_finish,
            reason="First baseline",
        )
        db.session.add(baseline)
        db.session.flush()
    point = Checkpoint(
        project_id=project.id,
        baseline_id=baseline.id,
        taken_on=on,
        trigger="manual",
        bac=Decimal(1000),
        pv=ZERO,
        ev=ZERO,
        ac=Decimal(ac) if ac is not None else ZERO,
        cv=ZERO,
        sv=ZERO,
        cpi=None if cpi is None else Decimal(str(cpi)),
        spi=None if spi is None else Decimal(str(spi)),
        eac_atypical=Decimal(1000),
        status=status,
    )
    db.session.add(point)
    db.session.commit()
    return point


def assessment(project, user, *, zone="complex", method="agile", sequence=1):
    record = Assessment(
        project_id=project.id,
        sequence=sequence,
        assessed_by_id=user.id,
        model_version="test",
        answers_json="{}",
        team_size=5,
        culture="collaboration",
        method=method,
        zone=zone,
        confidence="high",
        flags_json="[]",
        confidence_reasons_json="[]",
        scores_json="{}",
        reasons_json="[]",
        risks_json="[]",
        tailoring_json="{}",
    )
    db.session.add(record)
    db.session.commit()
    return record


def decision(
    project, user, *, method, recommended, drivers=("project_needs",), sequence=1, zone="complex"
):
    assessed = assessment(project, user, zone=zone, method=recommended, sequence=sequence)
    record = MethodDecision(
        project_id=project.id,
        sequence=sequence,
        decided_by_id=user.id,
        method=method,
        rationale="Because",
        assessment_id=assessed.id,
        recommended_method=recommended,
        follows_recommendation=method == recommended,
        driver_rows=[MethodDecisionDriver(driver=d) for d in drivers],
    )
    project.delivery_method = method
    db.session.add(record)
    db.session.commit()
    return record


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


def gate(project, user, *, requested, resolved=None, status=None, boundary=0, round=1):
    record = GateReview(
        project_id=project.id,
        boundary=boundary,
        round=round,
        requested_by_id=user.id,
        requested_at=_at(requested),
        delivered_vs_plan="Done",
        forecast="Fine",
        lessons="Some",
        next_stage_plan="Next",
        business_case_justified=True,
        required_roles="executive",
        status=status or ("approved" if resolved else "pending"),
        resolved_at=_at(resolved) if resolved else None,
    )
    db.session.add(record)
    db.session.commit()
    return record


def iteration(project, *, name, end_on, closed=None, status=None):
    record = Iteration(
        project_id=project.id,
        name=name,
        start_on=date(2026, 1, 1),
        end_on=end_on,
        status=status or ("closed" if closed else "active"),
        closed_at=_at(closed) if closed else None,
    )
    db.session.add(record)
    db.session.commit()
    return record


def feedback(project, iteration_, *, rating, closed=False):
    record = Feedback(
        project_id=project.id,
        iteration_id=iteration_.id,
        source="citizen",
        rating=rating,
        said="Something",
        agreement="yes",
        loop_closed=closed,
        loop_closed_at=datetime.now(UTC) if closed else None,
    )
    db.session.add(record)
    db.session.commit()
    return record


def stage_exception(project, user, *, status="open"):
    stage = Stage(
        project_id=project.id,
        sequence=1 + db.session.query(Stage).filter_by(project_id=project.id).count(),
        name="Stage",
        planned_start=project.planned_start,
        planned_finish=project.planned_finish,
        planned_budget=Decimal(100),
        time_tolerance_days=5,
        cost_tolerance_percent=Decimal(10),
        scope_target="s",
        quality_target="q",
        risk_target="r",
        benefit_target="b",
        sustainability_target="s",
        status="in_exception" if status != "decided" else "active",
    )
    db.session.add(stage)
    db.session.flush()
    report = ExceptionReport(
        project_id=project.id,
        stage_id=stage.id,
        raised_by_id=user.id,
        breaches="Cost",
        cause="c",
        consequences="c",
        recommendation="r",
        required_roles="executive",
        status=status,
    )
    db.session.add(report)
    db.session.commit()
    return report


def budget_exception(project, point, *, status="decided"):
    record = BudgetException(
        project_id=project.id,
        checkpoint_id=point.id,
        breach="Over",
        required_roles="executive",
        status=status,
    )
    db.session.add(record)
    db.session.commit()
    return record
