"""Who may read and keep a project's registers, on the one team lookup.

Anyone on the project (and PMO staff) reads them; the project manager keeps them (PMO
staff and administrators may step in), as with the rest of the project's plan.
"""

from __future__ import annotations

from tracker.projects.access import can_manage, can_view


def can_read(user, project) -> bool:
    return can_view(user, project)


def can_keep(user, project) -> bool:
    return can_manage(user, project)
