"""Demo frameworks: the PMO's own copy of the council gateways (Gateway 2 renamed, a
checklist item added, published), and the housing procurement project following it with
its Gateway 0 checklist confirmed, so its start gate can be requested.

Everything goes through the services (the same rules and audit trail as real use); what
exists already is left alone, so loading twice adds nothing.
"""

from __future__ import annotations

from sqlalchemy import select

from tracker.auth.models import User
from tracker.extensions import db
from tracker.frameworks import services
from tracker.frameworks.models import (
    ChecklistConfirmation,
    GovernanceFramework,
    ProjectFramework,
)
from tracker.projects.models import Project

COPY_NAME = "Eastbridge council gateways"
COUNCIL = "Council gateways 0 to 3"
PROJECT = "HSG-2026-06"
EVIDENCE = {
    "Strategic fit with the council plan confirmed": "Cabinet report CAB/2026/041, item 7",
    "Project mandate": "Housing DMS ref HSG-MAN-0112",
}


def load(projects_by_code: dict[str, Project], people_by_email: dict[str, User]) -> int:
    """Add what is missing; returns how many records were added."""
    pmo = people_by_email.get("priya.shah@example.gov.uk")
    if pmo is None:
        return 0
    added = 0
    version = _published_copy(pmo)
    if version is None:
        return 0
    added += 1
    project = projects_by_code.get(PROJECT)
    if project is None:
        return added
    manager = next(m.user for m in project.memberships if m.role == "project_manager")
    link = db.session.get(ProjectFramework, project.id)
    if link is None or link.framework_version_id != version.id:
        services.move_project(
            project,
            version,
            reason="A council procurement: the council's own gateways apply.",
            actor=manager,
        )
    done = set(
        db.session.scalars(
            select(ChecklistConfirmation.gate_template_item_id).where(
                ChecklistConfirmation.project_id == project.id
            )
        )
    )
    gate = next(g for g in version.gates if g.key == "gateway-0")
    for item in gate.items:
        if item.id not in done:
            services.confirm_item(project, item, evidence=EVIDENCE.get(item.text), actor=manager)
            added += 1
    db.session.flush()
    return added


def _published_copy(pmo: User):
    existing = db.session.scalars(
        select(GovernanceFramework).where(GovernanceFramework.name == COPY_NAME)
    ).first()
    if existing is not None:
        return services.latest_published(existing.id)
    council = db.session.scalars(
        select(GovernanceFramework).where(GovernanceFramework.name == COUNCIL)
    ).first()
    source = services.latest_published(council.id) if council else None
    if source is None:
        return None
    draft = services.copy_framework(source, name=COPY_NAME, actor=pmo)
    gate = next(g for g in draft.gates if g.key == "gateway-2")
    roles = {
        level: [r.role for r in gate.roles if r.level == level]
        for level in ("small", "medium", "large")
    }
    services.update_gate(
        gate,
        services.GateData(
            "Gateway 2: Outline business case and procurement strategy",
            gate.falls_at,
            gate.description,
            roles,
        ),
        stamp=None,
        actor=pmo,
    )
    services.add_item(
        gate,
        text="Social value plan agreed with the procurement board",
        kind="checklist",
        evidence_required=True,
        stamp=None,
        actor=pmo,
    )
    services.publish(draft, stamp=None, actor=pmo)
    return draft
