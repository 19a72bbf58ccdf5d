"""The lessons log (per project) and the organisation-wide lessons library PMO staff curate.
Above methods: a lesson keeps the project's method and uncertainty zone, which is how a new
project's manager is shown the lessons of similar projects."""

from flask import Blueprint

bp = Blueprint("lessons", __name__)


@bp.record_once
def _vocabulary(state) -> None:
    from tracker.lessons import rules

    state.app.jinja_env.globals.update(
        VERDICTS=rules.VERDICTS,
        LESSON_CATEGORIES=rules.LESSON_CATEGORIES,
    )


from tracker.lessons import subscribers, views  # noqa: E402,F401
