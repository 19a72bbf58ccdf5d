from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from tracker.closure.rules import CLOSURE_VOTES, SECTIONS
from tracker.core.fields import ChoiceField, options


def _section(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[
            InputRequired(f"Enter {label[0].lower()}{label[1:]}"),
            Length(max=10000, message=f"{label} must be 10,000 characters or fewer"),
        ],
    )


class EndProjectReportForm(FlaskForm):
    """The end-project report: one text area for each of its sections (added below)."""


for _name, _label in SECTIONS:
    setattr(EndProjectReportForm, _name, _section(_label))


class ClosureDecisionForm(FlaskForm):
    role = ChoiceField("Deciding as", choices=[])
    decision = ChoiceField("Your decision", choices=options(CLOSURE_VOTES))
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
