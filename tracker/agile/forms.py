from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from tracker.agile.rules import Move
from tracker.agile.vocabulary import (
    AGREEMENTS,
    FEEDBACK_SOURCES,
    ITEM_STATUSES,
    PRIORITIES,
    RATINGS,
)
from tracker.core.fields import ChoiceField, DayField, optional_int, options
from tracker.core.forms import VersionedForm


class WholeNumberField(IntegerField):
    """An integer whose parse error names the field instead of 'Not a valid integer value.'"""

    def __init__(self, label=None, validators=None, *, message=None, **kwargs):
        self.message = message
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0].strip() == "":
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(self.message or f"{self.label.text} must be a whole number") from None


class IterationForm(VersionedForm):
    name = StringField(
        "Name",
        description="For example, Sprint 3 or Alpha iteration 2.",
        validators=[
            InputRequired("Enter a name for the iteration"),
            Length(max=100, message="Name must be 100 characters or fewer"),
        ],
    )
    goal = TextAreaField(
        "Goal",
        description="What should customers be able to see or do at the end?",
        validators=[
            InputRequired("Enter the iteration goal"),
            Length(max=2000, message="Goal must be 2000 characters or fewer"),
        ],
    )
    start_on = DayField("Start date", validators=[InputRequired("Enter the start date")])
    end_on = DayField("End date", validators=[InputRequired("Enter the end date")])
    committed_points = WholeNumberField(
        "Committed points",
        description="Optional. Leave blank to commit to the points of the items in the "
        "iteration when it starts.",
        message="Committed points must be a whole number, like 20",
        validators=[
            Optional(),
            NumberRange(min=0, max=100000, message="Committed points must be 0 or more"),
        ],
    )

    stage_id = ChoiceField("Stage (optional)", coerce=optional_int)

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.stage_id.choices = options(
            [("", "No stage"), *[(stage.id, stage.label) for stage in stages]]
        )

    def validate_end_on(self, field):
        if self.start_on.data and field.data and field.data < self.start_on.data:
            raise ValidationError("End date must be the same as or after the start date")


class ItemForm(VersionedForm):
    title = StringField(
        "Title",
        validators=[
            InputRequired("Enter a title for the item"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "Description",
        description="Optional. Who needs it and why, and how you will know it is done.",
        validators=[Length(max=5000, message="Description must be 5000 characters or fewer")],
    )
    points = WholeNumberField(
        "Points",
        description="A relative size estimate: a whole number of 1 or more.",
        message="Points must be a whole number, like 3",
        validators=[
            InputRequired("Enter the points"),
            NumberRange(min=1, max=1000, message="Points must be a whole number from 1 to 1000"),
        ],
    )
    iteration_id = ChoiceField("Iteration", coerce=optional_int)
    moscow = ChoiceField(
        "Priority (MoSCoW)",
        choices=options([("", "Not set"), *PRIORITIES.items()]),
        invalid_message="Choose must, should, could or won't have from the list",
    )

    def __init__(self, *args, iterations=(), can_prioritise=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.iteration_id.choices = options(
            [("", "Backlog (no iteration)"), *[(it.id, it.name) for it in iterations]]
        )
        if not can_prioritise:
            del self.moscow  # the product owner's call: not on a team member's form


class MoveForm(FlaskForm):
    """Move an item in the backlog's order: a button's direction, or (from dragging) a
    place. ``rank`` is where the person saw the item, so a move on an old page is refused."""

    move = ChoiceField(
        "Move",
        choices=options([("", ""), *((m.value, m.value) for m in Move)]),
        invalid_message="Choose up, down, top or bottom",
    )
    position = IntegerField(
        "Place in the backlog",
        validators=[Optional(), NumberRange(min=1, message="The place must be 1 or more")],
    )
    rank = IntegerField(validators=[InputRequired("Reload the backlog and try again")])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and bool(self.move.data) == (self.position.data is not None):
            self.position.errors = ["Choose where to move the item: up, down, or a place"]
            return False
        return valid

    def target(self) -> Move | int:
        return Move(self.move.data) if self.move.data else self.position.data


class StatusForm(VersionedForm):
    status = ChoiceField(
        "Status",
        choices=options(ITEM_STATUSES),
        validators=[InputRequired("Choose a status")],
    )


class FeedbackForm(FlaskForm):
    source = ChoiceField(
        "Who gave the feedback?",
        invalid_message="Choose who gave the feedback from the list",
        choices=options(FEEDBACK_SOURCES),
        validators=[InputRequired("Choose who gave the feedback")],
    )
    given_by = StringField(
        "Name or group (optional)",
        description="Leave blank to keep it anonymous: no personal data is needed.",
        validators=[Length(max=120, message="Name must be 120 characters or fewer")],
    )
    rating = ChoiceField(
        "Rating",
        invalid_message="Rating must be a whole number from 1 to 5",
        description="How well does the work meet their needs?",
        coerce=int,
        choices=options(RATINGS),
        validators=[InputRequired("Choose a rating from 1 to 5")],
    )
    said = TextAreaField(
        "What they said",
        validators=[
            InputRequired("Enter what they said"),
            Length(max=5000, message="What they said must be 5000 characters or fewer"),
        ],
    )
    agreement = ChoiceField(
        "Did they agree to proceed?",
        invalid_message="Choose whether they agreed to proceed from the list",
        choices=options(AGREEMENTS),
        validators=[InputRequired("Choose whether they agreed to proceed")],
    )
    action_taken = TextAreaField(
        "Action taken (optional)",
        validators=[Length(max=5000, message="Action taken must be 5000 characters or fewer")],
    )
    backlog_item_id = ChoiceField("Linked backlog item (optional)", coerce=optional_int)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.backlog_item_id.choices = options(
            [("", "None"), *[(item.id, item.title) for item in items]]
        )

    def validate_rating(self, field):
        if field.data is not None and not 1 <= field.data <= 5:
            raise ValidationError("Rating must be a whole number from 1 to 5")


class CloseLoopForm(VersionedForm):
    action_taken = TextAreaField(
        "What did the team do?",
        validators=[
            InputRequired("Enter what the team did about the feedback"),
            Length(max=5000, message="What the team did must be 5000 characters or fewer"),
        ],
    )
    loop_closed_how = TextAreaField(
        "How did you tell them?",
        description="For example: shown at the show and tell on 12 May; emailed the "
        "residents' panel.",
        validators=[
            InputRequired("Enter how you told them what you did"),
            Length(max=2000, message="How you told them must be 2000 characters or fewer"),
        ],
    )
    backlog_item_id = ChoiceField("Linked backlog item (optional)", coerce=optional_int)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.backlog_item_id.choices = options(
            [("", "None"), *[(item.id, item.title) for item in items]]
        )


class ConfirmForm(VersionedForm):
    """A button that acts on a record, carrying the version the person saw."""


class AuthoriseStartForm(VersionedForm):
    """The Executive's decision that a proposed agile project starts."""

    conditions = TextAreaField(
        "Conditions or comments (optional)",
        description="Anything the board attaches to the start, such as a tolerance or a "
        "review date. It is kept in the project's history.",
        validators=[
            Optional(),
            Length(max=5000, message="Conditions must be 5000 characters or fewer"),
        ],
    )


class CloseProjectForm(VersionedForm):
    """The Executive's decision to close a project without stages."""

    reason = TextAreaField(
        "Reason for closing the project",
        description="What the project delivered, or why the board is stopping it. It is kept "
        "in the project's history.",
        validators=[
            InputRequired("Enter the reason for closing the project"),
            Length(max=5000, message="Reason must be 5000 characters or fewer"),
        ],
    )
