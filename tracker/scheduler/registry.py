"""Every scheduled job, in one list: (job id, "module:function", trigger).

A job function takes the UK calendar day it runs for and returns how many things it did
(reminders created, emails sent, checkpoints taken). Each one is idempotent: it claims a
unique key per subject and period (``tracker.scheduler.services.claim``) in the same
transaction as its effect, so running it twice, or in two schedulers at once, does nothing
more than running it once.

Triggers are APScheduler trigger arguments, in the Europe/London time zone. To add a job,
add one line here.
"""

from __future__ import annotations

DAILY_AT_7 = {"trigger": "cron", "hour": 7, "minute": 0}

JOBS: list[tuple[str, str, dict]] = [
    ("approval_reminders", "tracker.stages.tasks:send_approval_reminders", DAILY_AT_7),
    ("highlight_reports_due", "tracker.stages.tasks:remind_highlight_reports_due", DAILY_AT_7),
    ("condition_reminders", "tracker.board.tasks:remind_overdue_conditions", DAILY_AT_7),
    ("iteration_feedback", "tracker.agile.tasks:remind_iteration_feedback", DAILY_AT_7),
    ("reassessment_prompts", "tracker.methods.tasks:prompt_stale_assessments", DAILY_AT_7),
    ("benefit_reviews", "tracker.benefits.tasks:remind_benefit_reviews", DAILY_AT_7),
    ("proposal_deferrals", "tracker.proposals.tasks:remind_deferred_proposals", DAILY_AT_7),
    (
        "monthly_checkpoints",
        "tracker.budget.tasks:run_monthly_checkpoints",
        {"trigger": "cron", "day": 1, "hour": 6, "minute": 0},
    ),
    (
        "board_packs",
        "tracker.board.tasks:build_waiting_packs",
        {"trigger": "interval", "minutes": 1},
    ),
    (
        "send_emails",
        "tracker.notifications.tasks:send_due_emails",
        {"trigger": "interval", "minutes": 1},
    ),
]

JOB_TITLES = {
    "approval_reminders": "Remind approvers of decisions waiting too long",
    "highlight_reports_due": "Remind project managers of highlight reports due",
    "condition_reminders": "Remind owners and boards of overdue conditions",
    "iteration_feedback": "Remind project managers of iterations ending without feedback",
    "reassessment_prompts": "Prompt re-assessment of stale method assessments",
    "benefit_reviews": "Remind benefit owners of benefits reviews due",
    "proposal_deferrals": "Remind the PMO of deferred proposals due back",
    "send_emails": "Send queued emails",
    "board_packs": "Build the board packs waiting to be frozen",
    "monthly_checkpoints": "Take monthly budget checkpoints",
}


def job_ids() -> list[str]:
    return [job_id for job_id, _, _ in JOBS]


def find(job_id: str) -> tuple[str, str, dict] | None:
    return next((job for job in JOBS if job[0] == job_id), None)


def use(path: str) -> None:
    """Replace the job list with the one ``"module:NAME"`` names (the scheduler process's
    ``SCHEDULER_JOBS`` setting: tests run it with short intervals)."""
    import importlib

    module_name, _, name = path.partition(":")
    JOBS[:] = getattr(importlib.import_module(module_name), name)
