"""Each status (and board decision) vocabulary is one enum: its values are exactly what the
column's CHECK constraint allows, its labels cover every member, and every template can
compare with it."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string

from tracker.agile.models import BacklogItem, CarryOver, Feedback, ItemStatusChange, Iteration
from tracker.agile.rules import Agreement, ItemStatus, IterationStatus, Priority
from tracker.agile.vocabulary import (
    AGREEMENTS,
    ITEM_STATUS_COLOURS,
    ITEM_STATUSES,
    ITERATION_STATUS_COLOURS,
    ITERATION_STATUSES,
    PRIORITIES,
)
from tracker.api.core import values
from tracker.auth.models import SignInSettings
from tracker.auth.rules import LOCAL_SIGN_IN_LABELS, LocalSignIn
from tracker.benefits.models import Benefit, BenefitReview
from tracker.benefits.rules import (
    BENEFIT_CATEGORIES,
    BENEFIT_KINDS,
    REVIEW_OUTCOMES,
    TRAJECTORIES,
    BenefitCategory,
    BenefitKind,
    ReviewOutcome,
    Trajectory,
)
from tracker.budget.models import (
    CHECKPOINT_STATUSES,
    BudgetException,
    Checkpoint,
)
from tracker.budget.models import EXCEPTION_DECISIONS as BUDGET_DECISIONS
from tracker.budget.models import EXCEPTION_STATUSES as BUDGET_EXCEPTION_STATUSES
from tracker.budget.rules import BudgetDecision, BudgetExceptionStatus, CheckpointStatus
from tracker.notifications.models import EMAIL_STATUSES, OutboxEmail
from tracker.notifications.vocabulary import EmailStatus
from tracker.projects.models import Project
from tracker.projects.rules import PROJECT_STATUSES, ProjectStatus
from tracker.proposals.models import Proposal, ProposalDecision, ProposalFunding
from tracker.proposals.rules import (
    DECISIONS as PROPOSAL_DECISIONS,
)
from tracker.proposals.rules import (
    FUNDING_SOURCES,
    PROPOSAL_STATUSES,
    Decision,
    FundingSource,
    ProposalStatus,
)
from tracker.registers.models import Issue, Risk
from tracker.registers.rules import (
    ISSUE_KINDS,
    ISSUE_STATUSES,
    RISK_CATEGORIES,
    RISK_KINDS,
    RISK_STATUSES,
    IssueKind,
    IssueStatus,
    RiskCategory,
    RiskKind,
    RiskStatus,
)
from tracker.registers.rules import PRIORITIES as ISSUE_PRIORITIES
from tracker.registers.rules import Priority as IssuePriority
from tracker.scheduler.models import RUN_OUTCOMES, JobRun
from tracker.scheduler.rules import RunOutcome
from tracker.stages import rules
from tracker.stages.models import (
    EXCEPTION_DECISIONS,
    EXCEPTION_STATUSES,
    GATE_DECISIONS,
    GATE_STATUSES,
    RAG,
    STAGE_STATUSES,
    TARGET_STATUSES,
    ExceptionDecision,
    ExceptionReport,
    GateDecision,
    GateReview,
    HighlightReport,
    Stage,
)
from tracker.stages.rules import (
    ExceptionStatus,
    ExceptionVote,
    GateStatus,
    Rag,
    StageStatus,
    TargetStatus,
)
from tracker.worklog.models import TimesheetWeek
from tracker.worklog.rules import WEEK_STATUSES, WeekStatus

# (model, column, enum, labels): every status column of the schema and its vocabulary.
COLUMNS = [
    (Project, "status", ProjectStatus, PROJECT_STATUSES),
    (Stage, "status", StageStatus, STAGE_STATUSES),
    *(
        (Stage, f"{name}_status", TargetStatus, TARGET_STATUSES)
        for name in ("scope", "quality", "risk", "benefit", "sustainability")
    ),
    (GateReview, "status", GateStatus, GATE_STATUSES),
    (HighlightReport, "overall_status", Rag, RAG),
    (ExceptionReport, "status", ExceptionStatus, EXCEPTION_STATUSES),
    (Iteration, "status", IterationStatus, ITERATION_STATUSES),
    (BacklogItem, "status", ItemStatus, ITEM_STATUSES),
    (BacklogItem, "moscow", Priority, PRIORITIES),
    (ItemStatusChange, "from_status", ItemStatus, ITEM_STATUSES),
    (ItemStatusChange, "to_status", ItemStatus, ITEM_STATUSES),
    (CarryOver, "status", ItemStatus, ITEM_STATUSES),
    (TimesheetWeek, "status", WeekStatus, WEEK_STATUSES),
    (Checkpoint, "status", CheckpointStatus, CHECKPOINT_STATUSES),
    (BudgetException, "status", BudgetExceptionStatus, BUDGET_EXCEPTION_STATUSES),
    (Risk, "status", RiskStatus, RISK_STATUSES),
    (Risk, "kind", RiskKind, RISK_KINDS),
    (Risk, "category", RiskCategory, RISK_CATEGORIES),
    (Issue, "kind", IssueKind, ISSUE_KINDS),
    (Issue, "status", IssueStatus, ISSUE_STATUSES),
    (Issue, "priority", IssuePriority, ISSUE_PRIORITIES),
    (OutboxEmail, "status", EmailStatus, EMAIL_STATUSES),
    (JobRun, "outcome", RunOutcome, RUN_OUTCOMES),
    (Feedback, "agreement", Agreement, AGREEMENTS),
    # The board's decisions, kept the same way.
    (GateDecision, "decision", rules.GateDecision, GATE_DECISIONS),
    (ExceptionDecision, "decision", ExceptionVote, EXCEPTION_DECISIONS),
    (BudgetException, "decision", BudgetDecision, BUDGET_DECISIONS),
    # The benefits register.
    (Benefit, "kind", BenefitKind, BENEFIT_KINDS),
    (Benefit, "category", BenefitCategory, BENEFIT_CATEGORIES),
    (Benefit, "trajectory", Trajectory, TRAJECTORIES),
    (Benefit, "review_outcome", ReviewOutcome, REVIEW_OUTCOMES),
    (BenefitReview, "outcome", ReviewOutcome, REVIEW_OUTCOMES),
    # Proposals: their status, funding sources and the prioritisation board's decisions.
    (Proposal, "status", ProposalStatus, PROPOSAL_STATUSES),
    (ProposalFunding, "source", FundingSource, FUNDING_SOURCES),
    (ProposalDecision, "decision", Decision, PROPOSAL_DECISIONS),
    # Who may sign in with a password.
    (SignInSettings, "local_sign_in", LocalSignIn, LOCAL_SIGN_IN_LABELS),
]
IDS = [f"{model.__tablename__}.{column}" for model, column, _, _ in COLUMNS]


def allowed_by_check(model, column: str) -> list[str]:
    """The values the table's CHECK constraint allows in ``column``, in its order."""
    found = []
    for constraint in model.__table__.constraints:
        sqltext = getattr(constraint, "sqltext", None)
        if sqltext is None:
            continue
        match = re.search(rf"(?<!\w){column} IN \(([^)]*)\)", str(sqltext))
        if match:
            found.append(re.findall(r"'([^']*)'", match.group(1)))
    assert len(found) == 1, f"expected one CHECK listing {column}'s values, found {found}"
    return found[0]


@pytest.mark.parametrize(("model", "column", "enum", "labels"), COLUMNS, ids=IDS)
def test_each_enum_is_exactly_what_its_column_check_allows(model, column, enum, labels):
    assert allowed_by_check(model, column) == [member.value for member in enum]
    assert list(labels) == list(enum), "the labels name every member, in the enum's order"


def test_gate_status_includes_closed_early_and_the_rules_use_the_same_enum():
    assert GateStatus("closed_early") is GateStatus.CLOSED_EARLY
    assert GATE_STATUSES[GateStatus.CLOSED_EARLY] == "Project closed early"
    assert "closed_early" in allowed_by_check(GateReview, "status")


def test_labels_and_colours_are_found_by_the_stored_string():
    """A status read back from the database is a plain string: the maps keyed by members
    must still find it (StrEnum members hash and compare as their values)."""
    assert PROJECT_STATUSES["closed_early"] == "Closed early"
    assert ITERATION_STATUS_COLOURS["active"] == "green"
    assert ITEM_STATUS_COLOURS["doing"] == "yellow"
    assert WeekStatus.SUBMITTED == "submitted"


def test_api_enums_are_plain_strings():
    assert values(GateStatus) == [
        "pending",
        "approved",
        "approved_with_conditions",
        "rejected",
        "closed_early",
    ]
    assert all(type(value) is str for value in values(ProjectStatus))


TEMPLATE_ENUMS = [
    ProjectStatus,
    StageStatus,
    TargetStatus,
    GateStatus,
    Rag,
    ExceptionStatus,
    IterationStatus,
    ItemStatus,
    WeekStatus,
    CheckpointStatus,
    BudgetExceptionStatus,
    RiskStatus,
    RiskKind,
    IssueStatus,
    EmailStatus,
    RunOutcome,
    rules.GateDecision,
    ExceptionVote,
    BenefitKind,
    BenefitCategory,
    ReviewOutcome,
    Trajectory,
    ProposalStatus,
]


@pytest.mark.one_engine
def test_templates_see_every_status_enum(app):
    globals_ = app.jinja_env.globals
    for enum in TEMPLATE_ENUMS:
        name = "CheckpointStatus" if enum is CheckpointStatus else enum.__name__
        assert globals_.get(name) is enum, name
    with app.test_request_context():
        rendered = render_template_string(
            "{{ 'yes' if status == ProjectStatus.CLOSED_EARLY else 'no' }}"
            " {{ GateStatus.CLOSED_EARLY }} {{ WeekStatus.SUBMITTED }}",
            status="closed_early",
        )
    assert rendered == "yes closed_early submitted"
