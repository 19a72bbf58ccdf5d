"""Release gates: releases of agile and hybrid work, approved before they go live."""

from flask import Blueprint

bp = Blueprint("releases", __name__)


@bp.record_once
def _vocabulary(state) -> None:
    from tracker.releases.rules import ReleaseStatus

    state.app.jinja_env.globals.update(ReleaseStatus=ReleaseStatus)


from tracker.releases import subscribers, views  # noqa: E402,F401
