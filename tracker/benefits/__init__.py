"""The benefits register: benefits and dis-benefits with their owners, measures,
trajectories, measurements and reviews, kept after the project closes.

It sits above closure (a closed project's end-project report sets the review dates) and
stages (the stage's stated benefit target is the benefit tolerance), and below the
portfolio, which reads its stored facts.
"""

from flask import Blueprint

bp = Blueprint("benefits", __name__, url_prefix="/projects")


@bp.record_once
def _vocabulary(state) -> None:
    """Templates compare and label values with these enums and maps, never literals."""
    from tracker.benefits import rules

    state.app.jinja_env.globals.update(
        BenefitKind=rules.BenefitKind,
        BenefitCategory=rules.BenefitCategory,
        ReviewOutcome=rules.ReviewOutcome,
        Trajectory=rules.Trajectory,
        BENEFIT_KINDS=rules.BENEFIT_KINDS,
        BENEFIT_CATEGORIES=rules.BENEFIT_CATEGORIES,
        REVIEW_OUTCOMES=rules.REVIEW_OUTCOMES,
        benefit_value=rules.shown,
    )


from tracker.benefits import subscribers, views  # noqa: E402,F401
