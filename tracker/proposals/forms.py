"""Proposal, scoring, criterion, board and decision forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from tracker.core.fields import (
    ChoiceField,
    DayField,
    MoneyField,
    MultiChoiceField,
    optional_int,
    options,
)
from tracker.core.forms import VersionedForm
from tracker.methods.forms import WholeNumberField
from tracker.proposals import rules

_TEXT = Length(max=5000, message="Keep this to 5000 characters or fewer")


class ProposalForm(VersionedForm):
    title = StringField(
        "Title",
        validators=[
            InputRequired("Enter a title for the proposal"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
    )
    problem = TextAreaField(
        "The problem",
        description="What problem is this, for whom, and how do you know? Truly understand "
        "the problem before proposing a solution.",
        validators=[_TEXT],
    )
    outcome = TextAreaField(
        "The outcome sought",
        description="What will be different when it is solved?",
        validators=[_TEXT],
    )
    lead_organisation_id = ChoiceField(
        "Lead organisation",
        description="Leave blank if you do not know yet; the board chooses one before approving.",
        coerce=optional_int,
        validators=[Optional()],
    )
    partner_ids = MultiChoiceField(
        "Partner organisations", coerce=int, description="Other agencies involved. Optional."
    )
    rough_cost = MoneyField("Rough cost (£)", description="A rough total, in pounds.")
    start_on = DayField("Start by", validators=[Optional()], render_kw={"autocomplete": "off"})
    finish_on = DayField("Finish by", validators=[Optional()], render_kw={"autocomplete": "off"})

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        pairs = [(org.id, org.name) for org in organisations]
        self.lead_organisation_id.choices = options([("", "Not known yet"), *pairs])
        self.partner_ids.choices = options(pairs)

    def funding_fields(self):
        """(source, label, amount field, confirmed field) in the sources' order."""
        return [
            (source, label, self[f"{source}_amount"], self[f"{source}_confirmed"])
            for source, label in rules.FUNDING_SOURCES.items()
        ]


# One amount and one "confirmed" box per funding source.
for _source, _label in rules.FUNDING_SOURCES.items():
    setattr(ProposalForm, f"{_source}_amount", MoneyField(f"{_label} (£)", validators=[Optional()]))
    setattr(ProposalForm, f"{_source}_confirmed", BooleanField(f"{_label} confirmed"))


class SubmitForm(VersionedForm):
    """Submitting a draft: only the version it was read at, so a changed draft is refused."""


class CriterionForm(VersionedForm):
    name = StringField(
        "Name",
        validators=[
            InputRequired("Enter the criterion's name"),
            Length(max=120, message="Name must be 120 characters or fewer"),
        ],
    )
    description = TextAreaField("What a high score means", validators=[_TEXT])
    weight = WholeNumberField(
        "Weight",
        description=f"From 1 to {rules.WEIGHT_LIMIT}: how much this criterion counts against "
        "the others.",
        validators=[
            InputRequired("Give a weight"),
            NumberRange(1, rules.WEIGHT_LIMIT, f"Give a weight from 1 to {rules.WEIGHT_LIMIT}"),
        ],
    )
    scale_max = WholeNumberField(
        "Top of the scale",
        description=f"Scores run from 1 to this number (2 to {rules.SCALE_MAX_LIMIT}); 5 is usual.",
        validators=[
            InputRequired("Give the top of the scale"),
            NumberRange(
                2,
                rules.SCALE_MAX_LIMIT,
                f"The top of the scale must be from 2 to {rules.SCALE_MAX_LIMIT}",
            ),
        ],
    )
    is_active = BooleanField("Use this criterion when scoring", default=True)


def score_form(criteria, data=None):
    """A form with a score and a reason per active criterion. The score is a whole number
    checked against the criterion's scale by the service (so the message names the scale)."""

    class ScoreForm(FlaskForm):
        def lines(self):
            return [(c, self[f"score_{c.id}"], self[f"reason_{c.id}"]) for c in criteria]

    for criterion in criteria:
        setattr(
            ScoreForm,
            f"score_{criterion.id}",
            WholeNumberField(
                f"{criterion.name}: score from 1 to {criterion.scale_max}",
                description=criterion.description,
                validators=[InputRequired(f"Score {criterion.name}")],
            ),
        )
        setattr(
            ScoreForm,
            f"reason_{criterion.id}",
            TextAreaField(
                f"Reason for the score on {criterion.name}",
                validators=[
                    InputRequired(f"Give the reason for the score on {criterion.name}"),
                    _TEXT,
                ],
            ),
        )
    return ScoreForm(data=data)


class DecideForm(VersionedForm):
    decision = RadioField(
        "Decision",
        choices=options(rules.DECISIONS),
        validators=[InputRequired("Choose approve, defer or reject")],
    )
    reason = TextAreaField(
        "Reason", description="Required to reject. Recorded with the decision.", validators=[_TEXT]
    )
    defer_until = DayField(
        "Look at it again on",
        description="To defer: the PMO is reminded on this date.",
        validators=[Optional()],
        render_kw={"autocomplete": "off"},
    )
    code = StringField(
        "Project code",
        description="To approve: the new project's code, like ASC-2027-01.",
        filters=[lambda value: value.strip().upper() if isinstance(value, str) else value],
        validators=[
            Optional(),
            Length(min=2, max=20, message="Project code must be between 2 and 20 characters"),
            Regexp(
                r"^[A-Z0-9][A-Z0-9-]*$",
                message="Project code can only contain capital letters, numbers and hyphens",
            ),
        ],
    )
    manager_id = ChoiceField(
        "Project manager", description="To approve.", coerce=optional_int, validators=[Optional()]
    )
    lead_organisation_id = ChoiceField(
        "Lead organisation",
        description="To approve: a project needs one.",
        coerce=optional_int,
        validators=[Optional()],
    )

    def __init__(self, *args, organisations=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lead_organisation_id.choices = options(
            [("", "Choose an organisation"), *[(o.id, o.name) for o in organisations]]
        )
        self.manager_id.choices = options(
            [("", "Choose a person"), *[(p.id, p.name) for p in people]]
        )


class BoardMemberForm(FlaskForm):
    user_id = ChoiceField(
        "Person", coerce=optional_int, validators=[InputRequired("Choose a person")]
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = options([("", "Choose a person"), *[(p.id, p.name) for p in people]])


class PipelineFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Title contains", validators=[Optional(), Length(max=100)])
    stage = ChoiceField(
        "Stage",
        choices=options([("", "All stages"), *rules.PIPELINE_STAGES.items()]),
        validators=[Optional()],
    )
    lead_organisation_id = ChoiceField(
        "Lead organisation", coerce=optional_int, validators=[Optional()]
    )
    method = ChoiceField("Recommended method", validators=[Optional()])

    def __init__(self, *args, organisations=(), methods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lead_organisation_id.choices = options(
            [("", "All organisations"), *[(o.id, o.name) for o in organisations]]
        )
        self.method.choices = options([("", "Any method"), *methods])
