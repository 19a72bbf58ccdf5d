from __future__ import annotations

from wtforms import StringField
from wtforms.validators import InputRequired, Length, Optional

from tracker.core.fields import ChoiceField, options
from tracker.core.forms import VersionedForm
from tracker.orgs.models import ORG_KINDS


class OrganisationForm(VersionedForm):
    name = StringField(
        "Name",
        validators=[
            InputRequired("Enter the organisation's name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    short_name = StringField(
        "Short name",
        description="Optional. Used in tables, for example 'NCC'.",
        validators=[
            Optional(),
            Length(max=40, message="Short name must be 40 characters or fewer"),
        ],
    )
    kind = ChoiceField("Type of organisation", choices=options(ORG_KINDS))
