"""The register forms: a risk and an issue. The services check the same rules again for
the API; the forms give each field its own message."""

from __future__ import annotations

from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from tracker.core.fields import ChoiceField, DayField, optional_int, options
from tracker.core.forms import VersionedForm
from tracker.registers.rules import (
    ASSUMPTION_STATUSES,
    DEPENDENCY_KINDS,
    ISSUE_KINDS,
    ISSUE_STATUSES,
    PRIORITIES,
    PROXIMITIES,
    RESPONSES,
    RISK_CATEGORIES,
    RISK_KINDS,
    RISK_STATUSES,
    SCALE,
    SEVERITIES,
)

_TEXT = Length(max=5000, message="Keep this to 5000 characters or fewer")


def _scale(label: str, *, required: bool = True, description: str = "") -> ChoiceField:
    message = f"Choose the {label.lower()} from 1 (very low) to 5 (very high)"
    return ChoiceField(
        label,
        description=description,
        coerce=optional_int,
        choices=options(
            ([] if required else [("", "Not set")])
            + [(value, f"{value} – {word}") for value, word in SCALE.items()]
        ),
        validators=[InputRequired(message)] if required else [Optional()],
        invalid_message=message,
    )


def _people(field, people, empty: str) -> None:
    field.choices = options([("", empty), *[(p.id, p.name) for p in people]])


class RiskForm(VersionedForm):
    title = StringField(
        "Title",
        validators=[
            InputRequired("Enter a title for the risk"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
    )
    kind = ChoiceField(
        "Threat or opportunity",
        choices=options(RISK_KINDS),
        default="threat",
        validators=[InputRequired("Choose whether the risk is a threat or an opportunity")],
        invalid_message="Choose whether the risk is a threat or an opportunity",
    )
    category = ChoiceField(
        "Category",
        choices=options(RISK_CATEGORIES),
        validators=[InputRequired("Choose the risk's category")],
        invalid_message="Choose the risk's category from the list",
    )
    cause = TextAreaField(
        "Cause", description="The source of the risk: 'Because of …'", validators=[_TEXT]
    )
    event = TextAreaField(
        "Event", description="What may happen: '… this may happen …'", validators=[_TEXT]
    )
    effect = TextAreaField(
        "Effect", description="Its effect on the objectives: '… which would …'", validators=[_TEXT]
    )
    description = TextAreaField("Notes and mitigation", validators=[_TEXT])
    owner_id = ChoiceField(
        "Owner",
        coerce=optional_int,
        validators=[InputRequired("Choose who owns the risk")],
        invalid_message="Choose an owner from the people on this project",
    )
    actionee_id = ChoiceField(
        "Actionee",
        description="Who carries out the response, if not the owner.",
        coerce=optional_int,
        validators=[Optional()],
        invalid_message="Choose an actionee from the people on this project, or nobody",
    )
    likelihood = _scale("Likelihood")
    impact = _scale("Impact")
    proximity = ChoiceField(
        "Proximity",
        description="When it would happen.",
        choices=options([("", "Not set"), *PROXIMITIES.items()]),
        validators=[Optional()],
        invalid_message="Choose the risk's proximity from the list",
    )
    response = ChoiceField(
        "Response",
        description="Avoid, reduce, transfer, share or accept a threat; exploit, enhance, "
        "share or accept an opportunity.",
        choices=options([("", "Not decided"), *RESPONSES.items()]),
        validators=[Optional()],
        invalid_message="Choose a response from the list",
    )
    target_likelihood = _scale(
        "Target likelihood", required=False, description="After the response."
    )
    target_impact = _scale("Target impact", required=False, description="After the response.")
    review_on = DayField("Review date", validators=[Optional()])
    status = ChoiceField(
        "Status",
        choices=options(RISK_STATUSES),
        default="open",
        validators=[InputRequired("Choose whether the risk is open or closed")],
        invalid_message="Choose whether the risk is open or closed",
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        _people(self.owner_id, people, "Choose a person")
        _people(self.actionee_id, people, "Nobody")


class IssueForm(VersionedForm):
    kind = ChoiceField(
        "Type of issue",
        choices=options(ISSUE_KINDS),
        validators=[InputRequired("Choose the type of issue")],
        invalid_message="Choose the type of issue from the list",
    )
    title = StringField(
        "Title",
        validators=[
            InputRequired("Enter a title for the issue"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
    )
    description = TextAreaField("Description", validators=[_TEXT])
    priority = ChoiceField(
        "Priority",
        choices=options(PRIORITIES),
        default="medium",
        validators=[InputRequired("Choose the issue's priority")],
        invalid_message="Choose the issue's priority from the list",
    )
    severity = ChoiceField(
        "Severity",
        coerce=optional_int,
        choices=options(SEVERITIES),
        default=3,
        validators=[InputRequired("Choose the issue's severity from 1 to 5")],
        invalid_message="Choose the issue's severity from 1 to 5",
    )
    owner_id = ChoiceField(
        "Owner",
        coerce=optional_int,
        validators=[InputRequired("Choose who owns the issue")],
        invalid_message="Choose an owner from the people on this project",
    )
    status = ChoiceField(
        "Status",
        choices=options(ISSUE_STATUSES),
        default="open",
        validators=[InputRequired("Choose the issue's status")],
        invalid_message="Choose the issue's status from the list",
    )
    resolution = TextAreaField(
        "Resolution", description="Required to close the issue.", validators=[_TEXT]
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        _people(self.owner_id, people, "Choose a person")


class AnswerForm(VersionedForm):
    response = TextAreaField(
        "The board's response",
        description="What the board decided: accept the exposure, direct an action, ask for "
        "an exception report or a change request.",
        validators=[
            InputRequired("Enter the board's response"),
            Length(max=5000, message="Keep the response to 5000 characters or fewer"),
        ],
    )


class AssumptionForm(VersionedForm):
    statement = StringField(
        "Assumption",
        validators=[
            InputRequired("Enter the assumption"),
            Length(max=300, message="Keep the assumption to 300 characters or fewer"),
        ],
    )
    owner_id = ChoiceField(
        "Owner",
        coerce=optional_int,
        validators=[InputRequired("Choose who confirms the assumption")],
        invalid_message="Choose an owner from the people on this project",
    )
    confirm_by = DayField(
        "Confirm by", validators=[InputRequired("Enter the date by which it must be confirmed")]
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        _people(self.owner_id, people, "Choose a person")


class AssumptionEditForm(AssumptionForm):
    status = ChoiceField(
        "Status",
        choices=options(ASSUMPTION_STATUSES),
        validators=[InputRequired("Choose the assumption's status")],
        invalid_message="Choose the assumption's status from the list",
    )


class SettleForm(VersionedForm):
    status = ChoiceField(
        "Status",
        choices=options(ASSUMPTION_STATUSES),
        validators=[InputRequired("Choose the assumption's status")],
        invalid_message="Choose whether the assumption is confirmed or proved false",
    )


class DependencyForm(VersionedForm):
    kind = RadioField(
        "It depends on",
        choices=options(DEPENDENCY_KINDS),
        validators=[InputRequired("Choose another project or an outside party")],
    )
    on_project_code = StringField(
        "Project code",
        description="For another project in the tracker, like HWY-2026-03.",
        validators=[Optional(), Length(max=20, message="A project code is 20 characters or fewer")],
    )
    external_party = StringField(
        "Outside party",
        description="For a dependency outside the tracker: a supplier, a government body.",
        validators=[Optional(), Length(max=200, message="Keep the name to 200 characters")],
    )
    what = StringField(
        "What is needed",
        validators=[
            InputRequired("Say what the project needs"),
            Length(max=300, message="Keep this to 300 characters or fewer"),
        ],
    )
    needed_by = DayField("Needed by", validators=[InputRequired("Enter the date it is needed by")])


class DependencyEditForm(VersionedForm):
    """What is needed, by when, and (outside the tracker) from whom; the project depended
    on stays: depending on another one is another dependency."""

    what = DependencyForm.what
    needed_by = DependencyForm.needed_by
    external_party = StringField(
        "Outside party",
        validators=[Optional(), Length(max=200, message="Keep the name to 200 characters")],
    )


class AcknowledgeForm(VersionedForm):
    pass
