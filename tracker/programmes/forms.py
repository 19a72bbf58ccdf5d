"""Programme forms. The services check the same rules again for the API; the forms give
each field its own message."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from tracker.board.rules import DCA_LABELS
from tracker.core.fields import ChoiceField, DayField, MoneyField, optional_int, options
from tracker.core.forms import VersionedForm
from tracker.programmes.rules import CONDITIONS, PLEDGE_KINDS, PROGRAMME_ROLES, SCORES

_TEXT = Length(max=5000, message="Keep this to 5000 characters or fewer")


class PortfolioForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[
            InputRequired("Enter the portfolio's name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    description = TextAreaField("What it covers", validators=[_TEXT])


class ProgrammeForm(VersionedForm):
    code = StringField(
        "Code",
        validators=[
            InputRequired("Enter the programme's code"),
            Length(max=20, message="Code must be 20 characters or fewer"),
        ],
    )
    name = StringField(
        "Name",
        validators=[
            InputRequired("Enter the programme's name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    portfolio_id = ChoiceField(
        "Portfolio",
        coerce=optional_int,
        validators=[InputRequired("Choose the portfolio the programme belongs to")],
    )
    parent_id = ChoiceField(
        "Parent programme",
        description="Leave empty for a programme directly under the portfolio",
        coerce=optional_int,
        validators=[Optional()],
    )
    purpose = TextAreaField("Business case in brief", validators=[_TEXT])
    is_multi_agency = BooleanField("Multi-agency programme (partner organisations take part)")
    planned_finish = DayField("Planned finish", validators=[Optional()])
    cost_tolerance = MoneyField(
        "Cost tolerance",
        description="In pounds: how far the summed forecast may overrun before the programme "
        "board must decide. No looser than its projects' tolerances added up.",
        validators=[Optional()],
    )
    time_tolerance_days = IntegerField(
        "Time tolerance in days",
        validators=[
            Optional(),
            NumberRange(0, 3650, "Time tolerance must be between 0 and 3650 days"),
        ],
    )
    benefits_tolerance_percent = DecimalField(
        "Benefits tolerance in percent",
        places=2,
        validators=[
            Optional(),
            NumberRange(0, 100, "Benefits tolerance must be between 0 and 100 percent"),
        ],
    )

    def __init__(self, *args, portfolios=(), parents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.portfolio_id.choices = options(
            [("", "Choose a portfolio"), *[(p.id, p.name) for p in portfolios]]
        )
        self.parent_id.choices = options([("", "None"), *parents])


class RoleForm(FlaskForm):
    email = StringField(
        "Name or email address of the person",
        validators=[
            InputRequired("Enter the name or email address of the person"),
            Length(max=254, message="Keep this to 254 characters or fewer"),
        ],
    )
    role = ChoiceField(
        "Role on this programme",
        choices=options([("", "Choose a role"), *PROGRAMME_ROLES.items()]),
        validators=[InputRequired("Choose a role")],
    )


class AddProjectForm(FlaskForm):
    code = StringField(
        "Project code",
        validators=[
            InputRequired("Enter the code of the project to add"),
            Length(max=20, message="A project code is 20 characters or fewer"),
        ],
    )
    move = BooleanField("Move it from its current programme, if it is in one")


class PartnerForm(FlaskForm):
    organisation_id = ChoiceField(
        "Partner organisation",
        coerce=optional_int,
        validators=[InputRequired("Choose the partner organisation")],
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = options(
            [("", "Choose an organisation"), *[(o.id, o.name) for o in organisations]]
        )


class PledgeForm(FlaskForm):
    organisation_id = ChoiceField(
        "Partner", coerce=optional_int, validators=[InputRequired("Choose the partner")]
    )
    kind = RadioField(
        "Ask, offer or commitment",
        choices=options([(k, v.rstrip("s")) for k, v in PLEDGE_KINDS.items()]),
        validators=[InputRequired("Choose ask, offer or commitment")],
    )
    text = StringField(
        "What",
        validators=[
            InputRequired("Say what was asked, offered or committed"),
            Length(max=500, message="Keep this to 500 characters or fewer"),
        ],
    )
    owner_email = StringField(
        "Owner of a commitment (name or email address)",
        validators=[Optional(), Length(max=254)],
    )
    due_on = DayField("Due by (a commitment)", validators=[Optional()])

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = options(
            [
                ("", "Choose a partner"),
                *[(p.organisation_id, p.organisation.name) for p in partners],
            ]
        )


class DoneForm(VersionedForm):
    evidence = TextAreaField(
        "What shows it is done",
        validators=[InputRequired("Say what shows the commitment is done"), _TEXT],
    )


def _score(label: str) -> ChoiceField:
    return ChoiceField(
        label,
        coerce=optional_int,
        choices=options([("", "Choose"), *[(k, f"{k} – {v}") for k, v in SCORES.items()]]),
        validators=[InputRequired(f"Rate {label.lower()} from 1 to 5")],
    )


class HealthForm(FlaskForm):
    organisation_id = ChoiceField(
        "Whose view", coerce=optional_int, validators=[InputRequired("Choose the partner")]
    )
    shared_mission = _score(CONDITIONS["shared_mission"])
    shared_metrics = _score(CONDITIONS["shared_metrics"])
    differentiated_roles = _score(CONDITIONS["differentiated_roles"])
    communication = _score(CONDITIONS["communication"])
    backbone = _score(CONDITIONS["backbone"])
    note = TextAreaField("Comments", validators=[_TEXT])

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = options(
            [
                ("", "Choose a partner"),
                *[(p.organisation_id, p.organisation.name) for p in partners],
            ]
        )


class GateRequestForm(FlaskForm):
    name = StringField(
        "Gate or review",
        validators=[
            InputRequired("Name the gate or review"),
            Length(max=200, message="Keep this to 200 characters or fewer"),
        ],
    )
    framework_gate = ChoiceField("Framework gate", validators=[Optional()])

    def __init__(self, *args, framework_gates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.framework_gate.choices = options([("", "None"), *[(g, g) for g in framework_gates]])


class GateDecisionForm(VersionedForm):
    decision = RadioField(
        "Decision",
        choices=options([("approve", "Approve"), ("reject", "Reject")]),
        validators=[InputRequired("Choose approve or reject")],
    )
    rationale = TextAreaField(
        "The board's reasons", validators=[InputRequired("Give the board's reasons"), _TEXT]
    )


class RiskForm(FlaskForm):
    title = StringField(
        "Risk",
        validators=[
            InputRequired("Enter a title for the risk"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
    )
    owner = StringField(
        "Owner (name or email address)",
        validators=[InputRequired("Name the risk's owner"), Length(max=254)],
    )
    likelihood = ChoiceField(
        "Likelihood",
        coerce=optional_int,
        choices=options([("", "Choose"), *[(k, str(k)) for k in range(1, 6)]]),
        validators=[InputRequired("Choose the likelihood from 1 to 5")],
    )
    impact = ChoiceField(
        "Impact",
        coerce=optional_int,
        choices=options([("", "Choose"), *[(k, str(k)) for k in range(1, 6)]]),
        validators=[InputRequired("Choose the impact from 1 to 5")],
    )


class ConfidenceForm(FlaskForm):
    rating = ChoiceField(
        "Delivery confidence",
        choices=options([("", "Choose a rating"), *DCA_LABELS.items()]),
        validators=[InputRequired("Choose a delivery confidence rating")],
    )
    rationale = TextAreaField(
        "Why", validators=[InputRequired("Say why: the rating needs its reasons"), _TEXT]
    )
