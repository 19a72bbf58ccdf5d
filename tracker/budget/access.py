"""Who may decide a budget exception: the budget domain's object rule, on the one team
lookup (the board roles the exception names)."""

from __future__ import annotations

from tracker.auth.models import User
from tracker.budget.models import BudgetException
from tracker.projects.access import team


def can_decide(user: User, report: BudgetException) -> bool:
    """A budget exception is raised by the system, so nobody is its requester: any holder of
    one of the board roles it names may decide."""
    return bool(team(report.project_id).roles_of(user.id) & set(report.roles))
