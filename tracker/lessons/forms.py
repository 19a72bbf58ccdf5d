"""The lesson form and the library's search."""

from __future__ import annotations

from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from tracker.core.fields import ChoiceField, options
from tracker.core.forms import VersionedForm
from tracker.lessons.rules import LESSON_CATEGORIES, VERDICTS

_TEXT = Length(max=5000, message="Keep this to 5000 characters or fewer")


class LessonForm(VersionedForm):
    title = StringField(
        "Lesson",
        validators=[
            InputRequired("Enter a title for the lesson"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
    )
    what_happened = TextAreaField(
        "What happened", validators=[InputRequired("Say what happened"), _TEXT]
    )
    verdict = RadioField(
        "Repeat it or avoid it?",
        choices=options(VERDICTS),
        validators=[InputRequired("Choose whether to repeat or avoid it")],
    )
    recommendation = TextAreaField(
        "What to do next time",
        validators=[InputRequired("Say what to repeat or avoid, and how"), _TEXT],
    )
    category = ChoiceField(
        "Category",
        choices=options(LESSON_CATEGORIES),
        validators=[InputRequired("Choose the lesson's category")],
        invalid_message="Choose the lesson's category from the list",
    )


class CurateForm(VersionedForm):
    pass
