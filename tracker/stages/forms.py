from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from tracker.core.fields import ChoiceField, DayField, MoneyField, optional_int, options
from tracker.core.forms import VersionedForm
from tracker.stages.models import (
    EXCEPTION_DECISIONS,
    GATE_DECISIONS,
    RAG,
    STATED_TARGETS,
    TARGET_STATUSES,
)
from tracker.stages.rules import ExceptionStatus, ExceptionVote, GateDecision, TargetStatus

LONG_TEXT = 5000


def _text(label: str, missing: str, *, required: bool = True, description: str | None = None):
    validators = [InputRequired(missing)] if required else [Optional()]
    validators.append(
        Length(max=LONG_TEXT, message=f"{label} must be {LONG_TEXT} characters or fewer")
    )
    return TextAreaField(label, validators=validators, description=description)


class WholeNumberField(IntegerField):
    """An integer whose bad-input message names the field (WTForms says "Not a valid
    integer value")."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a whole number, like 10") from None


class NumberField(DecimalField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a number, like 7.5") from None


class StageForm(VersionedForm):
    name = StringField(
        "Stage name",
        validators=[
            InputRequired("Enter a stage name"),
            Length(max=200, message="Stage name must be 200 characters or fewer"),
        ],
    )
    planned_start = DayField("Planned start", validators=[InputRequired("Enter the planned start")])
    planned_finish = DayField(
        "Planned finish", validators=[InputRequired("Enter the planned finish")]
    )
    planned_budget = MoneyField(
        "Planned budget",
        description="All stages together may not exceed the project's budget at completion.",
        validators=[InputRequired("Enter the planned budget")],
    )
    time_tolerance_days = WholeNumberField(
        "Time tolerance",
        description="How many days early or late the stage may finish before the board must "
        "be told.",
        validators=[
            InputRequired("Enter the time tolerance in days, like 10"),
            NumberRange(min=0, max=365, message="Time tolerance must be from 0 to 365 days"),
        ],
    )
    cost_tolerance_kind = RadioField(
        "Cost tolerance is",
        choices=options([("percent", "A percentage of the budget"), ("amount", "An amount")]),
        validators=[InputRequired("Choose whether cost tolerance is a percentage or an amount")],
    )
    cost_tolerance_value = NumberField(
        "Cost tolerance",
        places=2,
        description="Plus or minus this percentage or amount in pounds.",
        validators=[
            InputRequired("Enter the cost tolerance, like 10"),
            NumberRange(min=0, message="Cost tolerance must be 0 or more"),
        ],
    )
    scope_target = _text("Scope target", "Enter the scope target")
    quality_target = _text("Quality target", "Enter the quality target")
    risk_target = _text("Risk target", "Enter the risk target")
    benefit_target = _text("Benefit target", "Enter the benefit target")
    sustainability_target = _text("Sustainability target", "Enter the sustainability target")

    def validate_planned_finish(self, field):
        if self.planned_start.data and field.data and field.data < self.planned_start.data:
            raise ValidationError("Planned finish must be the same as or after the planned start")

    def validate_cost_tolerance_value(self, field):
        if (
            self.cost_tolerance_kind.data == "percent"
            and field.data is not None
            and field.data > 100
        ):
            raise ValidationError("Cost tolerance must be 100% or less")


class ForecastForm(VersionedForm):
    finish = DayField(
        "Forecast finish", validators=[InputRequired("Enter the forecast finish date")]
    )
    cost = MoneyField(
        "Forecast cost",
        description="What the stage is now expected to cost in total.",
        validators=[InputRequired("Enter the forecast cost")],
    )
    scope_status = RadioField("Scope", choices=options(TARGET_STATUSES), default=TargetStatus.MET)
    quality_status = RadioField(
        "Quality", choices=options(TARGET_STATUSES), default=TargetStatus.MET
    )
    risk_status = RadioField("Risk", choices=options(TARGET_STATUSES), default=TargetStatus.MET)
    benefit_status = RadioField(
        "Benefit", choices=options(TARGET_STATUSES), default=TargetStatus.MET
    )
    sustainability_status = RadioField(
        "Sustainability", choices=options(TARGET_STATUSES), default=TargetStatus.MET
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in STATED_TARGETS:
            field = getattr(self, f"{name}_status")
            field.validators = [InputRequired(f"Choose a status for the {name} target")]


class GateRequestForm(FlaskForm):
    delivered_vs_plan = _text(
        "What was delivered against the plan",
        "Enter what was delivered against the plan",
        description="Products delivered, dates and costs against the stage plan.",
    )
    forecast = _text(
        "Forecast",
        "Enter the forecast",
        description="For the rest of the project: finish date, cost, and the stated targets.",
    )
    lessons = _text("Lessons learned", "Enter the lessons learned")
    next_stage_plan = _text(
        "Plan for what comes next",
        "Enter the plan for what comes next",
        description="A summary of the next stage plan, or the closure plan.",
    )
    business_case_justified = RadioField(
        "Is the business case still justified?",
        choices=options([("yes", "Yes"), ("no", "No")]),
        validators=[InputRequired("Say whether the business case is still justified")],
    )


class GateDecisionForm(FlaskForm):
    role = ChoiceField("Deciding as", validators=[InputRequired("Choose the role you decide as")])
    decision = RadioField(
        "Your decision",
        choices=options(GATE_DECISIONS),
        validators=[InputRequired("Choose approve, approve with conditions or reject")],
    )
    comment = _text(
        "Conditions or comment",
        "",
        required=False,
        description="Conditions are required to approve with conditions; a reason is required "
        "to reject.",
    )

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = options(roles)
        if len(roles) == 1 and not self.role.data:
            self.role.data = roles[0][0]

    def validate_comment(self, field):
        text = (field.data or "").strip()
        if self.decision.data == GateDecision.APPROVE_WITH_CONDITIONS and not text:
            raise ValidationError("Enter the conditions of your approval")
        if self.decision.data == GateDecision.REJECT and not text:
            raise ValidationError("Enter the reason for rejecting the gate")


class CloseEarlyForm(FlaskForm):
    reason = _text("Reason for closing the project early", "Enter the reason for closing early")


class HighlightForm(FlaskForm):
    period_start = DayField("Period start", validators=[InputRequired("Enter the period start")])
    period_end = DayField("Period end", validators=[InputRequired("Enter the period end")])
    overall_status = RadioField(
        "Overall status",
        choices=options(RAG),
        validators=[InputRequired("Choose the overall status")],
    )
    this_period = _text("This period", "Enter what happened this period")
    next_period = _text("Next period", "Enter what is planned for next period")
    # The risk and issue sections come from the registers; this is the manager's comment.
    issues_and_risks = _text(
        "Comment on the risks and issues",
        "",
        required=False,
        description="Optional. The report lists the top risks, the risks raised and closed "
        "since the last report and the open issues from the registers by itself.",
    )

    def validate_period_end(self, field):
        if self.period_start.data and field.data and field.data < self.period_start.data:
            raise ValidationError("Period end must be the same as or after the period start")


class ExceptionForm(FlaskForm):
    cause = _text("Cause", "Enter the cause of the exception")
    consequences = _text("Consequences", "Enter the consequences")
    recommended_option = ChoiceField(
        "Recommended option",
        coerce=optional_int,
        choices=options(
            [("", "Choose an option"), (1, "Option 1"), (2, "Option 2"), (3, "Option 3")]
        ),
        validators=[InputRequired("Choose the option you recommend")],
    )
    recommendation = _text("Recommendation", "Enter your recommendation")

    def option_fields(self, number: int):
        return [getattr(self, f"option_{number}_{part}") for part in OPTION_PARTS]


OPTION_PARTS = ("summary", "cost_effect", "time_effect", "risk_effect")
_OPTION_LABELS = {
    "summary": "Option {n}",
    "cost_effect": "Option {n}: effect on cost",
    "time_effect": "Option {n}: effect on time",
    "risk_effect": "Option {n}: effect on risk",
}
for _n in (1, 2, 3):
    for _part in OPTION_PARTS:
        _label = _OPTION_LABELS[_part].format(n=_n)
        setattr(
            ExceptionForm,
            f"option_{_n}_{_part}",
            TextAreaField(
                _label,
                validators=[
                    Optional(),
                    Length(
                        max=LONG_TEXT, message=f"{_label} must be {LONG_TEXT} characters or fewer"
                    ),
                ],
            ),
        )


class ExceptionDecisionForm(VersionedForm):
    decision = RadioField(
        "Board decision",
        choices=options(EXCEPTION_DECISIONS),
        validators=[InputRequired("Choose the board's decision")],
    )
    option = ChoiceField("Option approved", coerce=optional_int)
    comment = _text("Comment", "", required=False)

    def __init__(self, *args, report=None, is_executive: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        numbers = [o.number for o in report.options] if report is not None else []
        self.option.choices = options(
            [("", "Choose an option"), *[(n, f"Option {n}") for n in numbers]]
        )
        if report is not None and report.status == ExceptionStatus.PLAN_SUBMITTED:
            allowed = (
                ExceptionVote.APPROVE_EXCEPTION_PLAN,
                ExceptionVote.REQUEST_EXCEPTION_PLAN,
                ExceptionVote.CLOSE_PROJECT,
            )
        else:
            allowed = (
                ExceptionVote.APPROVE_OPTION,
                ExceptionVote.REQUEST_EXCEPTION_PLAN,
                ExceptionVote.CLOSE_PROJECT,
            )
        if not is_executive:
            # Only the Executive may close the project early (rules.resolve_exception).
            allowed = allowed[:-1]
        self.decision.choices = options([(k, EXCEPTION_DECISIONS[k]) for k in allowed])

    def validate_option(self, field):
        if self.decision.data == ExceptionVote.APPROVE_OPTION and not field.data:
            raise ValidationError("Choose the option you approve")

    def validate_comment(self, field):
        text = (field.data or "").strip()
        if self.decision.data == ExceptionVote.REQUEST_EXCEPTION_PLAN and not text:
            raise ValidationError("Say what the exception plan must cover")
        if self.decision.data == ExceptionVote.CLOSE_PROJECT and not text:
            raise ValidationError("Enter the reason for closing the project early")


class ExceptionPlanForm(VersionedForm):
    finish = DayField(
        "New planned finish", validators=[InputRequired("Enter the new planned finish")]
    )
    budget = MoneyField(
        "New planned budget", validators=[InputRequired("Enter the new planned budget")]
    )
    summary = _text("What the exception plan changes", "Enter a summary of the exception plan")
