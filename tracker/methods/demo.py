"""Demo assessments and method decisions for the demo portfolio.

Each project's answers follow its story in ``tracker/demo/data.py``. Some projects follow
their recommendation; some chose by tradition against it, with a rationale and the risk
that records the departure, as the study behind the product found councils do.
Idempotent: a project that already has an assessment is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from tracker.auth.models import User
from tracker.db import utcnow
from tracker.extensions import db
from tracker.methods import services
from tracker.methods.models import Assessment
from tracker.projects.models import Project

_KEYS = ("U1", "U2", "U3", "U4", "U5", "U6", "U7", "F1", "F2", "F3", "C1", "R1", "R2", "R3", "R4")


def _answers(scale: str, team_size: int, culture: str) -> dict:
    """``scale`` is the fifteen 1-5 answers U1…U7 F1…F3 C1 R1…R4 as one string of digits."""
    values = [int(digit) for digit in scale.replace(" ", "")]
    return {**dict(zip(_KEYS, values, strict=True)), "team_size": team_size, "culture": culture}


@dataclass(frozen=True)
class DemoAssessment:
    days_ago: int
    answers: dict
    # The decision made after this assessment, if any: (method, drivers, rationale).
    decision: tuple[str, tuple[str, ...], str] | None = None


#                       U1-U7    F1-F3 C1 R1-R4
DEMO: dict[str, tuple[DemoAssessment, ...]] = {
    # Complex with a life at stake: hybrid recommended; IT procurement habit chose gates.
    "ASC-2026-01": (
        DemoAssessment(
            60,
            _answers("3233231 432 4 2322", 14, "control"),
            (
                "stage_gated",
                ("tradition", "member_preference"),
                "Every council system replacement has used PRINCE2 stages and the lead "
                "member expects a gateway report at each one. The supplier contract is "
                "also written around stage payments.",
            ),
        ),
    ),
    # A partnership pilot that turned out more wicked than first thought: the zone moved.
    "HOM-2026-02": (
        DemoAssessment(
            140,
            _answers("2322331 434 3 3323", 9, "collaboration"),
            (
                "hybrid",
                ("project_needs",),
                "Partners agree on the problem; the pilot sites can run short cycles "
                "inside a staged funding agreement.",
            ),
        ),
        DemoAssessment(
            20,
            _answers("4444553 544 3 4433", 9, "collaboration"),
            (
                "agile",
                ("project_needs",),
                "Rough sleepers' routes into crisis differ at every site; we need to learn "
                "from each fortnight's cases with the people using the service.",
            ),
        ),
    ),
    "HWY-2026-03": (
        DemoAssessment(
            45,
            _answers("1111112 121 3 2323", 12, "control"),
            ("stage_gated", ("project_needs",), "Statutory scope, a proven method, fixed dates."),
        ),
    ),
    # Hybrid recommended; the manager and a trained team chose agile anyway.
    "DIG-2026-04": (
        DemoAssessment(
            30,
            _answers("3122211 554 1 4443", 6, "competence"),
            (
                "agile",
                ("manager_preference", "training"),
                "The team has run two agile services and the change-of-address journey can "
                "ship in a fortnight; a stage plan would only slow the first release.",
            ),
        ),
    ),
    # Harm is happening now: act to stabilise first.
    "SAF-2026-05": (
        DemoAssessment(
            12,
            _answers("4334445 443 5 3432", 8, "collaboration"),
            (
                "agile",
                ("project_needs",),
                "A six-week response with weekly checkpoints while the information-sharing "
                "agreement is settled; then re-assess.",
            ),
        ),
    ),
    # Whole-system, contested: agile recommended; members asked for the usual gateways.
    "PH-2026-07": (
        DemoAssessment(
            75,
            _answers("3554552 334 2 2223", 7, "control"),
            (
                "stage_gated",
                ("tradition", "member_preference"),
                "The health and wellbeing board approves public health programmes through "
                "its usual gateway process; members want a fixed plan before funding.",
            ),
        ),
    ),
    # Complicated, and the migration must move in big releases: stages. Assessed long ago.
    "ICT-2026-08": (
        DemoAssessment(
            130,
            _answers("2123221 221 3 3433", 20, "competence"),
            ("stage_gated", ("project_needs",), ""),
        ),
    ),
    "CS-2026-09": (
        DemoAssessment(
            25,
            _answers("4333442 545 2 4543", 6, "cultivation"),
            (
                "agile",
                ("project_needs",),
                "Parents co-design each hub; we test each service with them monthly.",
            ),
        ),
    ),
    "ENV-2026-10": (
        DemoAssessment(
            200,
            _answers("2112111 222 1 3423", 4, "control"),
            ("stage_gated", ("project_needs", "tradition"), ""),
        ),
    ),
    # Complex with lives at stake: hybrid recommended; NHS habit chose stage gates.
    "MH-2026-11": (
        DemoAssessment(
            50,
            _answers("3344453 433 4 3322", 12, "collaboration"),
            (
                "stage_gated",
                ("tradition", "training"),
                "Clinical governance in the ICB runs on business cases and stage approvals, "
                "and the team has not worked iteratively before.",
            ),
        ),
    ),
    # Proposed: assessed, no decision yet.
    "REG-2026-12": (DemoAssessment(8, _answers("3442331 313 3 2322", 10, "control")),),
    "VCS-2026-14": (
        DemoAssessment(
            15,
            _answers("3122221 544 1 4434", 3, "cultivation"),
            (
                "hybrid",
                ("project_needs",),
                "A fixed go-live for the grants round, with fortnightly demos to groups.",
            ),
        ),
    ),
}


def load(projects_by_code: dict[str, Project], people_by_email: dict[str, User]) -> int:
    """Add the demo assessments and decisions; returns how many assessments were added."""
    del people_by_email  # each project's own manager assesses and decides
    assessed = set(db.session.scalars(select(Assessment.project_id).distinct()))
    added = 0
    now = utcnow()
    for code, history in DEMO.items():
        project = projects_by_code.get(code)
        if project is None or project.id in assessed:
            continue
        manager = services.project_manager(project)
        for item in history:
            at = now - timedelta(days=item.days_ago)
            assessment = services.assess(project, item.answers, assessed_by=manager, assessed_at=at)
            added += 1
            if item.decision is not None:
                method, drivers, rationale = item.decision
                services.decide(
                    project,
                    services.DecisionData(method, list(drivers), rationale, assessment.id, None),
                    decided_by=manager,
                    decided_at=at + timedelta(days=3),
                )
    return added
