from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from tracker.core.fields import ChoiceField, MultiChoiceField, options
from tracker.core.forms import VersionedForm
from tracker.releases.rules import RELEASE_VOTES


class ReleaseForm(FlaskForm):
    name = StringField(
        "Release name",
        validators=[
            InputRequired("Name the release"),
            Length(max=120, message="The name must be 120 characters or fewer"),
        ],
    )
    notes = TextAreaField(
        "What it contains and how it was tested",
        validators=[
            InputRequired("Say what the release contains and how it was tested"),
            Length(max=5000, message="The notes must be 5000 characters or fewer"),
        ],
    )
    iteration_ids = MultiChoiceField("Iterations whose work goes into it", coerce=int, choices=[])


class ReleaseDecisionForm(FlaskForm):
    role = ChoiceField("Deciding as", choices=[])
    decision = ChoiceField("Your decision", choices=options(RELEASE_VOTES))
    comment = TextAreaField(
        "Comment (required to reject)",
        validators=[
            Optional(),
            Length(max=5000, message="Comment must be 5000 characters or fewer"),
        ],
    )

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = list(roles)


class LiveForm(VersionedForm):
    """Marks an approved release live; carries the release's version."""
