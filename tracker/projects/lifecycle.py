"""The one place a project's status changes.

The board's decisions move a project: its start gate (or, for agile work, the Executive's
authorisation to start) starts it, its closing gate or the Executive's closing decision
closes it, the Executive's early closure ends it. Starting an iteration never moves it.
Each of those services calls :func:`move`, which checks the move against the lifecycle
rule (``projects.rules.check_status_change``) and writes an audit entry naming the
decision that moved it. Forms, the API, the CLI and the demo never set a status: a
new project is always proposed.
"""

from __future__ import annotations

from typing import Any

from tracker.audit import services as audit
from tracker.core.errors import RuleError
from tracker.projects.models import Project
from tracker.projects.rules import (
    MOVER_LABELS,
    PROJECT_STATUSES,
    Mover,
    ProjectStatus,
    ProjectStatusError,
    check_status_change,
)


def move(
    project: Project,
    target: ProjectStatus | str,
    *,
    mover: Mover,
    actor: Any | None,
    decision: str,
    refs: dict[str, Any] | None = None,
) -> str:
    """Move ``project`` to ``target`` because of ``decision`` (the record that moved it, in
    words) and return the status it had. Refuses any move the lifecycle does not allow."""
    before = project.status
    try:
        status = check_status_change(before, target, mover, project.delivery_method)
    except ProjectStatusError as error:
        raise RuleError(str(error)) from None
    project.status = status.value
    audit.record(
        "project.status_changed",
        project,
        project_id=project.id,
        summary=f"Project {PROJECT_STATUSES[status].lower()}: {decision}",
        changes={
            "status": [before, status.value],
            "moved_by": mover.value,
            "because": MOVER_LABELS[mover],
            **(refs or {}),
        },
        actor=actor,
    )
    return before
