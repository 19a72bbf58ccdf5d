"""Demo phases: four agile services under the GDS service phases, each at another point.

- DIG-2026-04 in discovery;
- HOM-2026-02 in alpha;
- CS-2026-09 in private beta, after its alpha assessment failed (two points not met) and
  passed when it was re-run;
- SAF-2026-05 live, having passed every assessment on the way.

Everything goes through the services (the same rules and audit trail as real use); a
project whose phases exist already is left alone.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from tracker.auth.models import User
from tracker.extensions import db
from tracker.frameworks import services as frameworks
from tracker.frameworks.models import GovernanceFramework
from tracker.phases import services
from tracker.phases.models import Phase
from tracker.phases.rules import PhaseKind, PointResult
from tracker.projects import services as projects
from tracker.projects.models import Project

# code -> (the phase it reaches, funding released to each phase started, as a share of BAC)
PLANS = {
    "DIG-2026-04": PhaseKind.DISCOVERY,
    "HOM-2026-02": PhaseKind.ALPHA,
    "CS-2026-09": PhaseKind.PRIVATE_BETA,
    "SAF-2026-05": PhaseKind.LIVE,
}
SHARE = {
    PhaseKind.DISCOVERY: Decimal("0.08"),
    PhaseKind.ALPHA: Decimal("0.15"),
    PhaseKind.PRIVATE_BETA: Decimal("0.30"),
    PhaseKind.PUBLIC_BETA: Decimal("0.25"),
    PhaseKind.LIVE: Decimal("0.10"),
}
SUMMARIES = {
    PhaseKind.DISCOVERY: "Interviewed 24 residents and 6 staff; mapped the journey end to end.",
    PhaseKind.ALPHA: "Tested three prototypes with 30 users, including 5 with access needs.",
    PhaseKind.PRIVATE_BETA: "Ran with 400 invited users for eight weeks.",
    PhaseKind.PUBLIC_BETA: "Open to everyone for three months; take-up 62%.",
}
FAILED_ALPHA = {
    5: "No testing with screen reader users yet.",
    8: "No plan for iterating after the first release.",
}


def load(projects_by_code: dict[str, Project], people_by_email: dict[str, User]) -> int:
    gds = db.session.scalars(
        select(GovernanceFramework).where(GovernanceFramework.name == "GDS service phases")
    ).first()
    version = frameworks.latest_published(gds.id) if gds else None
    if version is None:
        return 0
    with_phases = set(db.session.scalars(select(Phase.project_id).distinct()))
    added = 0
    for code, reaches in PLANS.items():
        project = projects_by_code.get(code)
        if project is None or project.id in with_phases or project.status != "active":
            continue
        people = {m.role: m.user for m in project.memberships}
        if code == "SAF-2026-05" and "senior_supplier" not in people:
            # Criticality 5: the full board assesses, so the supplier's voice joins it.
            supplier = people_by_email["gareth.jones@example.gov.uk"]
            projects.add_member(project, supplier, "senior_supplier")
            people["senior_supplier"] = supplier
        manager = people["project_manager"]
        if frameworks.governance_of(project) is None or (
            frameworks.governance_of(project).version_id != version.id
        ):
            frameworks.move_project(
                project, version, reason="A digital service: the GDS phases apply.", actor=manager
            )
        phases = services.set_up(project, actor=manager)
        added += len(phases)
        for phase in phases:
            amount = (project.budget_at_completion * SHARE[PhaseKind(phase.kind)]).quantize(
                Decimal("1")
            )
            services.release_funding(phase, amount, version=None, actor=people["executive"])
            services.start_phase(phase, version=None, actor=manager)
            if phase.kind == reaches:
                break
            if code == "CS-2026-09" and phase.kind == PhaseKind.ALPHA:
                _assess(phase, manager, people, not_met=FAILED_ALPHA)
            _assess(phase, manager, people)
    db.session.flush()
    return added


def _assess(phase: Phase, manager: User, people: dict, not_met=None) -> None:
    assessment = services.request_assessment(
        phase,
        summary=SUMMARIES[PhaseKind(phase.kind)]
        + (" Re-run: both points addressed." if not not_met and phase.kind == "alpha" else ""),
        actor=manager,
    )
    for role in assessment.roles:
        results = [
            PointResult(point, n not in (not_met or {}), (not_met or {}).get(n, ""))
            for n, point in enumerate(assessment.point_list, start=1)
        ]
        services.decide_assessment(
            assessment, role=role, results=results, comment="", actor=people[role]
        )
        if assessment.status != "pending":
            break
