"""Demo data for notifications.

The other domains build the demo's history through their real services, which notify
people as they go: that history's inbox entries stay (people see what a notification looks
like), but its queued emails to the demo people are dropped, so the first start of the
scheduler does not send a burst of emails about events that happened "before".
"""

from __future__ import annotations

from sqlalchemy import delete

from tracker.auth.models import User
from tracker.extensions import db
from tracker.notifications.models import OutboxEmail
from tracker.notifications.vocabulary import EmailStatus
from tracker.projects.models import Project


def load(projects_by_code: dict[str, Project], people_by_email: dict[str, User]) -> int:
    """Drop the unsent emails to demo people; return how many. Running it again drops only
    what is queued for them then."""
    if not people_by_email:
        return 0
    result = db.session.execute(
        delete(OutboxEmail)
        .where(
            OutboxEmail.status == EmailStatus.PENDING,
            OutboxEmail.attempts == 0,
            OutboxEmail.to_address.in_([user.email for user in people_by_email.values()]),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
