"""Forms for the board's decision with its conditions, and for settling a condition."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from tracker.board.rules import DCA_LABELS, ConditionStatus
from tracker.core.fields import ChoiceField, DayField, optional_int, options
from tracker.core.forms import VersionedForm
from tracker.stages.models import GATE_DECISIONS
from tracker.stages.rules import GateDecision

CONDITION_SLOTS = 3
LONG_TEXT = 5000


def _condition_fields(number: int) -> dict:
    return {
        f"condition_{number}": TextAreaField(
            f"Condition {number}",
            validators=[
                Optional(),
                Length(max=2000, message="A condition is at most 2000 characters"),
            ],
        ),
        f"owner_{number}": ChoiceField(
            f"Owner of condition {number}", coerce=optional_int, validate_choice=True
        ),
        f"due_{number}": DayField(f"Condition {number} due by", validators=[Optional()]),
    }


class _DecisionForm(FlaskForm):
    role = ChoiceField("Deciding as", validators=[InputRequired("Choose the role you decide as")])
    decision = RadioField(
        "Your decision",
        choices=options(GATE_DECISIONS),
        validators=[InputRequired("Choose approve, approve with conditions or reject")],
    )
    rating = RadioField(
        "Your delivery confidence",
        choices=options(DCA_LABELS),
        validators=[InputRequired("Choose your delivery confidence rating")],
    )
    rationale = TextAreaField(
        "Why this rating",
        validators=[
            InputRequired("Give the rationale for your rating"),
            Length(max=LONG_TEXT, message="The rationale is at most 5000 characters"),
        ],
        description="What makes you more or less confident: the evidence you weighed.",
    )
    comment = TextAreaField(
        "Comment",
        validators=[
            Optional(),
            Length(max=LONG_TEXT, message="A comment is at most 5000 characters"),
        ],
        description="Required to reject: the reason.",
    )

    def __init__(self, *args, roles=(), team=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = options(roles)
        if len(roles) == 1 and not self.role.data:
            self.role.data = roles[0][0]
        for number in range(1, CONDITION_SLOTS + 1):
            getattr(self, f"owner_{number}").choices = [("", "Choose an owner"), *team]

    def validate_comment(self, field):
        if self.decision.data == GateDecision.REJECT and not (field.data or "").strip():
            raise ValidationError("Enter the reason for rejecting the gate")

    def slots(self) -> list[tuple]:
        """Each condition's (text, owner, due) fields, for the template and the view."""
        return [
            (
                getattr(self, f"condition_{n}"),
                getattr(self, f"owner_{n}"),
                getattr(self, f"due_{n}"),
            )
            for n in range(1, CONDITION_SLOTS + 1)
        ]


BoardDecisionForm = type(
    "BoardDecisionForm",
    (_DecisionForm,),
    {
        name: value
        for number in range(1, CONDITION_SLOTS + 1)
        for name, value in _condition_fields(number).items()
    },
)


SETTLE_CHOICES = {
    ConditionStatus.MET: "Met: record the evidence",
    ConditionStatus.WAIVED: "Waived by the board: record the reason",
}


class SettleConditionForm(VersionedForm):
    status = RadioField(
        "What happened",
        choices=options(SETTLE_CHOICES),
        validators=[InputRequired("Choose met or waived")],
    )
    explanation = TextAreaField(
        "Evidence or reason",
        validators=[
            InputRequired("Give the evidence that it is met, or the board's reason for waiving it"),
            Length(max=LONG_TEXT, message="At most 5000 characters"),
        ],
        description="For met: what shows the condition is met (a document, a link, a "
        "decision). For waived: why the board no longer requires it.",
    )


class AssuranceForm(FlaskForm):
    """The PMO's independent Delivery Confidence Assessment."""

    rating = RadioField(
        "Delivery confidence",
        choices=options(DCA_LABELS),
        validators=[InputRequired("Choose the delivery confidence rating")],
    )
    rationale = TextAreaField(
        "Why this rating",
        validators=[
            InputRequired("Give the rationale for the rating"),
            Length(max=LONG_TEXT, message="The rationale is at most 5000 characters"),
        ],
    )


class DocumentForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[
            InputRequired("Enter a title, such as “Business case”"),
            Length(max=200, message="The title is at most 200 characters"),
        ],
        description="A file with the same title on the same record becomes its next version.",
    )
    subject = ChoiceField("For", validators=[InputRequired("Choose what the document is for")])
    file = FileField("File", validators=[FileRequired("Choose a file to attach")])


class RecordDocumentForm(FlaskForm):
    """A document attached from its record's own page (a change request): the record is
    the page's, so there is nothing to choose."""

    title = StringField(
        "Title",
        validators=[
            InputRequired("Enter a title, such as “Impact assessment”"),
            Length(max=200, message="The title is at most 200 characters"),
        ],
        description="A file with the same title on this record becomes its next version.",
    )
    file = FileField("File", validators=[FileRequired("Choose a file to attach")])
