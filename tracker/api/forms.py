from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from tracker.api.services import EXPIRY_DAYS
from tracker.core.fields import ChoiceField, optional_int, options


class TokenForm(FlaskForm):
    name = StringField(
        "Token name",
        description="What the token is for, so you can tell your tokens apart, like "
        "'Finance cost import'.",
        validators=[
            InputRequired("Enter a name for the token"),
            Length(max=100, message="Token name must be 100 characters or fewer"),
        ],
    )
    expires_in_days = ChoiceField(
        "Expires after",
        coerce=optional_int,
        choices=options(EXPIRY_DAYS),
        default=90,
        validators=[InputRequired("Choose when the token expires")],
        invalid_message="Choose when the token expires from the options",
    )
