"""Assessments and method decisions.

An assessment stores its result exactly as the model computed it, with the model version:
it is never recomputed in place, so a later model version can only add a new assessment.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.core import stamps
from tracker.db import utcnow
from tracker.extensions import db
from tracker.methods import model
from tracker.methods.switching import BoundaryKind, SwitchStatus
from tracker.projects.models import Project

# The register lives in tracker.registers; a method decision against the recommendation
# opens a risk on it.
from tracker.registers.models import Risk

CONFIDENCES = {"high": "High", "low": "Low"}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


def _load(text: str | None, default: Any) -> Any:
    return json.loads(text) if text else default


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class Assessment(db.Model):
    """One dated answer set for a project and the recommendation computed from it."""

    __tablename__ = "method_assessments"
    __table_args__ = (
        # Numbered per project: two people saving at once cannot both become number n.
        UniqueConstraint("project_id", "sequence"),
        CheckConstraint("sequence >= 1", name="sequence_positive"),
        CheckConstraint("team_size >= 1", name="team_size_positive"),
        CheckConstraint(_in("culture", model.CULTURES), name="culture_known"),
        CheckConstraint(_in("method", model.METHODS), name="method_known"),
        CheckConstraint(_in("zone", model.ZONES), name="zone_known"),
        CheckConstraint(_in("confidence", CONFIDENCES), name="confidence_known"),
        Index("ix_method_assessments_project_assessed", "project_id", "assessed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    sequence: Mapped[int]
    assessed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assessed_at: Mapped[datetime] = mapped_column(default=utcnow)
    model_version: Mapped[str] = mapped_column(String(20))
    # The answers as submitted, as JSON: U1..R4, team_size and culture.
    answers_json: Mapped[str] = mapped_column("answers", Text)
    team_size: Mapped[int]
    culture: Mapped[str] = mapped_column(String(20))
    # The result, as computed.
    method: Mapped[str] = mapped_column(String(20))
    zone: Mapped[str] = mapped_column(String(20))
    confidence: Mapped[str] = mapped_column(String(10))
    flags_json: Mapped[str] = mapped_column("flags", Text)
    confidence_reasons_json: Mapped[str] = mapped_column("confidence_reasons", Text)
    scores_json: Mapped[str] = mapped_column("scores", Text)
    reasons_json: Mapped[str] = mapped_column("reasons", Text)
    risks_json: Mapped[str] = mapped_column("risks", Text)
    tailoring_json: Mapped[str] = mapped_column("tailoring", Text)

    project: Mapped[Project] = relationship()
    assessed_by: Mapped[User] = relationship(lazy="joined")

    @property
    def answers(self) -> dict[str, Any]:
        return _load(self.answers_json, {})

    @property
    def flags(self) -> list[str]:
        return _load(self.flags_json, [])

    @property
    def confidence_reasons(self) -> list[str]:
        return _load(self.confidence_reasons_json, [])

    @property
    def scores(self) -> dict[str, float]:
        return _load(self.scores_json, {})

    @property
    def reasons(self) -> list[str]:
        return _load(self.reasons_json, [])

    @property
    def risks(self) -> list[dict[str, str]]:
        return _load(self.risks_json, [])

    @property
    def tailoring(self) -> dict[str, Any]:
        return _load(self.tailoring_json, {})

    def store_result(self, answers: dict[str, Any], result: dict[str, Any]) -> None:
        """Keep the answers and the computed result (``Result.to_dict()``) as they are."""
        self.answers_json = _dump(answers)
        self.team_size = answers[model.TEAM_SIZE_KEY]
        self.culture = answers[model.CULTURE_KEY]
        self.model_version = result["model_version"]
        self.method = result["method"]
        self.zone = result["zone"]
        self.confidence = result["confidence"]
        self.flags_json = _dump(result["flags"])
        self.confidence_reasons_json = _dump(result["confidence_reasons"])
        self.scores_json = _dump(result["scores"])
        self.reasons_json = _dump(result["reasons"])
        self.risks_json = _dump(result["risks"])
        self.tailoring_json = _dump(result["tailoring"])

    def result(self) -> dict[str, Any]:
        """The stored result in the shape of ``Result.to_dict()``."""
        return {
            "method": self.method,
            "zone": self.zone,
            "flags": self.flags,
            "confidence": self.confidence,
            "confidence_reasons": self.confidence_reasons,
            "scores": self.scores,
            "reasons": self.reasons,
            "risks": self.risks,
            "tailoring": self.tailoring,
            "model_version": self.model_version,
        }

    def __repr__(self) -> str:
        return f"<Assessment {self.project_id}#{self.sequence} {self.method}>"


@event.listens_for(Assessment, "before_update")
def _assessments_are_never_changed(mapper, connection, target) -> None:
    """A stored result is a record of what the model said then; re-assess instead."""
    raise ValueError("An assessment is never changed once saved: record a new one instead")


class MethodDecision(db.Model):
    """The method chosen for a project, why, and how it stood against the recommendation.

    Decisions are appended, never edited: a later decision changes the method and keeps
    this one as history.
    """

    __tablename__ = "method_decisions"
    __table_args__ = (
        UniqueConstraint("project_id", "sequence"),
        CheckConstraint("sequence >= 1", name="sequence_positive"),
        CheckConstraint(_in("method", model.METHODS), name="method_known"),
        CheckConstraint(_in("recommended_method", model.METHODS), name="recommended_known"),
        CheckConstraint(
            "previous_method IS NULL OR " + _in("previous_method", model.METHODS),
            name="previous_known",
        ),
        Index("ix_method_decisions_project_decided", "project_id", "decided_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    sequence: Mapped[int]
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    method: Mapped[str] = mapped_column(String(20))
    previous_method: Mapped[str | None] = mapped_column(String(20))
    rationale: Mapped[str] = mapped_column(Text, default="")
    assessment_id: Mapped[int] = mapped_column(ForeignKey("method_assessments.id"), index=True)
    recommended_method: Mapped[str] = mapped_column(String(20))
    follows_recommendation: Mapped[bool]
    risk_id: Mapped[int | None] = mapped_column(ForeignKey("risks.id"))

    project: Mapped[Project] = relationship()
    decided_by: Mapped[User] = relationship(lazy="joined")
    assessment: Mapped[Assessment] = relationship()
    risk: Mapped[Risk | None] = relationship()
    driver_rows: Mapped[list[MethodDecisionDriver]] = relationship(
        cascade="all, delete-orphan", order_by="MethodDecisionDriver.driver"
    )

    @property
    def drivers(self) -> list[str]:
        """Drivers in the order the model lists them."""
        chosen = {row.driver for row in self.driver_rows}
        return [key for key in model.DECISION_DRIVERS if key in chosen]

    def __repr__(self) -> str:
        return f"<MethodDecision {self.project_id}#{self.sequence} {self.method}>"


class MethodDecisionDriver(db.Model):
    """One driver of a decision: a row each, so the PMO can count them in SQL."""

    __tablename__ = "method_decision_drivers"
    __table_args__ = (CheckConstraint(_in("driver", model.DECISION_DRIVERS), name="driver_known"),)

    decision_id: Mapped[int] = mapped_column(
        ForeignKey("method_decisions.id", ondelete="CASCADE"), primary_key=True
    )
    driver: Mapped[str] = mapped_column(String(30), primary_key=True)


class ModelVersion(db.Model):
    """A published version of the method model's thresholds. The newest is the one new
    assessments use; an assessment keeps the version it was made with (its
    ``model_version``), so adopting a version never changes an assessment already made.

    Versions are added, never edited or deleted: the first is the model as published
    (``model.MODEL_VERSION``), later ones are adopted by the PMO from the calibration.
    """

    __tablename__ = "method_model_versions"
    __table_args__ = (UniqueConstraint("version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(20))
    # The thresholds that differ between versions (model.CALIBRATED), as JSON numbers.
    thresholds_json: Mapped[str] = mapped_column("thresholds", Text)
    reasons: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    published_by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def threshold_values(self) -> dict[str, int]:
        return _load(self.thresholds_json, {})

    def thresholds(self) -> model.Thresholds:
        return model.thresholds_with(self.threshold_values)


@event.listens_for(ModelVersion, "before_update")
def _versions_are_never_changed(mapper, connection, target) -> None:
    raise ValueError("A published model version is never changed: adopt a new one instead")


class MethodSwitch(db.Model):
    """A switch of method proposed at a boundary, riding on the gate or service assessment
    waiting there: the board's decision on that decides the switch. An approved switch
    names the method decision it recorded; the rows are kept as the project's history."""

    __tablename__ = "method_switches"
    __table_args__ = (
        CheckConstraint(_in("from_method", model.METHODS), name="from_known"),
        CheckConstraint(_in("to_method", model.METHODS), name="to_known"),
        CheckConstraint(_in("status", SwitchStatus), name="status_known"),
        CheckConstraint(_in("boundary_kind", BoundaryKind), name="boundary_known"),
        # One switch waiting per project: two proposals at once cannot both stand.
        Index(
            "uq_method_switches_one_proposed",
            "project_id",
            unique=True,
            sqlite_where=db.text("status = 'proposed'"),
            postgresql_where=db.text("status = 'proposed'"),
        ),
        Index("ix_method_switches_boundary", "boundary_kind", "boundary_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    from_method: Mapped[str] = mapped_column(String(20))
    to_method: Mapped[str] = mapped_column(String(20))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("method_assessments.id"))
    framework_version_id: Mapped[int] = mapped_column(ForeignKey("framework_versions.id"))
    drivers: Mapped[str] = mapped_column(String(200))
    rationale: Mapped[str] = mapped_column(Text, default="")
    # The decision it rides on: a gate review or a service assessment (by kind and id, as
    # the domains that own them sit above this one).
    boundary_kind: Mapped[str] = mapped_column(String(20))
    boundary_id: Mapped[int]
    boundary_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=SwitchStatus.PROPOSED)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("method_decisions.id"))

    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])
    assessment: Mapped[Assessment] = relationship()
    decision: Mapped[MethodDecision | None] = relationship()

    @property
    def driver_list(self) -> list[str]:
        chosen = set(self.drivers.split(","))
        return [key for key in model.DECISION_DRIVERS if key in chosen]


# The portfolio counts a switched project under each method it was delivered with: an
# approved switch changes its figures.
stamps.moves(MethodSwitch, last={stamps.PORTFOLIO})
