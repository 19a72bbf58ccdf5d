from __future__ import annotations

from flask_wtf import FlaskForm

from tracker.core.fields import MultiChoiceField, options
from tracker.notifications.models import KINDS


class EmailChoicesForm(FlaskForm):
    email_kinds = MultiChoiceField(
        "Email me when",
        choices=options(KINDS),
        description="Everything also appears in your inbox here, whatever you choose.",
        invalid_message="Choose the emails you want from the list",
    )
