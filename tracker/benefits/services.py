"""Operations on the benefits register: define a benefit, record a measurement, record a
review, set the dates a closed project's benefits are reviewed on.

Each validates (the form has already, but the API and the demo call here too), changes
state, writes the audit entry and flushes; the caller commits. A save based on a version
someone else has changed since is refused, so two people editing one benefit never lose a
change; a second measurement of one benefit on one day is refused by a unique constraint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from tracker.audit import services as audit
from tracker.audit.rules import diff
from tracker.auth.models import User
from tracker.benefits import rules
from tracker.benefits.models import (
    Benefit,
    BenefitReview,
    Measurement,
    ReviewDate,
    TrajectoryPoint,
)
from tracker.benefits.rules import (
    BENEFIT_CATEGORIES,
    BENEFIT_KINDS,
    REVIEW_OUTCOMES,
    TRAJECTORIES,
    Point,
    Trajectory,
)
from tracker.business_cases.models import BusinessCaseVersion, CaseOption
from tracker.closure.models import EndProjectReport
from tracker.core.dates import uk_today
from tracker.core.errors import RuleError, check_version
from tracker.extensions import db
from tracker.orgs.models import Organisation
from tracker.projects.models import Project
from tracker.stages.models import Stage
from tracker.stages.rules import StageStatus


@dataclass
class BenefitData:
    title: str
    kind: str
    category: str
    measure: str
    unit: str
    baseline_value: Decimal | None
    baseline_on: date | None
    target_value: Decimal | None
    target_on: date | None
    owner_email: str
    owner_name: str = ""
    organisation_id: int | None = None
    option_id: int | None = None
    description: str = ""
    trajectory: str = Trajectory.LINEAR
    points: list[Point] = field(default_factory=list)


def person_with_email(email: str | None) -> User | None:
    address = (email or "").strip().lower()
    if not address:
        return None
    return db.session.scalars(select(User).where(func.lower(User.email) == address)).first()


def organisation_choices(project: Project) -> list[tuple[int, str]]:
    """The organisations a benefit may fall to: the lead and the partners."""
    found = [project.lead_organisation, *project.partners]
    return [(org.id, org.name) for org in found]


def option_label(option: CaseOption) -> str:
    version = option.case_version.number
    return f"Option {option.number}: {option.name} (business case version {version})"


def option_choices(project: Project, keep: CaseOption | None = None) -> list[tuple[int, str]]:
    """The options a benefit may come from: those of the project's latest business case
    version, and the option the benefit already names if that is from an earlier one."""
    found = list(
        db.session.scalars(
            select(CaseOption)
            .join(BusinessCaseVersion, CaseOption.case_version_id == BusinessCaseVersion.id)
            .where(
                BusinessCaseVersion.project_id == project.id,
                BusinessCaseVersion.number
                == select(func.max(BusinessCaseVersion.number))
                .where(BusinessCaseVersion.project_id == project.id)
                .scalar_subquery(),
            )
            .order_by(CaseOption.number)
        )
    )
    if keep is not None and keep not in found:
        found.insert(0, keep)
    return [(option.id, option_label(option)) for option in found]


def _option_problem(project: Project, option_id: int | None) -> str | None:
    """An option must be one of this project's business case: never another project's."""
    if option_id is None:
        return None
    owner = db.session.scalar(
        select(BusinessCaseVersion.project_id)
        .join(CaseOption, CaseOption.case_version_id == BusinessCaseVersion.id)
        .where(CaseOption.id == option_id)
    )
    if owner != project.id:
        return "Choose an option from this project's business case"
    return None


def _check(project: Project, data: BenefitData) -> User | None:
    if not (data.title or "").strip():
        raise RuleError("Enter the benefit's title", "title")
    if data.kind not in BENEFIT_KINDS:
        raise RuleError("Choose whether this is a benefit or a dis-benefit", "kind")
    if data.category not in BENEFIT_CATEGORIES:
        raise RuleError("Choose the benefit's category", "category")
    if not (data.measure or "").strip():
        raise RuleError("Say how the benefit is measured", "measure")
    if data.baseline_value is None:
        raise RuleError("Enter the baseline value", "baseline_value")
    if data.baseline_on is None:
        raise RuleError("Enter the date the baseline was taken", "baseline_on")
    if data.target_value is None:
        raise RuleError("Enter the target value", "target_value")
    if data.target_on is None:
        raise RuleError("Enter the date the target is due", "target_on")
    problem = rules.unit_problem(data.unit, data.category)
    if problem:
        raise RuleError(problem, "unit")
    problem = rules.dates_problem(data.baseline_on, data.target_on)
    if problem:
        raise RuleError(problem, "target_on")
    if data.trajectory not in TRAJECTORIES:
        raise RuleError("Choose the expected trajectory", "trajectory")
    if data.trajectory == Trajectory.POINTS:
        if not data.points:
            raise RuleError(
                "Give at least one trajectory point, or choose a straight line", "points"
            )
        problem = rules.points_problem(data.points, data.baseline_on, data.target_on)
        if problem:
            raise RuleError(problem, "points")
    if data.organisation_id is not None and data.organisation_id not in {
        org_id for org_id, _ in organisation_choices(project)
    }:
        raise RuleError(
            "Choose the lead organisation or one of the project's partners", "organisation_id"
        )
    problem = _option_problem(project, data.option_id)
    if problem:
        raise RuleError(problem, "option_id")
    owner = person_with_email(data.owner_email)
    if owner is not None and not owner.is_active_user:
        raise RuleError("That person's account is closed: name another owner", "owner_email")
    problem = rules.owner_problem(data.owner_email, data.owner_name, has_account=owner is not None)
    if problem:
        raise RuleError(
            problem, "owner_name" if (data.owner_email or "").strip() else "owner_email"
        )
    return owner


def snapshot(benefit: Benefit) -> dict[str, Any]:
    return {
        "Title": benefit.title,
        "Type": BENEFIT_KINDS.get(benefit.kind, benefit.kind),
        "Category": BENEFIT_CATEGORIES.get(benefit.category, benefit.category),
        "Organisation": benefit.organisation.name if benefit.organisation else "Lead organisation",
        "Owner": benefit.owner_label,
        "Business-case option": option_label(benefit.option) if benefit.option else "None",
        "Measure": benefit.measure,
        "Unit": benefit.unit,
        "Baseline": f"{benefit.baseline_value} on {benefit.baseline_on.isoformat()}",
        "Target": f"{benefit.target_value} by {benefit.target_on.isoformat()}",
        "Trajectory": "; ".join(
            f"{p.on.isoformat()}: {p.value}" for p in benefit.trajectory_points()
        )
        or "Straight line",
        "Description": benefit.description,
    }


def _apply(benefit: Benefit, data: BenefitData, owner: User | None) -> None:
    benefit.title = data.title.strip()
    benefit.kind = data.kind
    benefit.category = data.category
    benefit.organisation_id = data.organisation_id
    benefit.organisation = (
        db.session.get(Organisation, data.organisation_id) if data.organisation_id else None
    )
    benefit.option_id = data.option_id
    benefit.option = db.session.get(CaseOption, data.option_id) if data.option_id else None
    benefit.owner = owner
    benefit.owner_name = "" if owner else data.owner_name.strip()
    benefit.owner_email = "" if owner else data.owner_email.strip()
    benefit.measure = data.measure.strip()
    benefit.unit = data.unit.strip()
    benefit.baseline_value = data.baseline_value
    benefit.baseline_on = data.baseline_on
    benefit.target_value = data.target_value
    benefit.target_on = data.target_on
    benefit.trajectory = data.trajectory
    benefit.description = (data.description or "").strip()
    wanted = {p.on: p.value for p in data.points} if data.trajectory == Trajectory.POINTS else {}
    # Kept by date (a point deleted and added again on the same day would collide with
    # its own unique key inside one flush).
    have = {p.on: p for p in benefit.points}
    for on, point in have.items():
        if on not in wanted:
            benefit.points.remove(point)
        elif point.value != wanted[on]:
            point.value = wanted[on]
    for on, value in sorted(wanted.items()):
        if on not in have:
            benefit.points.append(TrajectoryPoint(on=on, value=value))


def create_benefit(project: Project, data: BenefitData, *, actor: User) -> Benefit:
    owner = _check(project, data)
    benefit = Benefit(project=project, project_id=project.id)
    _apply(benefit, data, owner)
    db.session.add(benefit)
    db.session.flush()
    audit.record(
        "benefit.created",
        benefit,
        project_id=project.id,
        actor=actor,
        summary=f"Added {BENEFIT_KINDS[benefit.kind].lower()}: {benefit.title}",
        changes=diff({}, snapshot(benefit)),
    )
    return benefit


def update_benefit(
    project: Project, benefit: Benefit, data: BenefitData, *, version: int | None, actor: User
) -> Benefit:
    if benefit.project_id != project.id:
        raise RuleError("That benefit is not on this project's register")
    check_version(benefit, version)
    owner = _check(project, data)
    if benefit.latest_on is not None and data.baseline_on > benefit_first_measured(benefit):
        raise RuleError(
            "The baseline cannot be dated after a measurement already recorded", "baseline_on"
        )
    before = snapshot(benefit)
    _apply(benefit, data, owner)
    after = snapshot(benefit)
    if before == after:
        return benefit
    db.session.flush()
    audit.record(
        "benefit.updated",
        benefit,
        project_id=project.id,
        actor=actor,
        summary=f"Updated benefit {benefit.id}: {benefit.title}",
        changes=diff(before, after),
    )
    return benefit


def benefit_first_measured(benefit: Benefit) -> date:
    return db.session.scalar(
        select(func.min(Measurement.measured_on)).where(Measurement.benefit_id == benefit.id)
    )


def benefit_tolerance(project_id: int) -> Decimal:
    """The benefit tolerance the project's stage sets: the active stage's (or, with none
    active, the latest stage's) stated benefit target, read for its percentage."""
    stated = db.session.scalars(
        select(Stage.benefit_target)
        .where(Stage.project_id == project_id)
        .order_by((Stage.status == StageStatus.ACTIVE).desc(), Stage.sequence.desc())
        .limit(1)
    ).first()
    return rules.tolerance_percent(stated)


def record_measurement(
    benefit: Benefit,
    *,
    measured_on: date | None,
    value: Decimal | None,
    note: str = "",
    version: int | None = None,
    actor: User | None,
    today: date | None = None,
) -> Measurement:
    if measured_on is None:
        raise RuleError("Enter the date of the measurement", "measured_on")
    if value is None:
        raise RuleError("Enter the value measured", "value")
    check_version(benefit, version)
    problem = rules.measurement_problem(measured_on, benefit.baseline_on, today or uk_today())
    if problem:
        raise RuleError(problem, "measured_on")
    taken = db.session.scalar(
        select(Measurement.id).where(
            Measurement.benefit_id == benefit.id, Measurement.measured_on == measured_on
        )
    )
    if taken is not None:
        raise RuleError("This benefit already has a measurement on that day", "measured_on")
    expected_value = rules.expected(
        measured_on,
        baseline=benefit.baseline,
        target=benefit.target,
        points=benefit.trajectory_points(),
    )
    share = rules.shortfall_share(
        benefit.kind,
        baseline=benefit.baseline_value,
        target=benefit.target_value,
        expected_value=expected_value,
        actual=value,
    )
    off = rules.is_off_track(share, benefit_tolerance(benefit.project_id))
    measurement = Measurement(
        benefit_id=benefit.id,
        measured_on=measured_on,
        value=value,
        expected_value=expected_value.quantize(Decimal("0.0001")),
        off_track=off,
        note=(note or "").strip(),
        recorded_by_id=actor.id if actor is not None else None,
    )
    db.session.add(measurement)
    if benefit.latest_on is None or measured_on >= benefit.latest_on:
        benefit.latest_on = measured_on
        benefit.latest_value = value
        benefit.off_track = off
    db.session.flush()
    audit.record(
        "benefit.measured",
        measurement,
        project_id=benefit.project_id,
        actor=actor,
        summary=f"Measured {benefit.title}: {value} {benefit.unit} on {measured_on.isoformat()}"
        + (" (off its trajectory beyond the benefit tolerance)" if off else ""),
        changes={
            "Value": [None, str(value)],
            "Expected": [None, str(measurement.expected_value)],
            "Off trajectory": [None, off],
        },
    )
    return measurement


def record_review(
    benefit: Benefit,
    *,
    outcome: str | None,
    evidence: str,
    due_on: date | None = None,
    version: int | None = None,
    actor: User,
) -> BenefitReview:
    if outcome not in REVIEW_OUTCOMES:
        raise RuleError(
            "Choose whether the benefit was realised, partly realised or not", "outcome"
        )
    if not (evidence or "").strip():
        raise RuleError("Give the evidence the review rests on", "evidence")
    check_version(benefit, version)
    review = BenefitReview(
        benefit_id=benefit.id,
        due_on=due_on,
        outcome=outcome,
        evidence=evidence.strip(),
        reviewed_by_id=actor.id,
    )
    db.session.add(review)
    benefit.review_outcome = outcome
    db.session.flush()
    audit.record(
        "benefit.reviewed",
        review,
        project_id=benefit.project_id,
        actor=actor,
        summary=f"Reviewed {benefit.title}: {REVIEW_OUTCOMES[outcome].lower()}",
        changes={"Outcome": [None, REVIEW_OUTCOMES[outcome]], "Evidence": [None, review.evidence]},
    )
    return review


def add_review_date(
    project: Project, due_on: date | None, *, actor: User, report_id: int | None = None
) -> ReviewDate:
    if due_on is None:
        raise RuleError("Enter the date of the benefits review", "due_on")
    exists = db.session.scalar(
        select(ReviewDate.id).where(
            ReviewDate.project_id == project.id, ReviewDate.due_on == due_on
        )
    )
    if exists is not None:
        raise RuleError("The benefits are already to be reviewed on that day", "due_on")
    row = ReviewDate(project_id=project.id, due_on=due_on, report_id=report_id)
    db.session.add(row)
    db.session.flush()
    audit.record(
        "benefit.review_scheduled",
        row,
        project_id=project.id,
        actor=actor,
        summary=f"Benefits to be reviewed on {due_on.isoformat()}",
        changes={"Review date": [None, due_on.isoformat()]},
    )
    return row


def latest_report(project_id: int) -> EndProjectReport | None:
    return db.session.scalars(
        select(EndProjectReport)
        .where(EndProjectReport.project_id == project_id)
        .order_by(EndProjectReport.round.desc())
        .limit(1)
    ).first()


def dates_from_report(project: Project, *, actor: User) -> list[ReviewDate]:
    """Schedule the reviews on the dates the project's end-project report names under
    "benefits to be reviewed, and when" (those already scheduled are kept as they are)."""
    report = latest_report(project.id)
    if report is None:
        raise RuleError("This project has no end-project report to take review dates from")
    wanted = rules.review_dates_in(report.benefits_to_review)
    if not wanted:
        raise RuleError(
            "The end-project report names no dates under “Benefits to be reviewed, and when” "
            "(write them as 30 June 2027 or 2027-06-30), so add the dates here"
        )
    have = set(
        db.session.scalars(select(ReviewDate.due_on).where(ReviewDate.project_id == project.id))
    )
    return [
        add_review_date(project, on, actor=actor, report_id=report.id)
        for on in wanted
        if on not in have
    ]
