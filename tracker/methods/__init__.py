"""Method recommendation: which delivery method a project's uncertainty calls for.

The pure model lives in ``model.py`` and ``rules.py``; the blueprint adds the pages
(assessments, method decisions, the project's risk register) and the ``flask method``
commands for the PMO.
"""

from flask import Blueprint

bp = Blueprint("methods", __name__, url_prefix="/projects", cli_group="method")


@bp.record_once
def _vocabulary(state) -> None:
    """Templates compare statuses with these enums, never with literals."""
    from tracker.methods.rules import RiskStatus

    state.app.jinja_env.globals.update(
        RiskStatus=RiskStatus,
    )


from tracker.methods import cli, subscribers, views  # noqa: E402,F401
