from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from tracker.core.fields import ChoiceField, MoneyField
from tracker.core.forms import VersionedForm


class FundingForm(VersionedForm):
    amount = MoneyField(
        "Funding to release (£)", validators=[InputRequired("Enter the amount to release")]
    )


class StampForm(VersionedForm):
    """A button that changes a phase: carries the phase's version number."""


class AssessmentRequestForm(FlaskForm):
    summary = TextAreaField(
        "What the phase found and built",
        validators=[
            InputRequired("Say what the phase found and built, for the assessors"),
            Length(max=5000, message="The summary must be 5000 characters or fewer"),
        ],
    )


class AssessmentDecisionForm(FlaskForm):
    """The assessor's role and comment; each point's result is read from ``point-N-met`` and
    ``point-N-note`` (N from 1, one per point the framework lists)."""

    role = ChoiceField("Assessing as", choices=[])
    comment = TextAreaField(
        "Comment",
        validators=[
            Optional(),
            Length(max=5000, message="Comment must be 5000 characters or fewer"),
        ],
    )

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = list(roles)
