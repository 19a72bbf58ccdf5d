"""Demo stage plans at different points: gates approved, approved with conditions, rejected
and resubmitted, one waiting for the board, and one stage in exception.

Everything goes through the services, so the demo obeys the same rules (and leaves the same
audit trail) as real use. A project that already has stages is left alone.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from tracker.auth.models import User
from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects.models import Project
from tracker.stages import rules, services
from tracker.stages.models import Stage
from tracker.stages.rules import GateDecision, GateStatus

# code -> (method if none decided yet, [(stage name, start, finish, budget)])
PLANS = {
    "ASC-2026-01": (
        "stage_gated",
        [
            ("Discovery and business case", date(2026, 1, 5), date(2026, 4, 30), "300000"),
            ("Procurement", date(2026, 5, 4), date(2026, 10, 30), "900000"),
            ("Build and data migration", date(2026, 11, 2), date(2027, 9, 30), "2200000"),
            ("Go-live and transition", date(2027, 10, 4), date(2028, 2, 28), "600000"),
        ],
    ),
    "HWY-2026-03": (
        "stage_gated",
        [
            ("Design and consultation", date(2026, 4, 6), date(2026, 7, 31), "400000"),
            ("Resurfacing works", date(2026, 8, 3), date(2027, 6, 30), "2200000"),
            ("Handover and defects", date(2027, 7, 5), date(2027, 10, 29), "200000"),
        ],
    ),
    "HSG-2026-06": (
        "stage_gated",
        [
            ("Market engagement", date(2026, 6, 1), date(2026, 9, 30), "150000"),
            ("Tender and award", date(2026, 10, 5), date(2027, 1, 29), "250000"),
            ("Mobilisation", date(2027, 2, 1), date(2027, 5, 28), "800000"),
        ],
    ),
    "ICT-2026-08": (
        "hybrid",
        [
            ("Plan and landing zone", date(2026, 1, 12), date(2026, 5, 29), "600000"),
            ("Migration wave 1", date(2026, 6, 1), date(2026, 12, 18), "2500000"),
            ("Migration wave 2 and exit", date(2027, 1, 4), date(2027, 12, 17), "2300000"),
        ],
    ),
    "PH-2026-07": (
        "stage_gated",
        [
            ("Whole-system map and partner pledge", date(2026, 4, 1), date(2026, 10, 30), "200000"),
            ("First interventions", date(2026, 11, 2), date(2027, 8, 27), "300000"),
            ("Evaluate and scale", date(2027, 9, 1), date(2028, 3, 31), "150000"),
        ],
    ),
    "ENV-2026-10": (
        "stage_gated",
        [
            ("Route survey and modelling", date(2026, 3, 16), date(2026, 5, 29), "35000"),
            ("New rounds go live", date(2026, 6, 1), date(2026, 9, 25), "60000"),
        ],
    ),
    "MH-2026-11": (
        "stage_gated",
        [
            ("Crisis pathway design", date(2026, 2, 2), date(2026, 7, 31), "400000"),
            ("Pilot in two localities", date(2026, 8, 3), date(2027, 5, 28), "900000"),
            ("Roll-out and evaluation", date(2027, 6, 1), date(2027, 12, 22), "600000"),
        ],
    ),
    "REG-2026-12": (
        "stage_gated",
        [
            ("Masterplan options", date(2026, 9, 1), date(2027, 3, 31), "900000"),
            ("Consultation and adoption", date(2027, 4, 5), date(2027, 12, 17), "1100000"),
        ],
    ),
}

REPORT = {
    "delivered_vs_plan": "Every product in the stage plan was delivered; see the product "
    "checklist. Spend is within the stage budget.",
    "forecast": "The project is forecast to finish on its planned date and within budget.",
    "lessons": "Engage partners and service users earlier; agree data-sharing before "
    "procurement starts.",
    "next_stage_plan": "Products, dates and budget for the next stage are in the stage plan.",
    "business_case_justified": True,
}


def _people_for(project: Project, people_by_email: dict[str, User]) -> dict[str, User]:
    by_id = {user.id: user for user in people_by_email.values()}
    roles: dict[str, User] = {}
    for membership in project.memberships:
        user = by_id.get(membership.user_id, membership.user)
        roles.setdefault(membership.role, user)
    return roles


def _plan(project: Project, stages_spec, manager: User) -> list[Stage]:
    defaults = services.stage_defaults(project)
    planned = []
    for name, start, finish, budget in stages_spec:
        planned.append(
            services.create_stage(
                project,
                services.StageData(
                    name=name,
                    planned_start=start,
                    planned_finish=finish,
                    planned_budget=Decimal(budget),
                    **defaults,
                ),
                actor=manager,
            )
        )
    return planned


def _request(project, roles, *, days_ago: int = 0, **report):
    gate = services.request_gate(
        project, services.GateRequestData(**{**REPORT, **report}), actor=roles["project_manager"]
    )
    if days_ago:
        gate.requested_at = utcnow() - timedelta(days=days_ago)
    return gate


def _decide(gate, roles, decisions: dict[str, tuple[str, str]] | None = None):
    """Every required role approves unless ``decisions`` says otherwise."""
    decisions = decisions or {}
    for role in gate.roles:
        decision, comment = decisions.get(role, (GateDecision.APPROVE, ""))
        services.decide_gate(gate, role=role, decision=decision, comment=comment, actor=roles[role])
        if gate.status != GateStatus.PENDING:
            break


def _run_to_close(project: Project, stages: list[Stage], roles) -> None:
    """Take a project through every stage to its closing gate, which closes it: the only way
    a stage-gated project is closed, other than early."""
    manager = roles["project_manager"]
    _decide(_request(project, roles), roles)
    boundaries = rules.gate_boundaries(services.regime_for(project), len(stages))
    for stage in stages:
        services.start_stage(stage, version=None, actor=manager)
        if stage.sequence in boundaries:
            _decide(_request(project, roles), roles)
        else:
            services.close_stage(stage, version=None, actor=manager)


def load(projects_by_code: dict[str, Project], people_by_email: dict[str, User]) -> int:
    """Add the demo stage plans that are missing; returns how many stages were added."""
    added = 0
    with_stages = set(db.session.scalars(select(Stage.project_id).distinct()))
    for code, (method, spec) in PLANS.items():
        project = projects_by_code.get(code)
        if project is None or project.id in with_stages:
            continue
        if project.delivery_method is None:
            # Method decisions belong to another part of the tracker; the demo needs a
            # stage-gated or hybrid method before it can plan stages.
            project.delivery_method = method
        if project.delivery_method not in services.STAGED_METHODS:
            continue
        roles = _people_for(project, people_by_email)
        stages = _plan(project, spec, roles["project_manager"])
        added += len(stages)
        manager = roles["project_manager"]
        if code == "ASC-2026-01":
            _decide(_request(project, roles), roles)
            services.start_stage(stages[0], version=None, actor=manager)
            _decide(
                _request(project, roles),
                roles,
                {
                    "senior_user": (
                        GateDecision.APPROVE_WITH_CONDITIONS,
                        "Run two workshops with care-home providers before the tender closes.",
                    )
                },
            )
            services.start_stage(stages[1], version=None, actor=manager)
            # The Senior User's condition is met next (the board's demo, which sits above
            # stages), and then the next gate is requested, waiting for the whole board.
        elif code == "HWY-2026-03":
            _decide(
                _request(project, roles, next_stage_plan="Design to start in April."),
                roles,
                {"executive": (GateDecision.REJECT, "The traffic management plan is missing.")},
            )
            _decide(
                _request(
                    project,
                    roles,
                    next_stage_plan="Design, with the traffic management plan agreed with "
                    "the police.",
                ),
                roles,
            )
            services.start_stage(stages[0], version=None, actor=manager)
            _decide(_request(project, roles), roles)
            services.start_stage(stages[1], version=None, actor=manager)
            services.apply_forecast(
                stages[1],
                finish=stages[1].planned_finish + timedelta(days=44),
                cost=Decimal("2310000"),
                targets={
                    "scope": "met",
                    "quality": "at_risk",
                    "risk": "met",
                    "benefit": "met",
                    "sustainability": "met",
                },
                actor=manager,
            )
            report = services.raise_exception(
                stages[1],
                services.ExceptionData(
                    cause="The asphalt supplier went into administration in October; the "
                    "replacement cannot deliver until January.",
                    consequences="Works finish about six weeks late; winter working adds "
                    "cost and a quality risk to the surface.",
                    options=[
                        services.OptionData(
                            "Pause over winter and resume in March",
                            "+£40,000 (site set-up twice)",
                            "+10 weeks",
                            "Low: no winter laying",
                        ),
                        services.OptionData(
                            "Work through winter with a second supplier",
                            "+£110,000",
                            "+6 weeks",
                            "Medium: cold-weather laying",
                        ),
                        services.OptionData("", "", "", ""),
                    ],
                    recommended_option=1,
                    recommendation="Pause over winter: it costs least and protects quality.",
                ),
                actor=manager,
            )
            report.raised_at = utcnow() - timedelta(days=3)
        elif code == "HSG-2026-06":
            _request(project, roles, days_ago=2)
        elif code in ("ICT-2026-08", "PH-2026-07", "MH-2026-11"):
            # Under way: the board's approval of the start gate made the project active.
            _decide(_request(project, roles), roles)
            services.start_stage(stages[0], version=None, actor=manager)
        elif code == "ENV-2026-10":
            _run_to_close(project, stages, roles)
    db.session.flush()
    return added
