from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from tracker.business_cases.rules import CASE_VERSION_LABELS
from tracker.core.fields import ChoiceField, options
from tracker.core.forms import VersionedForm


class StartForm(FlaskForm):
    kind = ChoiceField(
        "Which version is this?",
        choices=options(CASE_VERSION_LABELS),
        validators=[InputRequired("Choose which version this is")],
    )


class SectionForm(VersionedForm):
    text = TextAreaField(
        "Text",
        validators=[
            Optional(),
            Length(max=50_000, message="A section must be 50,000 characters or fewer"),
        ],
    )


class OptionForm(VersionedForm):
    name = StringField(
        "Option name",
        validators=[
            InputRequired("Enter the option's name"),
            Length(max=200, message="The option's name must be 200 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "What the option is",
        validators=[Optional(), Length(max=5000, message="5,000 characters or fewer")],
    )
    flows = TextAreaField(
        "Costs and benefits by year",
        validators=[Optional(), Length(max=10_000, message="10,000 characters or fewer")],
    )
    is_preferred = BooleanField("This is the preferred option")


class FundingForm(VersionedForm):
    funding = TextAreaField(
        "Funding sources",
        validators=[Optional(), Length(max=2000, message="2,000 characters or fewer")],
    )
    discount_rate = StringField(
        "Discount rate (% a year)",
        validators=[InputRequired("Enter the discount rate as a percentage")],
    )


class JudgementForm(VersionedForm):
    justified = ChoiceField(
        "Is the business case still justified?",
        choices=options([("yes", "Yes"), ("no", "No")]),
        validators=[InputRequired("Say whether the business case is still justified")],
    )
    note = TextAreaField(
        "Why",
        validators=[Optional(), Length(max=5000, message="5,000 characters or fewer")],
    )


class StampForm(VersionedForm):
    """A button that changes a version: carries its version number."""
