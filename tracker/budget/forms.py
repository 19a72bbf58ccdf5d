from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DecimalField, HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from tracker.agile.forms import WholeNumberField
from tracker.budget.models import CATEGORY_LABELS, EXCEPTION_DECISIONS
from tracker.budget.rules import MAX_DESCRIPTION_LENGTH, MAX_SUPPLIER_LENGTH
from tracker.core.fields import ChoiceField, DayField, MoneyField, options, record_id
from tracker.core.forms import VersionedForm

SCOPE_MESSAGE = (
    "This form was not made by this page for this project, or it has expired: reload the "
    "page and submit it again. Nothing was saved."
)


def new_token(project_id: int | None = None) -> str:
    """A one-off form token. With a project, it is signed for that project: the server made
    it, and it cannot be replayed against another project (where it would otherwise find
    that project's earlier cost and say "already recorded" instead of recording)."""
    nonce = secrets.token_urlsafe(18)
    if project_id is None:
        return secrets.token_urlsafe(32)
    return f"{nonce}.{_signature(project_id, nonce)}"


def _signature(project_id: int, nonce: str) -> str:
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else str(key).encode("utf-8")
    message = f"budget-form-token:{project_id}:{nonce}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def token_fits(project_id: int, token: str | None) -> bool:
    nonce, _, signature = (token or "").strip().partition(".")
    if not nonce or not signature:
        return False
    return hmac.compare_digest(signature, _signature(project_id, nonce))


class TokenForm(FlaskForm):
    """A form whose hidden one-off token makes a second submission of it a no-op.

    Given its ``project``, the token is made by the server, signed for that project, and a
    token the server did not make for it (typed by a client, or taken from another
    project's form) is refused.
    """

    token = HiddenField()

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def ensure_token(self) -> None:
        if not self.token.data:
            self.token.data = new_token(self.project.id if self.project is not None else None)

    def validate_token(self, field) -> None:
        if self.project is not None and not token_fits(self.project.id, field.data):
            raise ValidationError(SCOPE_MESSAGE)


class CostForm(TokenForm):
    spent_on = DayField("Date", validators=[InputRequired("Enter the date of the cost")])
    amount = MoneyField(
        "Amount",
        allow_zero=False,
        description="In pounds and pence, for example 1250.00.",
        validators=[InputRequired("Enter the amount")],
    )
    category = ChoiceField(
        "Category",
        choices=options([("", "Choose a category"), *CATEGORY_LABELS.items()]),
        validators=[InputRequired("Choose a category")],
    )
    supplier = StringField(
        "Supplier",
        description="Needed for supplier and capital costs.",
        validators=[
            Length(
                max=MAX_SUPPLIER_LENGTH,
                message=f"Supplier must be {MAX_SUPPLIER_LENGTH} characters or fewer",
            )
        ],
    )
    description = StringField(
        "Description",
        validators=[
            InputRequired("Enter a description of the cost"),
            Length(
                max=MAX_DESCRIPTION_LENGTH,
                message=f"Description must be {MAX_DESCRIPTION_LENGTH} characters or fewer",
            ),
        ],
    )
    link = ChoiceField("Stage or iteration (optional)")
    is_credit = BooleanField(
        "This is a credit note (money coming back)",
        description="The amount is taken off the project's costs.",
    )
    credit_reason = TextAreaField(
        "Reason for the credit note",
        validators=[Length(max=2000, message="Reason must be 2000 characters or fewer")],
    )

    def __init__(self, *args, links=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.link.choices = options([("", "None"), *links])

    def validate_credit_reason(self, field):
        if self.is_credit.data and not (field.data or "").strip():
            raise ValidationError("Enter the reason for the credit note")

    def link_ids(self) -> tuple[int | None, int | None]:
        kind, _, number = (self.link.data or "").partition(":")
        number_id = record_id(number)
        if number_id is None:
            return None, None
        return (number_id, None) if kind == "stage" else (None, number_id)


class ImportForm(TokenForm):
    file = FileField("CSV file")

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError("Choose a CSV file to import")


class PercentField(DecimalField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a number from 0 to 100") from None


def checkpoint_form(stage_lines, **kwargs) -> FlaskForm:
    """A checkpoint form with a percent-complete field per stage in the baseline."""

    class CheckpointForm(TokenForm):
        taken_on = DayField("Date", validators=[InputRequired("Enter the date of the checkpoint")])
        note = TextAreaField(
            "Note (optional)",
            validators=[Length(max=2000, message="Note must be 2000 characters or fewer")],
        )

    for line in stage_lines:
        setattr(
            CheckpointForm,
            f"percent_{line.stage_id}",
            PercentField(
                f"{line.name}: percent complete",
                places=1,
                validators=[
                    InputRequired(f"Enter the percent complete of {line.name}"),
                    NumberRange(
                        min=0, max=100, message=f"{line.name}: percent must be from 0 to 100"
                    ),
                ],
            ),
        )
    return CheckpointForm(**kwargs)


def baseline_form(iterations, *, points_required: bool, **kwargs) -> FlaskForm:
    """A baseline form: the reason, and for release plans the points and iteration budgets."""

    class BaselineForm(TokenForm):
        reason = TextAreaField(
            "Reason",
            description="Why the plan is being set or changed. Required when re-baselining.",
            validators=[Length(max=2000, message="Reason must be 2000 characters or fewer")],
        )
        planned_points = WholeNumberField(
            "Planned release points",
            description="The story points the release plan should deliver.",
            message="Planned release points must be a whole number, like 120",
            validators=[
                InputRequired("Enter the planned release points")
                if points_required
                else Optional(),
                NumberRange(min=1, max=1000000, message="Planned release points must be 1 or more"),
            ],
        )

    for iteration in iterations:
        setattr(
            BaselineForm,
            f"budget_{iteration.id}",
            MoneyField(
                f"Budget for {iteration.name}",
                validators=[InputRequired(f"Enter the budget for {iteration.name}")]
                if points_required
                else [Optional()],
            ),
        )
    return BaselineForm(**kwargs)


class ExceptionDecisionForm(VersionedForm):
    decision = ChoiceField(
        "Decision",
        choices=options(EXCEPTION_DECISIONS),
        validators=[InputRequired("Choose a decision")],
    )
    comment = TextAreaField(
        "Reason",
        validators=[
            InputRequired("Enter the reason for your decision"),
            Length(max=2000, message="Reason must be 2000 characters or fewer"),
        ],
    )
