"""The inbox, the unread count in the navigation, marking read, and email choices."""

from __future__ import annotations

from flask_sqlalchemy.record_queries import get_recorded_queries
from sqlalchemy import event, func, insert, select

from tracker.audit.models import AuditEntry
from tracker.core.unit_of_work import CONFLICT_MESSAGE
from tracker.notifications import services as notifications
from tracker.notifications.models import KINDS, EmailOptOut, Notification


def _notify(db, user, title="A gate needs your decision", **kwargs):
    note = notifications.notify(user, "gate_requested", title, "Body text", **kwargs)
    db.session.commit()
    return note


def test_the_navigation_shows_the_unread_count(client, login, db, make_user):
    person = make_user()
    login(person)
    page = client.get("/projects/").get_data(as_text=True)
    assert 'href="/notifications"' in page
    assert "unread" not in page
    _notify(db, person)
    _notify(db, person, "Another")
    page = client.get("/projects/").get_data(as_text=True)
    assert "Inbox (2 unread)" in page


def test_the_inbox_lists_only_my_notifications_unread_first(client, login, db, make_user):
    me, other = make_user(), make_user()
    read = _notify(db, me, "Old and read")
    notifications.mark_read(me, read)
    _notify(db, me, "New <b>and</b> unread", link="/decisions")
    _notify(db, other, "Someone else's")
    login(me)
    response = client.get("/notifications")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Someone else" not in page
    assert "New &lt;b&gt;and&lt;/b&gt; unread" in page
    assert page.index("New &lt;b&gt;") < page.index("Old and read")
    assert 'href="/decisions"' in page
    assert "You have 1 unread notification." in page


def test_marking_one_as_read(client, login, db, make_user):
    me = make_user()
    note = _notify(db, me)
    login(me)
    response = client.post(f"/notifications/{note.id}/read")
    assert response.status_code == 302
    assert db.session.get(Notification, note.id).read_at is not None
    assert "unread" not in client.get("/projects/").get_data(as_text=True)


def test_marking_someone_elses_is_not_found_and_changes_nothing(client, login, db, make_user):
    me, other = make_user(), make_user()
    theirs = _notify(db, other)
    login(me)
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    assert db.session.get(Notification, theirs.id).read_at is None


def test_mark_all_as_read_touches_only_mine(client, login, db, make_user):
    me, other = make_user(), make_user()
    for n in range(3):
        _notify(db, me, f"Mine {n}")
    theirs = _notify(db, other)
    login(me)
    response = client.post("/notifications/read-all", follow_redirects=True)
    assert "Marked 3 notifications as read." in response.get_data(as_text=True)
    unread = db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == me.id, Notification.read_at.is_(None)
        )
    )
    assert unread == 0
    assert db.session.get(Notification, theirs.id).read_at is None


def test_the_inbox_pages_and_queries_stay_flat(client, login, db, make_user, app):
    me = make_user()
    for n in range(30):
        notifications.notify(me, "gate_requested", f"Note {n}")
    db.session.commit()
    login(me)
    client.get("/notifications")
    before = len(get_recorded_queries())
    response = client.get("/notifications?page=2")
    queries = len(get_recorded_queries()) - before
    assert response.status_code == 200
    assert "Note 4" in response.get_data(as_text=True)
    assert queries <= 8


def test_choosing_emails(client, login, db, make_user):
    me = make_user()
    login(me)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert all(label in page for label in KINDS.values())
    response = client.post(
        "/notifications/settings", data={"email_kinds": ["gate_requested", "approval_reminder"]}
    )
    assert response.status_code == 302
    assert notifications.email_kinds(me) == ["gate_requested", "approval_reminder"]
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "notifications.email_choices_changed")
    ).one()
    assert entry.object_id == me.id
    # Nothing ticked: no emails at all.
    client.post("/notifications/settings", data={})
    assert notifications.email_kinds(me) == []


def test_a_made_up_email_choice_is_refused_and_nothing_saved(client, login, db, make_user):
    me = make_user()
    login(me)
    response = client.post(
        "/notifications/settings", data={"email_kinds": ["gate_requested", "<script>x</script>"]}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose the emails you want from the list" in page
    assert "<script>x</script>" not in page
    assert db.session.scalar(select(func.count()).select_from(EmailOptOut)) == 0


def test_email_choices_saved_in_two_tabs_at_once_show_the_conflict_message(
    client, login, db, make_user
):
    """The other tab's choice lands between this save clearing the old choices and storing
    the new ones: the primary key catches it, the page says so, and nothing of this save is
    kept (no choices, no audit entry; the other tab's row is written inside this request's
    savepoint here, so it goes too)."""
    me = make_user()
    login(me)
    dropped, *kept = KINDS

    def other_tab_saves(session, flush_context, instances):
        session.connection().execute(
            insert(EmailOptOut.__table__).values(user_id=me.id, kind=dropped)
        )

    event.listen(db.session(), "before_flush", other_tab_saves, once=True)
    response = client.post("/notifications/settings", data={"email_kinds": kept})
    assert response.status_code == 400
    assert CONFLICT_MESSAGE in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(EmailOptOut)) == 0
    changed = select(AuditEntry).where(AuditEntry.action == "notifications.email_choices_changed")
    assert db.session.scalars(changed).all() == []
