"""What agile contributes when other domains ask (``tracker.core.events``).

Agile sits above stages (a hybrid iteration is planned inside a stage), so a gate page
cannot import agile's queries: it asks for evidence, and agile answers.
"""

from __future__ import annotations

from tracker.agile import queries
from tracker.core import events


@events.subscribe(events.governance_breaches, order=10)
def project_lifecycle(_sender=None) -> list[str]:
    """Statuses no governance decision explains (a project started by its first iteration
    under the old rule, or a status typed into the database)."""
    return queries.lifecycle_breaches()


@events.subscribe(events.gate_evidence, order=10)
def iterations_in_stage(stage) -> list[dict]:
    """The iterations a hybrid stage holds, with their feedback, as evidence for its gate."""
    return queries.stage_evidence(stage.id)
