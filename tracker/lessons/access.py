"""Who may log and curate lessons, on the one team lookup.

Everyone on a project (and PMO staff) reads its lessons log; the manager (or PMO staff) and
the team log lessons; PMO staff curate the organisation-wide library, which everyone signed
in reads.
"""

from __future__ import annotations

from tracker.projects.access import can_manage, team


def can_log(user, project) -> bool:
    """The manager (or PMO staff) and the team log lessons."""
    return can_manage(user, project) or "team_member" in team(project.id).roles_of(user.id)


def can_curate(user) -> bool:
    return bool(getattr(user, "is_pmo", False))
