"""Read models for the method pages: one statement per list, whatever the number of rows."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.methods.models import Assessment, MethodDecision, Risk
from tracker.methods.rules import RiskStatus
from tracker.projects.models import Project
from tracker.projects.rules import OPEN_STATUSES


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


def risk_register(project_id: int) -> Select:
    """Open risks first, newest first within each status."""
    return (
        select(Risk)
        .where(Risk.project_id == project_id)
        .order_by(Risk.status.desc(), Risk.created_at.desc(), Risk.id.desc())
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


def risks_to_review(user_id: int) -> list:
    """Open risks this person owns on projects still open (one query): the owner keeps
    each under review until it is closed."""
    return list(
        db.session.execute(
            select(Risk.id, Risk.title, Project.id, Project.code)
            .join(Project, Project.id == Risk.project_id)
            .where(
                Risk.owner_id == user_id,
                Risk.status == RiskStatus.OPEN,
                Project.status.in_(OPEN_STATUSES),
            )
            .order_by(Project.code, Risk.id)
        )
    )
