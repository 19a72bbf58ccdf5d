"""Stage-gated delivery: stages, tolerances, gate reviews and exceptions."""

from flask import Blueprint

# Its commands are the board's: ``flask governance check``.
bp = Blueprint("stages", __name__, cli_group="governance")


@bp.record_once
def _vocabulary(state) -> None:
    """Templates compare statuses with these enums, never with literals."""
    from tracker.stages.rules import (
        ExceptionStatus,
        ExceptionVote,
        GateDecision,
        GateStatus,
        Rag,
        StageStatus,
        TargetStatus,
    )

    state.app.jinja_env.globals.update(
        ExceptionStatus=ExceptionStatus,
        ExceptionVote=ExceptionVote,
        GateDecision=GateDecision,
        GateStatus=GateStatus,
        Rag=Rag,
        StageStatus=StageStatus,
        TargetStatus=TargetStatus,
    )


from tracker.stages import cli, subscribers, views  # noqa: E402,F401
