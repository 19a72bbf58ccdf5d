"""The benefits forms: a benefit, a measurement, a review, a review date. The services
check the same rules again for the API; the forms give each field its own message."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from wtforms import DecimalField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from tracker.benefits.rules import (
    BENEFIT_CATEGORIES,
    BENEFIT_KINDS,
    REVIEW_OUTCOMES,
    TRAJECTORIES,
    Trajectory,
    parse_points,
)
from tracker.core.fields import ChoiceField, DayField, optional_int, options
from tracker.core.forms import VersionedForm

_TEXT = Length(max=5000, message="Keep this to 5000 characters or fewer")
MAX_VALUE = Decimal("99999999999999")


class ValueField(DecimalField):
    """A measured value: a number, negative or not, with commas allowed (``12,500``)."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0].strip().replace(",", "").replace("£", "").replace(" ", "")
        if raw == "":
            self.data = None
            return
        try:
            value = Decimal(raw)
        except InvalidOperation:
            self.data = None
            raise ValueError(
                f"Enter {self.label.text.lower()} as a number, like 1250 or 12.5"
            ) from None
        if not value.is_finite() or abs(value) > MAX_VALUE:
            self.data = None
            raise ValueError(f"{self.label.text} is not a number the register can hold")
        if value.as_tuple().exponent < -4:
            self.data = None
            raise ValueError(f"Give {self.label.text.lower()} with at most 4 decimal places")
        self.data = value


class BenefitForm(VersionedForm):
    title = StringField(
        "Title",
        validators=[
            InputRequired("Enter the benefit's title"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
    )
    kind = ChoiceField(
        "Benefit or dis-benefit",
        choices=options(BENEFIT_KINDS),
        default="benefit",
        validators=[InputRequired("Choose whether this is a benefit or a dis-benefit")],
    )
    category = ChoiceField(
        "Category",
        choices=options(BENEFIT_CATEGORIES),
        validators=[InputRequired("Choose the benefit's category")],
    )
    organisation_id = ChoiceField(
        "Organisation it falls to",
        coerce=optional_int,
        validators=[Optional()],
        invalid_message="Choose the lead organisation or one of the project's partners",
    )
    option_id = ChoiceField(
        "Business-case option it came from",
        description="The option appraised in the project's latest business case version.",
        coerce=optional_int,
        validators=[Optional()],
        invalid_message="Choose an option from this project's business case",
    )
    owner_email = StringField(
        "Benefit owner's email address",
        description="The owner's account if they have one; otherwise the email of the person "
        "outside the tracker who owns it (then give their name too).",
        validators=[
            InputRequired("Enter the benefit owner's email address"),
            Email(
                "Enter the owner's email address like name@example.gov.uk",
                check_deliverability=False,
            ),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    owner_name = StringField(
        "Owner's name (only for an owner without an account)",
        validators=[Optional(), Length(max=200, message="Name must be 200 characters or fewer")],
    )
    measure = StringField(
        "Measure",
        description="What is counted, for example “Staff hours spent rekeying claims”.",
        validators=[
            InputRequired("Say how the benefit is measured"),
            Length(max=300, message="Measure must be 300 characters or fewer"),
        ],
    )
    unit = StringField(
        "Unit",
        description="For example £ a year, hours a month, %. A cashable benefit is in £.",
        validators=[
            InputRequired("Give the unit the target is measured in"),
            Length(max=40, message="Unit must be 40 characters or fewer"),
        ],
    )
    baseline_value = ValueField(
        "Baseline value", validators=[InputRequired("Enter the baseline value")]
    )
    baseline_on = DayField(
        "Date the baseline was taken",
        validators=[InputRequired("Enter the date the baseline was taken")],
    )
    target_value = ValueField("Target value", validators=[InputRequired("Enter the target value")])
    target_on = DayField(
        "Date the target is due", validators=[InputRequired("Enter the date the target is due")]
    )
    trajectory = ChoiceField(
        "Expected trajectory",
        choices=options(TRAJECTORIES),
        default=Trajectory.LINEAR,
        validators=[InputRequired("Choose the expected trajectory")],
    )
    points = TextAreaField(
        "Trajectory points",
        description="Only for “Points I give”: one a line, a date and the value expected "
        "then, for example 2026-10-01, 150.",
        validators=[Optional(), _TEXT],
    )
    description = TextAreaField("Description", validators=[Optional(), _TEXT])

    def __init__(self, *args, organisations=(), business_options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = options([("", "The lead organisation"), *organisations])
        self.option_id.choices = options([("", "None named"), *business_options])

    def validate_points(self, field) -> None:
        if self.trajectory.data != Trajectory.POINTS:
            return
        try:
            self.parsed_points = parse_points(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        if not self.parsed_points:
            raise ValidationError("Give at least one trajectory point, or choose a straight line")

    def point_list(self):
        if self.trajectory.data != Trajectory.POINTS:
            return []
        return getattr(self, "parsed_points", None) or parse_points(self.points.data)


class MeasurementForm(VersionedForm):
    measured_on = DayField(
        "Date measured", validators=[InputRequired("Enter the date of the measurement")]
    )
    value = ValueField("Value measured", validators=[InputRequired("Enter the value measured")])
    note = TextAreaField("Note", validators=[Optional(), _TEXT])


class ReviewForm(VersionedForm):
    outcome = ChoiceField(
        "Was the benefit realised?",
        choices=options(REVIEW_OUTCOMES),
        validators=[
            InputRequired("Choose whether the benefit was realised, partly realised or not")
        ],
    )
    evidence = TextAreaField(
        "Evidence",
        description="What the review rests on: figures, reports, where to find them.",
        validators=[InputRequired("Give the evidence the review rests on"), _TEXT],
    )


class ReviewDateForm(VersionedForm):
    due_on = DayField(
        "Review date", validators=[InputRequired("Enter the date of the benefits review")]
    )
