"""Demo benefits: a benefits register on the adult social care and homelessness projects
(one benefit falling behind its trajectory, a dis-benefit, a benefit for a partner
organisation, an owner outside the tracker), and the closed waste collection project's
benefits measured since, reviewed on the date set after closure: one realised, one partly,
one not. Through the services, so the audit trail is the real one. A project whose register
already has benefits is left alone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from tracker.auth.models import User
from tracker.benefits import services
from tracker.benefits.models import Benefit
from tracker.business_cases.models import BusinessCaseVersion, CaseOption
from tracker.core.dates import uk_today
from tracker.extensions import db
from tracker.projects.access import team
from tracker.projects.models import Project

# code -> [(title, kind, category, partner?, measure, unit, baseline, baseline_on, target,
#           target_on, owner: "executive" / "manager" / (name, email), [(on, value)], review)]
REGISTERS = {
    "ASC-2026-01": [
        (
            "Lower cost of arranging care packages",
            "benefit",
            "cashable",
            False,
            "Officer time arranging packages, costed",
            "£ a year",
            0,
            date(2026, 4, 1),
            180_000,
            date(2027, 9, 30),
            "executive",
            [(date(2026, 7, 1), 28_000), (date(2026, 10, 1), 61_000)],
            None,
        ),
        (
            "People get their care package sooner",
            "benefit",
            "societal",
            False,
            "Median days from assessment to care starting",
            "days",
            42,
            date(2026, 4, 1),
            21,
            date(2027, 9, 30),
            "manager",
            [(date(2026, 7, 1), 40), (date(2026, 10, 1), 39)],  # falling behind
            None,
        ),
        (
            "Fewer hospital discharges delayed for care",
            "benefit",
            "non_cashable",
            True,
            "Bed days lost to delayed discharge a month",
            "bed days",
            600,
            date(2026, 4, 1),
            350,
            date(2027, 9, 30),
            ("Dr Helen Price", "helen.price@icb.example.nhs.uk"),
            [(date(2026, 9, 1), 540)],
            None,
        ),
        (
            "Staff time spent learning the new system",
            "disbenefit",
            "non_cashable",
            False,
            "Training hours a month",
            "hours",
            0,
            date(2026, 4, 1),
            400,
            date(2027, 3, 31),
            "manager",
            [(date(2026, 10, 1), 150)],
            None,
        ),
    ],
    "HOM-2026-02": [
        (
            "Fewer households in temporary accommodation",
            "benefit",
            "societal",
            False,
            "Households in temporary accommodation",
            "households",
            310,
            date(2026, 6, 1),
            240,
            date(2027, 12, 31),
            "executive",
            [(date(2026, 9, 1), 300)],
            None,
        ),
    ],
    "ENV-2026-10": [
        (
            "Lower fuel and overtime cost of collections",
            "benefit",
            "cashable",
            False,
            "Fuel and overtime cost of collection rounds",
            "£ a year",
            0,
            date(2026, 3, 16),
            60_000,
            date(2026, 11, 30),
            "executive",
            [
                (date(2026, 6, 30), 20_000),
                (date(2026, 9, 30), 41_000),
                (date(2026, 11, 30), 48_000),
            ],
            (
                "partly",
                "Fleet fuel cards and payroll overtime, March to November 2026: "
                "£48,000 a year of the £60,000 planned.",
            ),
        ),
        (
            "Fewer missed bins",
            "benefit",
            "societal",
            False,
            "Missed bin reports a month",
            "reports",
            1_200,
            date(2026, 3, 16),
            400,
            date(2026, 11, 30),
            ("Kim Walker", "kim.walker@eastvale-waste.example.org"),
            [(date(2026, 6, 30), 900), (date(2026, 11, 30), 380)],
            ("realised", "Contact centre reports of missed bins: 380 in November 2026."),
        ),
        (
            "Crews finish their rounds within the shift",
            "benefit",
            "non_cashable",
            False,
            "Share of rounds finished within the shift",
            "%",
            70,
            date(2026, 3, 16),
            95,
            date(2026, 11, 30),
            "manager",
            [(date(2026, 6, 30), 72), (date(2026, 11, 30), 74)],
            (
                "not_realised",
                "Vehicle trackers: new housing estates added rounds the plan did not foresee.",
            ),
        ),
    ],
}
REVIEW_ON = {"ENV-2026-10": date(2026, 12, 1)}


def _owner(project: Project, owner) -> tuple[str, str]:
    if isinstance(owner, tuple):
        return owner[1], owner[0]
    role = "project_manager" if owner == "manager" else "executive"
    holders = team(project.id).holders([role])
    return (holders[0].email, "") if holders else ("", "")


def _preferred_option(project: Project) -> int | None:
    """The preferred option of the project's latest business case version, if any: the
    option the demo's benefits came from."""
    return db.session.scalar(
        select(CaseOption.id)
        .join(BusinessCaseVersion, CaseOption.case_version_id == BusinessCaseVersion.id)
        .where(
            BusinessCaseVersion.project_id == project.id,
            CaseOption.number == BusinessCaseVersion.preferred_option,
        )
        .order_by(BusinessCaseVersion.number.desc())
        .limit(1)
    )


def load(projects_by_code: dict[str, Project], people: dict[str, User]) -> None:
    kept = set(db.session.scalars(select(Benefit.project_id).distinct()))
    today = uk_today()
    for code, specs in REGISTERS.items():
        project = projects_by_code.get(code)
        if project is None or project.id in kept:
            continue
        managers = team(project.id).holders(["project_manager"])
        if not managers:
            continue
        manager = managers[0]
        partner = project.partners[0].id if project.partners else None
        preferred = _preferred_option(project)
        for spec in specs:
            (
                title,
                kind,
                category,
                for_partner,
                measure,
                unit,
                baseline,
                baseline_on,
                target,
                target_on,
                owner,
                measured,
                review,
            ) = spec
            email, name = _owner(project, owner)
            if not email:
                continue
            benefit = services.create_benefit(
                project,
                services.BenefitData(
                    title=title,
                    kind=kind,
                    category=category,
                    measure=measure,
                    unit=unit,
                    baseline_value=Decimal(baseline),
                    baseline_on=baseline_on,
                    target_value=Decimal(target),
                    target_on=target_on,
                    owner_email=email,
                    owner_name=name,
                    organisation_id=partner if for_partner else None,
                    option_id=preferred if kind == "benefit" else None,
                ),
                actor=manager,
            )
            recorder = benefit.owner or manager
            for on, value in measured:
                if on <= today:
                    services.record_measurement(
                        benefit, measured_on=on, value=Decimal(value), actor=recorder, today=today
                    )
            due = REVIEW_ON.get(code)
            if review is not None and due is not None and due <= today:
                services.record_review(
                    benefit, outcome=review[0], evidence=review[1], due_on=due, actor=recorder
                )
        due = REVIEW_ON.get(code)
        if due is not None:
            services.add_review_date(project, due, actor=manager)
            later = date(due.year + 1, due.month, due.day)
            services.add_review_date(project, later, actor=manager)
    db.session.flush()
