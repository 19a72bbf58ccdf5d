"""Demo business case: the adult social care case management replacement (ASC-2026-01)
with its strategic outline case frozen at the start gate, its outline business case at the
first stage boundary and its full business case at the gate now waiting for the board.

The stage and board demos take the project through its gates first; this one then writes
each version through the services and freezes it for its gate in order, as a gate request
would have (the same rules and audit trail), dated when that gate was requested. A project
that already has a business case is left alone, so loading twice adds nothing.
"""

from __future__ import annotations

from sqlalchemy import select

from tracker.auth.models import User
from tracker.business_cases import services
from tracker.business_cases.models import BusinessCaseVersion
from tracker.extensions import db
from tracker.projects.models import Project
from tracker.stages.models import GateReview

PROJECT = "ASC-2026-01"

STRATEGIC = (
    "The adult social care case management system is out of support in March 2028. Social "
    "workers re-key assessments into three systems, and each quarter's statutory returns take "
    "two weeks of manual reconciliation. The council plan commits to one record per person, "
    "shared with the integrated care board."
)
STRATEGIC_OBC = STRATEGIC + (
    " Engagement with 40 social workers and 12 care-home providers confirmed that the shared "
    "record matters most at hospital discharge."
)
ECONOMIC = (
    "Three options were appraised over five years at the Green Book rate: do minimum (extend "
    "support), a shared regional system, and a new system of our own."
)
ECONOMIC_FBC = ECONOMIC + (
    " Tender prices replaced the estimates: the shared regional system remains the best value."
)
COMMERCIAL = "A call-off from the regional framework, with a data migration lot."
COMMERCIAL_FBC = (
    "Contract awarded from the regional framework after a mini-competition; data migration "
    "is a fixed-price lot with service credits."
)
FINANCIAL = "Capital from the council's transformation fund; revenue savings from licences."
MANAGEMENT = "PRINCE2 stages with the Executive as senior responsible owner."

# (name, description, (year, cost, benefit) lines) for each version.
OPTIONS_SOC = [
    ("Do minimum", "Extend support of the current system.", "0, 150000, 0\n1, 300000, 0"),
    (
        "Shared regional system",
        "Join the system four neighbouring councils use.",
        "0, 2500000, 0\n1, 900000, 600000\n2, 400000, 1400000\n3, 400000, 1600000\n"
        "4, 400000, 1600000",
    ),
    (
        "New system of our own",
        "Procure and configure a system for this council alone.",
        "0, 3200000, 0\n1, 1100000, 500000\n2, 500000, 1400000\n3, 500000, 1600000\n"
        "4, 500000, 1600000",
    ),
]
SHARED_FBC = (
    "0, 2700000, 0\n1, 950000, 600000\n2, 400000, 1500000\n3, 400000, 1700000\n4, 400000, 1700000"
)


def load(projects_by_code: dict[str, Project], people_by_email: dict[str, User]) -> int:
    """Add the demo business case if it is missing; returns how many versions were added."""
    project = projects_by_code.get(PROJECT)
    if project is None:
        return 0
    exists = db.session.scalar(
        select(BusinessCaseVersion.id).where(BusinessCaseVersion.project_id == project.id)
    )
    if exists is not None:
        return 0
    gates = list(
        db.session.scalars(
            select(GateReview)
            .where(GateReview.project_id == project.id)
            .order_by(GateReview.boundary, GateReview.round)
        )
    )
    if len(gates) < 3:
        return 0
    manager = next(m.user for m in project.memberships if m.role == "project_manager")
    added = 0

    soc = services.start_version(project, kind="soc", actor=manager)
    for name, text in (
        ("strategic", STRATEGIC),
        ("economic", ECONOMIC),
        ("commercial", COMMERCIAL),
        ("financial", FINANCIAL),
        ("management", MANAGEMENT),
    ):
        services.update_section(soc, name, text, stamp=None, actor=manager)
    for name, description, flows in OPTIONS_SOC:
        services.save_option(
            soc,
            services.OptionData(name, description, flows),
            number=None,
            stamp=None,
            actor=manager,
        )
    _freeze(soc, gates[0], manager)
    added += 1

    obc = services.start_version(project, kind="obc", actor=manager)
    services.update_section(obc, "strategic", STRATEGIC_OBC, stamp=None, actor=manager)
    services.save_option(
        obc,
        services.OptionData(*OPTIONS_SOC[1][:3], is_preferred=True),
        number=2,
        stamp=None,
        actor=manager,
    )
    services.save_funding(
        obc,
        funding="capital, 2500000, no\nrevenue, 900000, yes",
        discount_rate="3.5",
        stamp=None,
        actor=manager,
    )
    _freeze(obc, gates[1], manager)
    added += 1

    fbc = services.start_version(project, kind="fbc", actor=manager)
    services.update_section(fbc, "economic", ECONOMIC_FBC, stamp=None, actor=manager)
    services.update_section(fbc, "commercial", COMMERCIAL_FBC, stamp=None, actor=manager)
    services.save_option(
        fbc,
        services.OptionData(OPTIONS_SOC[1][0], OPTIONS_SOC[1][1], SHARED_FBC, is_preferred=True),
        number=2,
        stamp=None,
        actor=manager,
    )
    services.save_funding(
        fbc,
        funding="capital, 2700000, yes\nrevenue, 950000, yes\npartner, 300000, yes",
        discount_rate="3.5",
        stamp=None,
        actor=manager,
    )
    _freeze(fbc, gates[2], manager)
    added += 1
    db.session.flush()
    return added


def _freeze(version: BusinessCaseVersion, gate: GateReview, manager: User) -> None:
    """Freeze ``version`` for ``gate`` as its request did, dated when it was requested."""
    frozen = services.freeze_for_gate(gate, actor=manager)
    if frozen is not None:
        frozen.frozen_at = gate.requested_at
