from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from tracker.core.fields import ChoiceField, MultiChoiceField, options
from tracker.core.forms import VersionedForm
from tracker.frameworks.rules import (
    CASE_VERSION_LABELS,
    FALLS_AT_LABELS,
    GATE_BOUNDARY_LABELS,
    ITEM_KIND_LABELS,
    LEVELS,
    ROLE_LABELS,
)


class CopyForm(FlaskForm):
    name = StringField(
        "Name of the new framework",
        validators=[
            InputRequired("Enter a name for the new framework"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )


class StampForm(VersionedForm):
    """A button that changes a framework: carries the framework's version number."""


class GateForm(VersionedForm):
    name = StringField(
        "Gate name",
        validators=[
            InputRequired("Enter the gate's name"),
            Length(max=200, message="The gate's name must be 200 characters or fewer"),
        ],
    )
    falls_at = ChoiceField(
        "When the gate falls",
        choices=options(FALLS_AT_LABELS),
        validators=[InputRequired("Choose when the gate falls")],
    )
    description = TextAreaField(
        "Description",
        validators=[
            Optional(),
            Length(max=2000, message="Description must be 2000 characters or fewer"),
        ],
    )
    case_due = ChoiceField(
        "Business case version due at this gate",
        choices=options([("", "None required"), *CASE_VERSION_LABELS.items()]),
        validators=[Optional()],
    )
    case_due_small = ChoiceField(
        "Business case version due from small projects",
        choices=options([("", "None required"), *CASE_VERSION_LABELS.items()]),
        validators=[Optional()],
    )
    roles_small = MultiChoiceField(
        "Deciding roles: small projects (criticality 1–2)", choices=options(ROLE_LABELS)
    )
    roles_medium = MultiChoiceField(
        "Deciding roles: medium projects, or criticality 3", choices=options(ROLE_LABELS)
    )
    roles_large = MultiChoiceField(
        "Deciding roles: large projects, or criticality 4–5", choices=options(ROLE_LABELS)
    )

    def roles(self) -> dict[str, list[str]]:
        return {level: list(getattr(self, f"roles_{level}").data or []) for level in LEVELS}


class ItemForm(VersionedForm):
    text = StringField(
        "What the manager confirms",
        validators=[
            InputRequired("Enter what the manager confirms"),
            Length(max=300, message="The item must be 300 characters or fewer"),
        ],
    )
    kind = ChoiceField("Kind of item", choices=options(ITEM_KIND_LABELS), default="checklist")
    evidence_required = BooleanField("The manager must give evidence (a link or reference)")


_MONTHS = [
    InputRequired("Enter a number of months from 1 to 12"),
    NumberRange(min=1, max=12, message="Enter a number of months from 1 to 12"),
]


class TailoringForm(VersionedForm):
    gates_small = ChoiceField("Gates: small", choices=options(GATE_BOUNDARY_LABELS))
    highlight_small = IntegerField("Highlight report every (months): small", validators=_MONTHS)
    checkpoint_small = IntegerField("Budget checkpoint every (months): small", validators=_MONTHS)
    gates_medium = ChoiceField("Gates: medium", choices=options(GATE_BOUNDARY_LABELS))
    highlight_medium = IntegerField("Highlight report every (months): medium", validators=_MONTHS)
    checkpoint_medium = IntegerField("Budget checkpoint every (months): medium", validators=_MONTHS)
    gates_large = ChoiceField("Gates: large", choices=options(GATE_BOUNDARY_LABELS))
    highlight_large = IntegerField("Highlight report every (months): large", validators=_MONTHS)
    checkpoint_large = IntegerField("Budget checkpoint every (months): large", validators=_MONTHS)

    def rows(self) -> dict[str, tuple[str, int, int]]:
        return {
            level: (
                getattr(self, f"gates_{level}").data,
                getattr(self, f"highlight_{level}").data,
                getattr(self, f"checkpoint_{level}").data,
            )
            for level in LEVELS
        }


class MoveForm(FlaskForm):
    version_id = ChoiceField(
        "Framework version", coerce=str, validators=[InputRequired("Choose a framework version")]
    )
    reason = TextAreaField(
        "Why the project moves",
        validators=[
            InputRequired("Say why the project moves to this framework"),
            Length(max=2000, message="The reason must be 2000 characters or fewer"),
        ],
    )


class ConfirmForm(FlaskForm):
    evidence = StringField(
        "Evidence (a link or a reference)",
        validators=[
            Optional(),
            Length(max=500, message="Evidence must be 500 characters or fewer"),
        ],
    )
