"""What agile contributes when other domains ask (``tracker.core.events``).

Agile sits above stages (a hybrid iteration is planned inside a stage), so a gate page
cannot import agile's queries: it asks for evidence, and agile answers.
"""

from __future__ import annotations

from tracker.agile import queries
from tracker.core import events
from tracker.core.filters import day
from tracker.core.waiting import Kind, Link


@events.subscribe(events.governance_breaches, order=10)
def project_lifecycle(_sender=None) -> list[str]:
    """Statuses no governance decision explains (a project started by its first iteration
    under the old rule, or a status typed into the database)."""
    return queries.lifecycle_breaches()


@events.subscribe(events.gate_evidence, order=10)
def iterations_in_stage(stage) -> list[dict]:
    """The iterations a hybrid stage holds, with their feedback, as evidence for its gate."""
    return queries.stage_evidence(stage.id)


@events.subscribe(events.waiting_for, order=30)
def feedback_to_give(user, *, decisions_only: bool) -> list[Kind]:
    """Running iterations a customer representative has not given feedback on yet."""
    if decisions_only:
        return []
    rows = queries.feedback_to_give(user.id)
    links = [
        Link(
            f"{row.code}: {row.name} (ends {day(row.end_on)})",
            "agile.create_feedback",
            {"project_id": row[3], "iteration_id": row[0]},
        )
        for row in rows
    ]
    return [
        Kind(
            "feedback",
            "iteration to give feedback on",
            "iterations to give feedback on",
            rows,
            links,
        )
    ]
