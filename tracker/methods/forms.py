"""Forms for assessing a project, deciding its method and editing its risks.

The questions, labels and hints come from ``model.py``: a new model version changes the
form without touching this file.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from tracker.core.fields import ChoiceField, MultiChoiceField, optional_int, options
from tracker.core.forms import VersionedForm, hidden_int
from tracker.methods import model

MAX_TEAM_SIZE = 10000


class WholeNumberField(IntegerField):
    """An integer field whose message for text like "six" names the field."""

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0].strip() == "":
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a whole number, like 6") from None


def _question_field(question: model.Question) -> ChoiceField:
    name = f"{question.id}: {question.topic.lower()}"
    return ChoiceField(
        f"{question.id}. {question.text}",
        description=question.hint,
        coerce=optional_int,
        choices=options([(value, f"{value} – {question.label(value)}") for value in model.SCALE]),
        validators=[InputRequired(f"Answer question {name}")],
        invalid_message=f"Answer question {name} with one of the options from 1 to 5",
    )


class _AssessmentMethods:
    def answers(self) -> dict:
        """The answers as the model reads them (keys U1…R4, team_size, culture)."""
        data = {q.id: self[q.id].data for q in model.QUESTIONS}
        data[model.TEAM_SIZE_KEY] = self.team_size.data
        data[model.CULTURE_KEY] = self.culture.data
        return data

    def expected_sequence_number(self) -> int | None:
        return hidden_int(self.expected_sequence)

    def groups(self):
        """``(group, [field, …])`` in the model's order, for the template."""
        return [
            (group, [self[q.id] for q in model.QUESTIONS if q.group == group.id])
            for group in model.GROUPS
        ]


# Question fields first, in the model's order, so the error summary lists them in order.
_FIELDS = {q.id: _question_field(q) for q in model.QUESTIONS}
_FIELDS["team_size"] = WholeNumberField(
    "Team size",
    description="How many people work on the project, counting part-timers as one each.",
    validators=[
        InputRequired("Enter the team size"),
        NumberRange(
            min=1,
            max=MAX_TEAM_SIZE,
            message=f"Team size must be a whole number from 1 to {MAX_TEAM_SIZE}",
        ),
    ],
)
_FIELDS["culture"] = ChoiceField(
    "What is your organisation's dominant culture?",
    description="Schneider's four culture types. Culture never changes the recommendation: "
    "it shows which risks to manage.",
    choices=options(model.CULTURES),
    validators=[InputRequired("Choose the organisation's dominant culture")],
    invalid_message="Choose the organisation's dominant culture from the list",
)
_FIELDS["expected_sequence"] = HiddenField()

AssessmentForm = type("AssessmentForm", (_AssessmentMethods, FlaskForm), _FIELDS)


class DecisionForm(VersionedForm):
    method = ChoiceField(
        "Which delivery method will the project use?",
        choices=options(model.METHODS),
        validators=[InputRequired("Choose the delivery method")],
        invalid_message="Choose the delivery method from the list",
    )
    drivers = MultiChoiceField(
        "What drove the choice?",
        description="Select all that apply. Be honest: the PMO compares how methods chosen "
        "for different reasons turn out.",
        choices=options(model.DECISION_DRIVERS),
        validators=[InputRequired("Choose at least one driver of the decision")],
        invalid_message="Choose the drivers of the decision from the list",
    )
    rationale = TextAreaField(
        "Rationale",
        description="Why this method, for this project. Required when you choose a method "
        "other than the one recommended.",
        validators=[Length(max=5000, message="Rationale must be 5000 characters or fewer")],
    )
    assessment_id = HiddenField()

    def assessment_number(self) -> int | None:
        return hidden_int(self.assessment_id)


class SwitchForm(FlaskForm):
    """Propose a switch of method with the decision waiting at the boundary."""

    method = ChoiceField(
        "Switch to which delivery method?",
        choices=options(model.METHODS),
        validators=[InputRequired("Choose the delivery method to switch to")],
        invalid_message="Choose the delivery method from the list",
    )
    framework_version_id = ChoiceField(
        "Which governance framework will it follow?",
        description="The framework whose gates the project passes after the switch.",
        choices=[],
        coerce=optional_int,
        validators=[InputRequired("Choose the framework the project will follow")],
        invalid_message="Choose a published framework from the list",
    )
    drivers = MultiChoiceField(
        "What drives the switch?",
        choices=options(model.DECISION_DRIVERS),
        validators=[InputRequired("Choose at least one driver of the switch")],
        invalid_message="Choose the drivers of the switch from the list",
    )
    rationale = TextAreaField(
        "Why switch now",
        description="What the phase or stage found that calls for the other method.",
        validators=[Length(max=5000, message="The reason must be 5000 characters or fewer")],
    )
