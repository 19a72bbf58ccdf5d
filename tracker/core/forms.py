"""Form bases shared by every domain."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField


def hidden_int(field) -> int | None:
    """A hidden field's whole number, or None when it is missing or tampered with."""
    try:
        return int(field.data)
    except (TypeError, ValueError):
        return None


class VersionedForm(FlaskForm):
    """A form that edits a record people share: it carries the version the person opened, so
    the service can refuse a save based on a stale one (``check_version``)."""

    version = HiddenField()

    def version_number(self) -> int | None:
        return hidden_int(self.version)
