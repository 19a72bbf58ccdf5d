"""Operations on assessments and method decisions.

Each validates with the model's rules, changes state, writes its audit entry and flushes;
the caller commits. State is re-checked here, not only in the form: two people acting at
once get one result each or a clear refusal, never a lost or doubled decision.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.core.errors import RuleError, StaleEdit, check_version
from tracker.db import utcnow
from tracker.extensions import db
from tracker.methods import model, rules
from tracker.methods.models import (
    Assessment,
    MethodDecision,
    MethodDecisionDriver,
    ModelVersion,
    Risk,
)
from tracker.projects.models import Project, ProjectMembership
from tracker.projects.rules import size_tier
from tracker.registers import services as registers
from tracker.registers.rules import RiskStatus

ASSESSED_MEANWHILE = (
    "Someone recorded another assessment of this project since you opened this page. "
    "Read it in the assessment history, then assess again if you still need to."
)
NEWER_ASSESSMENT = (
    "A newer assessment was recorded since you opened this page, and it may recommend a "
    "different method. Check the latest recommendation, then record your decision."
)


def project_tier(project: Project) -> str:
    config = current_app.config
    return size_tier(
        project.budget_at_completion, config["TIER_SMALL_BELOW"], config["TIER_LARGE_ABOVE"]
    )


def project_manager(project: Project) -> User | None:
    return db.session.scalars(
        select(User)
        .join(ProjectMembership, ProjectMembership.user_id == User.id)
        .where(
            ProjectMembership.project_id == project.id,
            ProjectMembership.role == "project_manager",
        )
    ).first()


def latest_assessment(project_id: int) -> Assessment | None:
    return db.session.scalars(
        select(Assessment)
        .where(Assessment.project_id == project_id)
        .order_by(Assessment.sequence.desc())
        .limit(1)
    ).first()


def _next_sequence(model_class, project_id: int) -> int:
    current = db.session.scalar(
        select(func.max(model_class.sequence)).where(model_class.project_id == project_id)
    )
    return (current or 0) + 1


def _flush_unique(message: str) -> None:
    """Flush; a clash on a per-project sequence means someone else saved first."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise RuleError(message) from None


# --------------------------------------------------------------------------------------
# Assessments
# --------------------------------------------------------------------------------------


def assess(
    project: Project,
    raw_answers: Mapping[str, Any],
    *,
    assessed_by: User,
    expected_sequence: int | None = None,
    assessed_at: datetime | None = None,
) -> Assessment:
    """Record an assessment: validate the answers, compute the result, store both.

    ``expected_sequence`` is the number this assessment would get when the form was
    opened; if another assessment was saved since, the save is refused.
    """
    try:
        answers = rules.validate_answers(raw_answers)
    except rules.AnswerError as error:
        key, message = error.problems[0]
        raise RuleError(message, key) from None
    sequence = _next_sequence(Assessment, project.id)
    if expected_sequence is not None and expected_sequence != sequence:
        raise RuleError(ASSESSED_MEANWHILE)
    current = current_model()
    result = rules.recommend(
        answers,
        size_tier=project_tier(project),
        thresholds=current.thresholds(),
        version=current.version,
    ).to_dict()
    assessment = Assessment(
        project=project,
        sequence=sequence,
        assessed_by=assessed_by,
        assessed_at=assessed_at or utcnow(),
    )
    assessment.store_result(answers.to_dict(), result)
    db.session.add(assessment)
    _flush_unique(ASSESSED_MEANWHILE)
    zone = model.ZONES[result["zone"]].label.lower()
    audit.record(
        "method.assessed",
        assessment,
        project_id=project.id,
        actor=assessed_by,
        summary=f"Assessed the project (number {sequence}): {zone} zone, recommends "
        f"{model.METHODS[result['method']].lower()}",
        changes={
            "method": result["method"],
            "zone": result["zone"],
            "confidence": result["confidence"],
            "model_version": result["model_version"],
            "answers": answers.to_dict(),
        },
    )
    return assessment


# --------------------------------------------------------------------------------------
# Model versions
# --------------------------------------------------------------------------------------

VERSION_PATTERN = re.compile(r"\A[0-9]{4}\.[0-9]{1,3}\Z")


def versions() -> list[ModelVersion]:
    """Every published version, newest first."""
    return list(db.session.scalars(select(ModelVersion).order_by(ModelVersion.id.desc())))


def current_model() -> ModelVersion:
    """The version new assessments use: the newest published."""
    version = db.session.scalars(
        select(ModelVersion).order_by(ModelVersion.id.desc()).limit(1)
    ).first()
    if version is None:  # a database before the versions table's first row
        return ModelVersion(
            version=model.MODEL_VERSION,
            thresholds_json=json.dumps(model.calibrated_values(model.THRESHOLDS)),
            reasons="",
        )
    return version


def adopt_version(
    version: str,
    values: Mapping[str, int],
    reasons: str,
    *,
    actor: User,
    based_on: str,
) -> ModelVersion:
    """Publish a new model version with ``values`` for the calibrated thresholds.

    Refused when the label is not like 2027.1 or is taken, when no reason is given, when
    the version it was calibrated from is no longer the current one (someone adopted
    meanwhile), or when the thresholds break the model's guarantees (monotone in
    uncertainty; readiness never changes the method). Assessments already made keep their
    version: only new ones use this.
    """
    version = (version or "").strip()
    reasons = (reasons or "").strip()
    if not VERSION_PATTERN.match(version):
        raise RuleError("Give the version as a year and a number, like 2027.1", "version")
    if not reasons:
        raise RuleError("Say why the PMO adopts this version", "reasons")
    # Lock the current version's row: two adoptions at once are decided one after the
    # other, and the second is refused as based on a version no longer current.
    current = (
        db.session.scalars(
            select(ModelVersion)
            .order_by(ModelVersion.id.desc())
            .limit(1)
            .with_for_update(of=ModelVersion)
        ).first()
        or current_model()
    )
    if current.version != based_on:
        raise RuleError(
            f"Version {current.version} was adopted since this calibration was run: run it "
            "again against the current version"
        )
    try:
        thresholds = model.thresholds_with(dict(values))
    except (TypeError, ValueError) as error:
        raise RuleError(str(error)) from None
    problems = rules.property_problems(thresholds)
    if problems:
        raise RuleError("This version cannot be adopted: " + "; ".join(problems))
    record = ModelVersion(
        version=version,
        thresholds_json=json.dumps(model.calibrated_values(thresholds), sort_keys=True),
        reasons=reasons,
        published_by=actor,
    )
    db.session.add(record)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise RuleError(f"Version {version} already exists", "version") from None
    audit.record(
        "method.model_adopted",
        record,
        actor=actor,
        summary=f"Adopted method model version {version} (from {current.version})",
        changes={
            "version": version,
            "from": current.version,
            "thresholds": model.calibrated_values(thresholds),
            "previous": current.threshold_values,
            "reasons": reasons,
        },
    )
    return record


@dataclass(frozen=True)
class HistoryItem:
    assessment: Assessment
    previous: Assessment | None
    changes: list[dict[str, Any]]

    @property
    def zone_moved(self) -> bool:
        return any(change["kind"] == "zone" for change in self.changes)


def with_changes(assessments: Iterable[Assessment], before: Assessment | None) -> list[HistoryItem]:
    """Pair each assessment (newest first) with what changed since the one before it.

    ``before`` is the assessment preceding the oldest one given (from the next page), so a
    page of history compares its last row too.
    """
    ordered = list(assessments)
    items = []
    for index, assessment in enumerate(ordered):
        previous = ordered[index + 1] if index + 1 < len(ordered) else before
        changes = []
        if previous is not None:
            changes = rules.compare(
                {"answers": previous.answers, "result": previous.result()},
                {"answers": assessment.answers, "result": assessment.result()},
            )
        items.append(HistoryItem(assessment, previous, changes))
    return items


# --------------------------------------------------------------------------------------
# Method decisions
# --------------------------------------------------------------------------------------


@dataclass
class DecisionData:
    method: str
    drivers: list[str]
    rationale: str
    assessment_id: int | None
    project_version: int | None


def decide(
    project: Project,
    data: DecisionData,
    *,
    decided_by: User,
    decided_at: datetime | None = None,
) -> MethodDecision:
    """Record a method decision against the latest assessment and set the project's method.

    Choosing against the recommendation needs a rationale and opens a risk on the
    project's register. Every decision updates the project row under its version, so two
    decisions made at once cannot both succeed.
    """
    check_version(project, data.project_version)
    if data.method not in model.METHODS:
        raise RuleError("Choose a delivery method from the list", "method")
    drivers = [d for d in model.DECISION_DRIVERS if d in set(data.drivers)]
    if not drivers or len(drivers) != len(set(data.drivers)):
        raise RuleError("Choose at least one driver of the decision from the list", "drivers")
    latest = latest_assessment(project.id)
    if latest is None:
        raise RuleError(
            "Assess the project before deciding its method, so the decision can be compared "
            "with a recommendation"
        )
    if data.assessment_id is not None and data.assessment_id != latest.id:
        raise RuleError(NEWER_ASSESSMENT)
    rationale = (data.rationale or "").strip()
    follows = data.method == latest.method
    chosen, recommended = model.METHODS[data.method], model.METHODS[latest.method]
    if not follows and not rationale:
        raise RuleError(
            f"Explain why you chose {chosen.lower()} when the assessment recommends "
            f"{recommended.lower()}",
            "rationale",
        )

    decided_at = decided_at or utcnow()
    risk = None
    if not follows:
        risk = Risk(
            project=project,
            created_at=decided_at,
            updated_at=decided_at,
            title=f"Delivery method departs from the recommendation: {chosen.lower()} chosen, "
            f"{recommended.lower()} recommended",
            description=_departure_description(latest, chosen, recommended, drivers, rationale),
            owner=decided_by,
            status=RiskStatus.OPEN,
            source="method_decision",
        )
        db.session.add(risk)

    decision = MethodDecision(
        project=project,
        sequence=_next_sequence(MethodDecision, project.id),
        decided_by=decided_by,
        decided_at=decided_at,
        method=data.method,
        previous_method=project.delivery_method,
        rationale=rationale,
        assessment=latest,
        recommended_method=latest.method,
        follows_recommendation=follows,
        risk=risk,
        driver_rows=[MethodDecisionDriver(driver=d) for d in drivers],
    )
    db.session.add(decision)
    previous_method = project.delivery_method
    project.delivery_method = data.method
    # Touch the project even when the method stays the same, so the version check below
    # catches a decision made at the same moment by someone else.
    project.updated_at = utcnow()
    try:
        _flush_unique(StaleEdit().args[0])
    except StaleDataError:
        raise StaleEdit() from None

    audit.record(
        "method.decided",
        decision,
        project_id=project.id,
        actor=decided_by,
        summary=f"Chose {chosen.lower()} delivery"
        + ("" if follows else f" against the recommendation ({recommended.lower()})"),
        changes={
            "delivery_method": [previous_method, data.method],
            "recommended_method": latest.method,
            "follows_recommendation": follows,
            "drivers": drivers,
            "rationale": rationale,
            "assessment_id": latest.id,
        },
    )
    if risk is not None:
        registers.opened(risk, decided_by)
    return decision


def _departure_description(
    assessment: Assessment, chosen: str, recommended: str, drivers: list[str], rationale: str
) -> str:
    zone = model.ZONES[assessment.zone].label.lower()
    driver_words = ", ".join(model.DECISION_DRIVERS[d].lower() for d in drivers)
    return (
        f"The assessment of {assessment.assessed_at:%d %B %Y} places the project in the "
        f"{zone} zone and recommends {recommended.lower()} delivery; {chosen.lower()} was "
        f"chosen instead. Drivers: {driver_words}. Rationale: {rationale}\n\n"
        "Manage it by returning to the recommendation at each stage end or release, and "
        "by re-assessing when the project changes."
    )
