"""Errors that services raise for the views to show next to a field."""

from __future__ import annotations

STALE_MESSAGE = (
    "This record was changed by someone else since you opened it. "
    "Reload the page to see their changes, then make yours again."
)


class RuleError(ValueError):
    """A change the domain rules refuse. ``field`` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class StaleEdit(RuleError):
    """A save based on a version of the record that is no longer current."""

    def __init__(self) -> None:
        super().__init__(STALE_MESSAGE)


def check_version(record, submitted: int | None) -> None:
    if submitted is not None and submitted != record.version:
        raise StaleEdit()


def attach_error(form, error: RuleError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))
