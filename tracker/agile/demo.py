"""Demo iterations for the agile-looking demo projects: three closed sprints with customer
feedback (some loops closed), an active sprint part-way through, and one planned.

Dates are relative to today so the burndown always shows a sprint in progress. Item
history is written with the times it would have had, so every chart is rebuilt from it
exactly as for real work. Idempotent: a project that already has iterations is skipped.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from tracker.agile import services as agile
from tracker.agile.models import BacklogItem, CarryOver, Feedback, ItemStatusChange, Iteration
from tracker.agile.rules import Agreement, ItemStatus, IterationStatus
from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.extensions import db
from tracker.projects.models import Project
from tracker.projects.rules import ProjectStatus

# code -> (method to set if none is decided yet, customer groups asked, work themes)
DEMO = {
    "HOM-2026-02": (
        "agile",
        ("service_user", "partner_organisation", "staff"),
        ("Shared referral form", "Outreach visit log", "Prevention triage", "Case handover"),
    ),
    "DIG-2026-04": (
        "agile",
        ("citizen", "staff"),
        ("Change of address", "Direct debit set-up", "Sign-in", "Bill view", "Discount claim"),
    ),
    "SAF-2026-05": (
        "agile",
        ("partner_organisation", "staff", "elected_member"),
        ("Missing episode alert", "Return interview record", "Schools notice", "Daily huddle"),
    ),
    "PH-2026-07": (
        "agile",
        ("citizen", "partner_organisation", "service_user"),
        ("School food audit", "Active travel map", "Family cook sessions", "Takeaway pledge"),
    ),
    "CS-2026-09": (
        "agile",
        ("service_user", "citizen", "partner_organisation"),
        ("Hub timetable", "Parent panel", "Referral pathway", "Hub signage", "Drop-in pilot"),
    ),
    "MH-2026-11": (
        "hybrid",
        ("service_user", "partner_organisation", "staff"),
        ("Crisis cafe pilot", "Street triage rota", "Safe space booking", "Peer support"),
    ),
    "VCS-2026-14": (
        "agile",
        ("partner_organisation", "citizen", "staff"),
        ("Online application", "Eligibility checker", "Officer scoring", "Decision letters"),
    ),
}

SAID = {
    "service_user": (
        "I could not tell what happens after I fill it in.",
        "Much easier than phoning round, but the words are officer-speak.",
    ),
    "citizen": (
        "It works on my phone now, but I got lost after the second page.",
        "Please let me save and come back later.",
    ),
    "partner_organisation": (
        "Our staff need to see the same record, not a copy by email.",
        "Good progress; the handover still depends on one person.",
    ),
    "elected_member": ("Residents in my ward have not heard of this yet.",),
    "staff": (
        "This saves us re-keying, but the export is missing two fields.",
        "The new screen is clearer; training is needed before go-live.",
    ),
}

# Groups, not people: feedback needs no personal data.
GROUPS = {"partner_organisation": "Partners' steering group", "staff": "Front-line team"}

SPRINT_DAYS = 14
POINTS = (1, 2, 3, 3, 5, 5, 8)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


class _Builder:
    """Writes items and their history with the times they would have had."""

    def __init__(self, project: Project, actor: User | None, rng: random.Random):
        self.project, self.actor, self.rng = project, actor, rng
        self.rank = 0  # the backlog's order: items in the order they were written

    def history(self, item, reason, from_status, at):
        db.session.add(
            ItemStatusChange(
                project_id=self.project.id,
                item_id=item.id,
                from_status=from_status,
                to_status=item.status,
                iteration_id=item.iteration_id,
                reason=reason,
                changed_at=at,
                changed_by_id=self.actor.id if self.actor else None,
            )
        )

    def _next_rank(self) -> int:
        self.rank += 1
        return self.rank

    def item(self, title, iteration, at):
        item = BacklogItem(
            project_id=self.project.id,
            iteration_id=iteration.id if iteration else None,
            title=title,
            description="",
            points=self.rng.choice(POINTS),
            status=ItemStatus.TODO,
            rank=self._next_rank(),
            created_at=at,
        )
        db.session.add(item)
        db.session.flush()
        self.history(item, "created", None, at)
        return item

    def move(self, item, status, at):
        if item.status == status:
            return
        at = min(at, datetime.now(UTC) - timedelta(minutes=5))
        before = item.status
        item.status = status
        self.history(item, "status", before, at)


def _authorise_start(project: Project, at: datetime) -> None:
    """An agile project's sprints start only once its Executive has authorised the start,
    through the same decision as on the page; the record keeps the day it would have had.
    A hybrid project was started by its start gate (the stages demo) before this runs."""
    if project.delivery_method != "agile" or project.status != ProjectStatus.PROPOSED:
        return
    executive = next(m.user for m in project.memberships if m.role == "executive")
    agile.authorise_start(
        project,
        conditions="Show the first working version to customers within two sprints.",
        version=None,
        actor=executive,
    )
    project.start_authorised_at = at


def _load_project(project: Project, actor: User | None, spec) -> int:
    method, sources, themes = spec
    if project.delivery_method is None:
        project.delivery_method = method
    rng = random.Random(project.code)
    builder = _Builder(project, actor, rng)
    today = datetime.now(UTC).date()
    active_start = today - timedelta(days=5)
    starts = [active_start - timedelta(days=SPRINT_DAYS * n) for n in (3, 2, 1, 0, -1)]
    iterations = []
    for number, start in enumerate(starts, start=1):
        iteration = Iteration(
            project_id=project.id,
            name=f"Sprint {number}",
            goal=f"{themes[(number - 1) % len(themes)]}: a version customers can try",
            start_on=start,
            end_on=start + timedelta(days=SPRINT_DAYS - 1),
            status=IterationStatus.PLANNED,
            created_at=_at(starts[0] - timedelta(days=7), 9),
        )
        db.session.add(iteration)
        iterations.append(iteration)
    db.session.flush()
    _authorise_start(project, _at(starts[0] - timedelta(days=3), 10))

    carried: list[BacklogItem] = []
    feedback_count = 0
    for index, iteration in enumerate(iterations[:4]):
        planned_at = _at(iteration.start_on - timedelta(days=1), 10)
        theme = themes[index % len(themes)]
        fresh = [
            builder.item(f"{theme}: {part}", iteration, planned_at)
            for part in ("first version", "content review", "accessibility fixes", "hand over")[
                : rng.choice((3, 4))
            ]
        ]
        items = carried + fresh
        iteration.status = IterationStatus.ACTIVE
        iteration.started_at = _at(iteration.start_on, 9)
        iteration.committed_points = sum(item.points for item in items)
        is_active = index == 3
        days = (today - iteration.start_on).days if is_active else SPRINT_DAYS - 1
        carried = []
        for position, item in enumerate(items):
            begin = min(position, days)
            builder.move(item, "doing", _at(iteration.start_on + timedelta(days=begin), 10))
            finish = begin + rng.randint(2, 6)
            last = position == len(items) - 1
            if finish <= days and not (last and not is_active and index % 2 == 0):
                builder.move(item, "done", _at(iteration.start_on + timedelta(days=finish), 15))
        if is_active:
            break
        closed_at = _at(iteration.end_on, 16)
        for n, source in enumerate(sources[: 1 + index % 2 + 1]):
            said = SAID[source][(index + n) % len(SAID[source])]
            loop_closed = index < 2 or n == 0
            feedback = Feedback(
                project_id=project.id,
                iteration_id=iteration.id,
                source=source,
                given_by=GROUPS.get(source, ""),
                rating=rng.choice((3, 4, 4, 5)),
                said=said,
                agreement=Agreement.YES_WITH_CHANGES
                if n == 0
                else rng.choice((Agreement.YES, Agreement.NO)),
                action_taken=(
                    "Added to the next sprint and shown at the show and tell."
                    if loop_closed
                    else ""
                ),
                backlog_item_id=items[0].id,
                loop_closed=loop_closed,
                loop_closed_at=closed_at + timedelta(days=3 + n) if loop_closed else None,
                loop_closed_how=(
                    "Shown at the fortnightly show and tell; summary emailed to the group."
                    if loop_closed
                    else ""
                ),
                recorded_by_id=actor.id if actor else None,
                created_at=_at(iteration.end_on, 11),
            )
            db.session.add(feedback)
            feedback_count += 1
        next_iteration = iterations[index + 1]
        iteration.status = IterationStatus.CLOSED
        iteration.closed_at = closed_at
        iteration.closed_by_id = actor.id if actor else None
        iteration.completed_points = sum(
            item.points for item in items if item.status == ItemStatus.DONE
        )
        for item in items:
            if item.status == ItemStatus.DONE:
                continue
            db.session.add(
                CarryOver(
                    iteration_id=iteration.id,
                    item_id=item.id,
                    to_iteration_id=next_iteration.id,
                    points=item.points,
                    status=item.status,
                    created_at=closed_at,
                )
            )
            item.iteration_id = next_iteration.id
            builder.history(item, "carried_over", item.status, closed_at)
            carried.append(item)
        db.session.flush()

    # Feedback so far on the active sprint, with the loop still open.
    active = iterations[3]
    db.session.add(
        Feedback(
            project_id=project.id,
            iteration_id=active.id,
            source=sources[0],
            given_by="",
            rating=4,
            said=SAID[sources[0]][0],
            agreement=Agreement.YES_WITH_CHANGES,
            loop_closed=False,
            recorded_by_id=actor.id if actor else None,
            created_at=_at(today - timedelta(days=1), 14),
        )
    )
    feedback_count += 1
    planned_at = _at(today - timedelta(days=2), 11)
    for title in ("Usability test round", "Privacy notice update"):
        builder.item(title, iterations[4], planned_at)
    for title in ("Welsh language version", "Performance dashboard", "Archive old records"):
        builder.item(title, None, planned_at)
    db.session.flush()
    audit.record(
        "demo.agile_loaded",
        project,
        project_id=project.id,
        summary=f"Loaded demo iterations, backlog and {feedback_count} feedback entries",
        actor=actor,
    )
    return 1


def load(projects_by_code: dict[str, Project], people_by_email: dict[str, User]) -> int:
    """Add demo iterations to the agile-looking demo projects that have none yet."""
    done = set(db.session.scalars(select(Iteration.project_id).distinct()))
    loaded = 0
    for code, spec in DEMO.items():
        project = projects_by_code.get(code)
        if project is None or project.id in done:
            continue
        if project.delivery_method == "stage_gated":
            # The method decision chose stage gates (by tradition, in the demo): no sprints.
            continue
        if project.delivery_method == "hybrid" and project.status == ProjectStatus.PROPOSED:
            # Hybrid work runs sprints only once the board has approved its start gate;
            # this one's board has not been asked yet, so it stays proposed with none.
            continue
        manager = next((m.user for m in project.memberships if m.role == "project_manager"), None)
        loaded += _load_project(project, manager, spec)
    db.session.flush()
    return loaded
