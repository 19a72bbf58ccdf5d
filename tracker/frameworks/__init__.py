"""Governance frameworks: the PMO's named, versioned sets of gate templates and tailoring,
and the version each project follows."""

from flask import Blueprint

bp = Blueprint("frameworks", __name__)


@bp.record_once
def _vocabulary(state) -> None:
    """Templates compare a version's status and a gate's timing with the enums."""
    from tracker.frameworks.rules import FallsAt, ItemKind, VersionStatus

    state.app.jinja_env.globals.update(
        FallsAt=FallsAt, ItemKind=ItemKind, VersionStatus=VersionStatus
    )


from tracker.frameworks import subscribers, views  # noqa: E402,F401
