from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import FieldList, Form, FormField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from tracker.core.fields import ChoiceField, DayField, MoneyField, optional_int, options
from tracker.core.forms import VersionedForm
from tracker.projects.rules import PROJECT_ROLES
from tracker.worklog import rules


class HoursField(StringField):
    """Hours as typed (``7.5``, ``7:30``); ``data`` holds the Decimal once validated."""

    def __init__(self, label=None, validators=None, *, allow_empty=False, **kwargs):
        self.allow_empty = allow_empty
        self.hours = None
        super().__init__(label, validators, **kwargs)

    def post_validate(self, form, validation_stopped):
        if validation_stopped or self.errors:
            return
        try:
            self.hours = rules.parse_hours(
                self.data, what=self.label.text, allow_empty=self.allow_empty
            )
        except rules.HoursError as error:
            raise ValidationError(str(error)) from None


class EntryForm(VersionedForm):
    person_id = ChoiceField("Person", coerce=optional_int)
    project_id = ChoiceField(
        "Project", coerce=optional_int, validators=[InputRequired("Choose a project")]
    )
    stage_id = ChoiceField("Stage", coerce=optional_int, description="Optional.")
    iteration_id = ChoiceField("Iteration", coerce=optional_int, description="Optional.")
    backlog_item_id = ChoiceField("Backlog item", coerce=optional_int, description="Optional.")
    work_date = DayField("Date", validators=[InputRequired("Enter the date the work was done")])
    hours = HoursField(
        "Hours",
        description="For example 7.5 or 7:30. At most 24 hours in a day.",
        validators=[InputRequired("Enter the hours worked")],
    )
    note = TextAreaField(
        "Note",
        description="Optional. What the time was spent on.",
        validators=[Optional(), Length(max=500, message="Note must be 500 characters or fewer")],
    )

    def __init__(
        self,
        *args,
        people=(),
        projects=(),
        stages=(),
        iterations=(),
        items=(),
        project_of=None,
        **kw,
    ):
        super().__init__(*args, **kw)
        # {field name: {choice value: project id}}: lets the page narrow the stage,
        # iteration and item lists to the chosen project (the server still checks them).
        self.project_of = project_of or {}
        self.person_id.choices = options([(p.id, p.name) for p in people])
        self.project_id.choices = options([("", "Choose a project"), *projects])
        self.stage_id.choices = options([("", "No stage"), *stages])
        self.iteration_id.choices = options([("", "No iteration"), *iterations])
        self.backlog_item_id.choices = options([("", "No backlog item"), *items])


class RowForm(Form):
    """One timesheet line: what the time is for, and hours for each day of the week."""

    line = StringField("Line")
    d0 = HoursField("Monday", allow_empty=True)
    d1 = HoursField("Tuesday", allow_empty=True)
    d2 = HoursField("Wednesday", allow_empty=True)
    d3 = HoursField("Thursday", allow_empty=True)
    d4 = HoursField("Friday", allow_empty=True)
    d5 = HoursField("Saturday", allow_empty=True)
    d6 = HoursField("Sunday", allow_empty=True)

    def day_fields(self):
        return [self.d0, self.d1, self.d2, self.d3, self.d4, self.d5, self.d6]


class TimesheetForm(VersionedForm):
    rows = FieldList(FormField(RowForm), min_entries=0, max_entries=60)

    def collect_row_errors(self) -> None:
        """After a service refused cells, let the error summary list them too (the list
        of row errors is otherwise the one validation made, before the service ran)."""
        self.rows.errors = [row.errors for row in self.rows if row.errors]

    def label_errors(self, labels: dict[str, str], days) -> None:
        """Say which line and day a bad value is in: 'Hours for Tuesday 17 November on X'."""
        for row in self.rows:
            label = labels.get(row.line.data or "", "the new line")
            for offset, cell in enumerate(row.day_fields()):
                day = days[offset]
                cell.errors = [
                    message.replace(
                        cell.label.text, f"Hours for {cell.label.text} {day.day} {day:%B}", 1
                    )
                    + f" on {label}"
                    for message in cell.errors
                ]


class SubmitWeekForm(VersionedForm):
    pass


class UnlockForm(VersionedForm):
    reason = TextAreaField(
        "Why unlock this week?",
        description="Recorded in the audit trail.",
        validators=[
            InputRequired("Enter why the week is being unlocked"),
            Length(max=300, message="Reason must be 300 characters or fewer"),
        ],
    )


class DeleteForm(VersionedForm):
    pass


class RateForm(FlaskForm):
    applies_to = RadioField(
        "The rate is for",
        choices=options({"person": "One person", "role": "Everyone in a project role"}),
        validators=[InputRequired("Choose whether the rate is for a person or a role")],
    )
    person_id = ChoiceField("Person", coerce=optional_int)
    role = ChoiceField(
        "Project role", choices=options([("", "Choose a role"), *PROJECT_ROLES.items()])
    )
    rate = MoneyField(
        "Hourly rate",
        allow_zero=False,
        validators=[InputRequired("Enter the hourly rate")],
    )
    effective_from = DayField(
        "In force from", validators=[InputRequired("Enter the date the rate starts")]
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.person_id.choices = options(
            [("", "Choose a person"), *[(p.id, p.name) for p in people]]
        )

    def validate_person_id(self, field):
        if self.applies_to.data == "person" and not field.data:
            raise ValidationError("Choose the person the rate is for")

    def validate_role(self, field):
        if self.applies_to.data == "role" and not field.data:
            raise ValidationError("Choose the project role the rate is for")


class RateEditForm(VersionedForm):
    """Change a rate's amount or start day; who it is for stays (set a new rate for that)."""

    rate = MoneyField(
        "Hourly rate",
        allow_zero=False,
        validators=[InputRequired("Enter the hourly rate")],
    )
    effective_from = DayField(
        "In force from", validators=[InputRequired("Enter the date the rate starts")]
    )


class ExportForm(FlaskForm):
    class Meta:
        csrf = False

    project = ChoiceField("Project", coerce=optional_int)
    person = ChoiceField("Person", coerce=optional_int)
    start = DayField("From", validators=[Optional()])
    end = DayField("To", validators=[Optional()])
    format = RadioField(
        "Format",
        choices=options({"csv": "CSV", "xlsx": "Excel (XLSX)"}),
        validators=[Optional()],
    )

    def __init__(self, *args, projects=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.project.choices = options([("", "All projects"), *projects])
        self.person.choices = options([("", "Everyone"), *[(p.id, p.name) for p in people]])

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError("To must be the same as or after From")


class ImportForm(FlaskForm):
    file = FileField("CSV file")
