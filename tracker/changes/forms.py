"""Change control forms."""

from __future__ import annotations

from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from tracker.core.fields import ChoiceField, MoneyField, optional_int, options
from tracker.core.forms import VersionedForm
from tracker.stages.forms import WholeNumberField

_TEXT = Length(max=5000, message="Keep this to 5000 characters or fewer")


def _impact(label: str) -> TextAreaField:
    return TextAreaField(
        f"Impact on {label}",
        description="Write 'None' if there is none.",
        validators=[InputRequired(f"State the impact on {label}"), _TEXT],
    )


class ChangeForm(VersionedForm):
    title = StringField(
        "What is to change",
        validators=[
            InputRequired("Enter a title for the change"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
    )
    stage_id = ChoiceField(
        "Stage it re-plans",
        description="A stage not yet started; its finish and budget move by the impact.",
        coerce=optional_int,
        validators=[Optional()],
        invalid_message="Choose a stage of this project",
    )
    time_impact_days = WholeNumberField(
        "Impact on time (days of delay)",
        validators=[
            InputRequired("Enter the delay in days, 0 or more"),
            NumberRange(min=0, max=3650, message="Enter the delay in days, 0 or more"),
        ],
    )
    cost_impact = MoneyField(
        "Impact on cost (extra pounds)",
        validators=[InputRequired("Enter the extra cost in pounds, £0 or more")],
    )
    scope_impact = _impact("scope")
    quality_impact = _impact("quality")
    risk_impact = _impact("risk")
    benefit_impact = _impact("benefit")
    sustainability_impact = _impact("sustainability")

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.stage_id.choices = options([("", "No stage"), *[(s.id, s.label) for s in stages]])


class DecideForm(VersionedForm):
    decision = RadioField(
        "Decision",
        choices=options([("approve", "Approve"), ("reject", "Reject")]),
        validators=[InputRequired("Choose approve or reject")],
    )
    comment = TextAreaField("Comment", description="Required to reject.", validators=[_TEXT])


class BudgetForm(VersionedForm):
    change_budget = MoneyField(
        "Change budget (£)",
        description="What the project manager may approve in total, within the stage's "
        "tolerances, without the board.",
        validators=[InputRequired("Enter the change budget in pounds, £0 or more")],
    )
