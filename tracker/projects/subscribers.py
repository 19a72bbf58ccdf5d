"""What projects contributes when other domains ask (``tracker.core.events``).

A project has a lead organisation and partners, so projects sits above orgs, whose list
asks for the project counts instead of importing projects.
"""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.core import events
from tracker.orgs.models import Organisation
from tracker.projects.models import Project, project_partners


@events.subscribe(events.organisation_columns, order=10)
def project_counts(_sender) -> list:
    """``led`` and ``partnered``: the organisation's projects, as correlated counts."""
    led = (
        select(func.count(Project.id))
        .where(Project.lead_organisation_id == Organisation.id)
        .scalar_subquery()
    )
    partnered = (
        select(func.count(project_partners.c.project_id))
        .where(project_partners.c.organisation_id == Organisation.id)
        .scalar_subquery()
    )
    return [led.label("led"), partnered.label("partnered")]
