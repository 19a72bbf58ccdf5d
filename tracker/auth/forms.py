from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import Email, InputRequired, Length, ValidationError

from tracker.auth.models import GLOBAL_ROLES
from tracker.auth.rules import LOCAL_SIGN_IN_LABELS, password_problems
from tracker.core.fields import ChoiceField, optional_int, options
from tracker.core.forms import VersionedForm


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[InputRequired("Enter your email address"), Length(max=254)],
    )
    password = PasswordField(
        "Password", validators=[InputRequired("Enter your password"), Length(max=128)]
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[InputRequired("Enter your current password")]
    )
    new_password = PasswordField(
        "New password",
        description="At least 12 characters. A few unrelated words make a strong password.",
        validators=[InputRequired("Enter a new password")],
    )
    confirm_password = PasswordField(
        "Confirm new password", validators=[InputRequired("Confirm your new password")]
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_current_password(self, field):
        if not self.user.check_password(field.data):
            raise ValidationError("Your current password is not correct")

    def validate_new_password(self, field):
        problems = password_problems(field.data, email=self.user.email, name=self.user.name)
        if problems:
            raise ValidationError(problems[0])
        if self.user.check_password(field.data):
            raise ValidationError("New password must be different from your current password")

    def validate_confirm_password(self, field):
        if field.data != self.new_password.data:
            raise ValidationError("The passwords do not match")


ROLE_CHOICES = options([("", "No global role"), *GLOBAL_ROLES.items()])


class UserForm(FlaskForm):
    name = StringField(
        "Full name",
        validators=[InputRequired("Enter the person's full name"), Length(max=120)],
    )
    email = EmailField(
        "Email address",
        validators=[
            InputRequired("Enter the person's email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email("Enter an email address in the correct format, like name@example.gov.uk"),
        ],
    )
    organisation_id = ChoiceField(
        "Organisation",
        coerce=optional_int,
        description="The agency the person speaks for. It is shown beside their name on "
        "boards and in pickers.",
        validators=[InputRequired("Choose the person's organisation")],
    )
    global_role = ChoiceField(
        "Global role",
        choices=ROLE_CHOICES,
        description="PMO analysts see and compare the whole portfolio. "
        "Administrators also manage people and organisations.",
    )
    is_active = BooleanField("Account is active", default=True)
    is_break_glass = BooleanField(
        "Break-glass administrator",
        description="May still sign in with a password when password sign-in is switched "
        "off for everyone else (for when the organisation's sign-in service is down).",
    )
    password = PasswordField(
        "Temporary password",
        description="At least 12 characters. Give it to the person securely; "
        "they must choose their own the first time they sign in. Leave blank for someone "
        "who signs in with their organisation's account.",
    )
    require_password_change = BooleanField(
        "Ask for a new password at the next sign-in",
    )

    def __init__(self, *args, is_new: bool, organisations=(), password_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_new = is_new
        self.password_required = password_required
        self.organisation_id.choices = options([("", "Choose an organisation"), *organisations])

    def validate_is_break_glass(self, field):
        if field.data and self.global_role.data != "admin":
            raise ValidationError("Only an administrator can be a break-glass administrator")

    def validate_password(self, field):
        if not field.data:
            if self.is_new and self.password_required:
                raise ValidationError("Enter a temporary password")
            return
        problems = password_problems(
            field.data, email=self.email.data or "", name=self.name.data or ""
        )
        if problems:
            raise ValidationError(problems[0])


class SignInSettingsForm(VersionedForm):
    local_sign_in = ChoiceField(
        "Who may sign in with a password?",
        choices=options(LOCAL_SIGN_IN_LABELS),
        validators=[InputRequired("Choose who may sign in with a password")],
        description="Everyone else signs in with their organisation's account. Break-glass "
        "administrators keep their password for when that sign-in service is down; switching "
        "passwords off makes you one.",
    )
