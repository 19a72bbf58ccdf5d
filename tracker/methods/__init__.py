"""Method recommendation: which delivery method a project's uncertainty calls for.

The pure model lives in ``model.py`` and ``rules.py``; the blueprint adds the pages
(assessments and method decisions) and the ``flask method`` commands for the PMO. A
decision against the recommendation opens a risk on the project's register
(``tracker.registers``).
"""

from flask import Blueprint

bp = Blueprint("methods", __name__, url_prefix="/projects", cli_group="method")


from tracker.methods import cli, subscribers, views  # noqa: E402,F401
