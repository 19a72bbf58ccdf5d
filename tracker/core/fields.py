"""Form fields and validators shared by every domain, with messages a person can act on."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from wtforms import DateField, DecimalField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

MAX_MONEY = Decimal("999999999999.99")


class MoneyField(DecimalField):
    """An amount in pounds: accepts ``250000``, ``250,000.50`` or ``£250,000``."""

    def __init__(self, label=None, validators=None, *, allow_zero: bool = True, **kwargs):
        self.allow_zero = allow_zero
        super().__init__(label, validators, places=2, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0].strip().replace(",", "").replace("£", "").replace(" ", "")
        if raw == "":
            self.data = None
            return
        try:
            value = Decimal(raw)
        except InvalidOperation:
            self.data = None
            raise ValueError(
                f"Enter {self.label.text.lower()} as an amount in pounds, like 250000 or 250000.00"
            ) from None
        if not value.is_finite():
            self.data = None
            raise ValueError(f"Enter {self.label.text.lower()} as an amount in pounds")
        self.data = value

    def post_validate(self, form, validation_stopped):
        if validation_stopped or self.data is None or self.errors:
            return
        name = self.label.text.lower()
        if self.data < 0 or (self.data == 0 and not self.allow_zero):
            raise ValidationError(f"{self.label.text} must be more than £0")
        if self.data.as_tuple().exponent < -2:
            raise ValidationError(
                f"Enter {name} in pounds and pence, with at most 2 decimal places"
            )
        if self.data > MAX_MONEY:
            raise ValidationError(f"{self.label.text} is too large")


class ChoiceField(SelectField):
    """A select whose invalid-choice message names the field instead of 'Not a valid choice'."""

    def __init__(self, label=None, validators=None, *, invalid_message=None, **kwargs):
        self.invalid_message = invalid_message
        kwargs.setdefault("validate_choice", True)
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(self._message()) from None

    def pre_validate(self, form):
        if self.data in (None, ""):
            return
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(self._message()) from None

    def _message(self) -> str:
        return self.invalid_message or f"Choose {self.label.text.lower()} from the list"


class MultiChoiceField(SelectMultipleField):
    def __init__(self, label=None, validators=None, *, invalid_message=None, **kwargs):
        self.invalid_message = invalid_message
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = []
            raise ValueError(self._message()) from None

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(self._message()) from None

    def _message(self) -> str:
        return self.invalid_message or f"Choose {self.label.text.lower()} from the list"


class DayField(DateField):
    """A date typed as YYYY-MM-DD (what a browser's date picker sends), or as 31/03/2027."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0].strip()
        if raw == "":
            self.data = None
            return
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                self.data = datetime.strptime(raw, pattern).date()
            except ValueError:
                continue
            if not date(1900, 1, 1) <= self.data <= date(2199, 12, 31):
                self.data = None
                raise ValueError(f"{self.label.text} must be a date between 1900 and 2199")
            return
        self.data = None
        raise ValueError(f"{self.label.text} must be a real date, like 2027-03-31")


def optional_int(value) -> int | None:
    """Coerce a select's value to an int, keeping the empty 'Choose…' option as None."""
    if value in ("", None):
        return None
    return int(value)


MAX_RECORD_ID = 2**31 - 1


def record_id(raw) -> int | None:
    """A record id from a query string or form, or None when it is not one: digits only and
    within the database's integer range, so a hostile value never reaches a query."""
    text = str(raw or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_RECORD_ID else None


def options(pairs) -> list[SelectChoice]:
    """Choices for a select, radios or checkboxes from (value, label) pairs or a mapping."""
    items = pairs.items() if hasattr(pairs, "items") else pairs
    return [SelectChoice(value=value, label=label) for value, label in items]
