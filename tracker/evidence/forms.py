"""The evidence's filters, read from the query string (a GET form: no CSRF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.core.fields import ChoiceField, DayField, optional_int, options
from tracker.evidence import report, rules
from tracker.projects.rules import SIZE_TIERS
from tracker.stages.forms import WholeNumberField


class EvidenceFilterForm(FlaskForm):
    class Meta:
        csrf = False

    grouping = ChoiceField("Group projects by", choices=options(report.GROUPINGS))
    organisation = ChoiceField("Organisation", coerce=optional_int)
    tier = ChoiceField("Size", choices=options([("", "Any"), *SIZE_TIERS.items()]))
    period_from = DayField("Running from", description="For example, 2026-04-01")
    period_to = DayField("Running to", description="For example, 2027-03-31")
    min_n = WholeNumberField(
        "Minimum n for a figure",
        validators=[
            Optional(),
            NumberRange(
                rules.MIN_N_FLOOR,
                rules.MIN_N_CEILING,
                message=f"The minimum n must be from {rules.MIN_N_FLOOR} to {rules.MIN_N_CEILING}",
            ),
        ],
        description=f'Fewer projects than this show as "{rules.TOO_FEW}"',
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = options([("", "Any"), *[(o.id, o.name) for o in organisations]])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        start, end = self.period_from.data, self.period_to.data
        if start and end and end < start and not self.period_to.errors:
            self.period_to.errors = [
                *self.period_to.errors,
                "Running to must be on or after running from",
            ]
            valid = False
        return valid


class CalibrationForm(FlaskForm):
    """The calibration's choices, read from the query string."""

    class Meta:
        csrf = False

    measure = ChoiceField(
        "Outcome to calibrate against",
        choices=options(
            {key: rules.MEASURE_BY_KEY[key].label for key in report.CALIBRATION_MEASURES}
        ),
    )
    min_n = WholeNumberField(
        "Minimum n for a figure",
        validators=[
            Optional(),
            NumberRange(
                rules.MIN_N_FLOOR,
                rules.MIN_N_CEILING,
                message=f"The minimum n must be from {rules.MIN_N_FLOOR} to {rules.MIN_N_CEILING}",
            ),
        ],
    )


class AdoptForm(FlaskForm):
    """Adopt the candidate as a new model version."""

    version = StringField(
        "New version",
        validators=[DataRequired("Give the new version, like 2027.1"), Length(max=20)],
        description="A year and a number, like 2027.1",
    )
    reasons = TextAreaField(
        "Why the PMO adopts it",
        validators=[DataRequired("Say why the PMO adopts this version"), Length(max=4000)],
    )
    based_on = HiddenField()
    thresholds = HiddenField()
