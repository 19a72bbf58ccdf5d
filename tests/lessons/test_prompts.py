"""At every gate and iteration close the project manager is asked, in their inbox (and by
email unless they opted out), to log the lessons while they are fresh."""

from __future__ import annotations

from sqlalchemy import select

from tracker.agile import services as agile
from tracker.core import events
from tracker.lessons import subscribers
from tracker.notifications import mailer
from tracker.notifications import services as notifications
from tracker.notifications.models import KINDS, Notification, OutboxEmail
from tracker.stages import services as stages


def _prompts(db, user) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(
                Notification.user_id == user.id, Notification.kind == "lessons_prompt"
            )
        )
    )


def test_the_manager_is_asked_for_lessons_when_a_gate_is_decided(
    db, board, waiting_gate, smtp_server, mail_to
):
    mail_to(smtp_server)
    stages.decide_gate(
        waiting_gate, role="executive", decision="approve", comment="", actor=board["executive"]
    )
    db.session.commit()
    assert _prompts(db, board["manager"]) == []  # not resolved yet: one board role to go
    stages.decide_gate(
        waiting_gate, role="senior_user", decision="approve", comment="", actor=board["senior_user"]
    )
    db.session.commit()
    (prompt,) = _prompts(db, board["manager"])
    assert prompt.title.startswith(f"{board['project'].code}: log the lessons of the gate review")
    assert prompt.link == f"/projects/{board['project'].id}/lessons"
    assert prompt.project_id == board["project"].id
    # Only the manager is asked: not the board that decided.
    assert _prompts(db, board["executive"]) == [] and _prompts(db, board["senior_user"]) == []
    mailer.send_due()
    assert [m["To"] for m in smtp_server.messages if "lessons" in m["Subject"]] == [
        board["manager"].email
    ]


def test_a_rejected_gate_asks_for_lessons_too(db, board, waiting_gate):
    stages.decide_gate(
        waiting_gate,
        role="executive",
        decision="reject",
        comment="Not ready",
        actor=board["executive"],
    )
    db.session.commit()
    assert len(_prompts(db, board["manager"])) == 1


def test_the_manager_is_asked_for_lessons_when_an_iteration_closes(db, team, build):
    project = team["project"]
    sprint = build.start(build.iteration("Sprint 7"))
    build.feedback(sprint)
    assert _prompts(db, team["manager"]) == []
    agile.close_iteration(project, sprint, version=None)
    db.session.commit()
    (prompt,) = _prompts(db, team["manager"])
    assert "the iteration Sprint 7" in prompt.title
    assert _prompts(db, team["member"]) == []


def test_a_manager_who_opted_out_of_the_email_still_gets_the_inbox_prompt(db, team, build):
    manager = team["manager"]
    others = [kind for kind in KINDS if kind != "lessons_prompt"]
    notifications.set_email_kinds(manager, others, actor=manager)
    db.session.commit()
    sprint = build.start(build.iteration())
    build.feedback(sprint)
    agile.close_iteration(team["project"], sprint, version=None)
    db.session.commit()
    (prompt,) = _prompts(db, manager)
    emails = select(OutboxEmail).where(OutboxEmail.notification_id == prompt.id)
    assert db.session.scalars(emails).all() == []


def test_the_lessons_log_answers_the_events_the_architecture_page_lists():
    assert subscribers.lessons_at_gate in events.receivers_of(events.gate_resolved)
    assert subscribers.lessons_at_iteration_close in events.receivers_of(events.iteration_closed)
    with open("docs/architecture.md", encoding="utf-8") as page:
        text = page.read()
    for name in ("lessons_at_gate", "lessons_at_iteration_close"):
        assert f"lessons.subscribers.{name}" in text
