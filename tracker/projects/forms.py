from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from tracker.core.fields import (
    ChoiceField,
    DayField,
    MoneyField,
    MultiChoiceField,
    optional_int,
    options,
)
from tracker.core.forms import VersionedForm
from tracker.projects.rules import (
    CRITICALITY,
    DELIVERY_METHODS,
    PROJECT_ROLES,
    PROJECT_STATUSES,
    SIZE_TIERS,
)


class ProjectForm(VersionedForm):
    code = StringField(
        "Project code",
        description="A short unique reference, like ASC-2026-07. Capital letters, numbers and "
        "hyphens.",
        filters=[lambda value: value.strip().upper() if isinstance(value, str) else value],
        validators=[
            InputRequired("Enter a project code"),
            Length(min=2, max=20, message="Project code must be between 2 and 20 characters"),
            Regexp(
                r"^[A-Z0-9][A-Z0-9-]*$",
                message="Project code can only contain capital letters, numbers and hyphens",
            ),
        ],
    )
    name = StringField(
        "Project name",
        validators=[
            InputRequired("Enter a project name"),
            Length(max=200, message="Project name must be 200 characters or fewer"),
        ],
    )
    problem_statement = TextAreaField(
        "Problem statement",
        description="What problem does this project solve, for whom, and how do you know? "
        "Truly understand the problem before choosing a solution.",
        validators=[
            InputRequired("Enter the problem this project solves"),
            Length(max=5000, message="Problem statement must be 5000 characters or fewer"),
        ],
    )
    lead_organisation_id = ChoiceField(
        "Lead organisation",
        coerce=optional_int,
        validators=[InputRequired("Choose a lead organisation")],
    )
    partner_ids = MultiChoiceField(
        "Partner organisations",
        coerce=int,
        description="Other agencies working on the project. Optional.",
    )
    manager_id = ChoiceField(
        "Project manager",
        coerce=optional_int,
        validators=[InputRequired("Choose a project manager")],
    )
    budget_at_completion = MoneyField(
        "Budget at completion",
        description="The total approved budget, in pounds.",
        validators=[InputRequired("Enter the budget at completion")],
    )
    planned_start = DayField(
        "Planned start",
        validators=[InputRequired("Enter the planned start date")],
        render_kw={"autocomplete": "off"},
    )
    planned_finish = DayField(
        "Planned finish",
        validators=[InputRequired("Enter the planned finish date")],
        render_kw={"autocomplete": "off"},
    )
    criticality = RadioField(
        "Criticality",
        description="What is lost if the project fails?",
        coerce=int,
        choices=options(CRITICALITY),
        validators=[InputRequired("Choose what is lost if the project fails")],
    )
    # No status field: a project's status moves only through governance (its gates, the
    # Executive's authorisation to start, the board's closure), so a status sent with this
    # form is ignored.

    def __init__(self, *args, organisations=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        org_choices = [(org.id, org.name) for org in organisations]
        self.lead_organisation_id.choices = options([("", "Choose an organisation"), *org_choices])
        self.partner_ids.choices = options(org_choices)
        self.manager_id.choices = options(
            [("", "Choose a person"), *[(p.id, p.name) for p in people]]
        )

    def validate_planned_finish(self, field):
        if self.planned_start.data and field.data and field.data < self.planned_start.data:
            raise ValidationError("Planned finish must be the same as or after the planned start")

    def validate_partner_ids(self, field):
        if self.lead_organisation_id.data in (field.data or []):
            raise ValidationError("The lead organisation cannot also be a partner")


def _email_from_choice(value):
    """The people picker fills the box with "Name (email)": keep the email."""
    if not value:
        return value
    value = value.strip()
    match = _CHOSEN_PERSON.fullmatch(value)
    return match.group(1) if match else value


_CHOSEN_PERSON = re.compile(r".*\(\s*([^()\s]+@[^()\s]+)\s*\)")


class MemberForm(FlaskForm):
    # An email address, not a list of everyone: a national tracker has thousands of people.
    # With JavaScript the box suggests people by name as you type (the people picker).
    email = StringField(
        "Name or email address of the person",
        filters=[_email_from_choice],
        validators=[
            InputRequired("Enter the name or email address of the person to add"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    role = ChoiceField(
        "Role on this project",
        choices=options(
            [("", "Choose a role")]
            + [(k, v) for k, v in PROJECT_ROLES.items() if k != "project_manager"]
        ),
        validators=[InputRequired("Choose a role")],
    )


def _opt(mapping):
    return options([("", "Any"), *mapping.items()])


class ProjectFilterForm(FlaskForm):
    """The project list's search and filters, read from the query string."""

    class Meta:
        csrf = False

    q = StringField("Search by code or name", validators=[Optional(), Length(max=100)])
    method = ChoiceField(
        "Delivery method", choices=_opt({**DELIVERY_METHODS, "none": "Not yet decided"})
    )
    status = ChoiceField("Status", choices=_opt(PROJECT_STATUSES))
    organisation = ChoiceField("Organisation", coerce=optional_int)
    tier = ChoiceField("Size", choices=_opt(SIZE_TIERS))
    sort = ChoiceField(
        "Sort by",
        choices=options(
            [
                ("code", "Code"),
                ("name", "Name"),
                ("budget", "Budget"),
                ("start", "Planned start"),
                ("finish", "Planned finish"),
                ("status", "Status"),
            ]
        ),
    )
    direction = ChoiceField(
        "Order", choices=options([("asc", "Ascending"), ("desc", "Descending")])
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = options([("", "Any"), *[(o.id, o.name) for o in organisations]])
