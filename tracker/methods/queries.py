"""Read models for the method pages: one statement per list, whatever the number of rows."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.methods.models import Assessment, MethodDecision, Risk
from tracker.projects.models import Project
from tracker.registers.rules import RiskStatus


def assessment_history(project_id: int) -> Select:
    return (
        select(Assessment)
        .where(Assessment.project_id == project_id)
        .order_by(Assessment.sequence.desc())
    )


def assessment_before(project_id: int, sequence: int) -> Assessment | None:
    """The assessment just before ``sequence``: the last row of a history page needs it."""
    return db.session.scalars(
        select(Assessment)
        .where(Assessment.project_id == project_id, Assessment.sequence < sequence)
        .order_by(Assessment.sequence.desc())
        .limit(1)
    ).first()


def decision_history(project_id: int) -> Select:
    return (
        select(MethodDecision)
        .where(MethodDecision.project_id == project_id)
        .options(
            selectinload(MethodDecision.driver_rows),
            selectinload(MethodDecision.risk),
            selectinload(MethodDecision.assessment),
        )
        .order_by(MethodDecision.sequence.desc())
    )


def project_summary(project_id: int):
    """The latest assessment, the latest decision and the number of open risks, in one
    statement, for the method section of the project page."""
    latest_assessment = (
        select(Assessment.id)
        .where(Assessment.project_id == project_id)
        .order_by(Assessment.sequence.desc())
        .limit(1)
        .scalar_subquery()
    )
    latest_decision = (
        select(MethodDecision.id)
        .where(MethodDecision.project_id == project_id)
        .order_by(MethodDecision.sequence.desc())
        .limit(1)
        .scalar_subquery()
    )
    open_risks = (
        select(func.count(Risk.id))
        .where(Risk.project_id == project_id, Risk.status == RiskStatus.OPEN)
        .scalar_subquery()
    )
    statement = (
        select(Assessment, MethodDecision, open_risks.label("open_risks"))
        .select_from(Project)
        .outerjoin(Assessment, Assessment.id == latest_assessment)
        .outerjoin(MethodDecision, MethodDecision.id == latest_decision)
        .where(Project.id == project_id)
    )
    return db.session.execute(statement).one()
