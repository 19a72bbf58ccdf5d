"""Two PMO officers acting on one framework at the same moment, on PostgreSQL with real
concurrent sessions: one draft is started, a draft is published once, and the loser is told
why."""

from __future__ import annotations

import threading
import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from tests.conftest import make_app, require_backend
from tracker.audit.models import AuditEntry
from tracker.auth import services as users
from tracker.core.errors import RuleError
from tracker.extensions import db
from tracker.frameworks import services
from tracker.frameworks.models import FrameworkVersion, GovernanceFramework

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_app(tmp_path_factory):
    require_backend("postgresql")
    app = make_app("postgresql", tmp_path_factory, "frameworksrace")
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _together(app, action, count=2) -> list[str]:
    """``action(index)`` in ``count`` threads, each in its own session, released at once."""
    barrier = threading.Barrier(count)
    results = [""] * count

    def run(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                action(index)
                db.session.commit()
                results[index] = "ok"
            except RuleError as error:
                db.session.rollback()
                results[index] = str(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _setup(app) -> dict:
    with app.app_context():
        label = uuid.uuid4().hex[:6]
        officers = [
            users.create_user(
                email=f"pmo{n}-{label}@example.gov.uk",
                name=f"PMO {n}",
                password="correct horse battery",
                global_role="pmo",
            )
            for n in range(2)
        ]
        council = db.session.scalars(
            select(GovernanceFramework).where(GovernanceFramework.name == "Council gateways 0 to 3")
        ).one()
        draft = services.copy_framework(
            services.latest_published(council.id), name=f"Race {label}", actor=officers[0]
        )
        db.session.commit()
        return {
            "officers": [o.id for o in officers],
            "framework": draft.framework_id,
            "draft": draft.id,
        }


def test_a_draft_is_published_once_when_two_officers_press_publish_together(pg_app):
    ids = _setup(pg_app)
    with pg_app.app_context():
        stamp = db.session.get(GovernanceFramework, ids["framework"]).version

    def publish(index: int) -> None:
        from tracker.auth.models import User

        services.publish(
            db.session.get(FrameworkVersion, ids["draft"]),
            stamp=stamp,
            actor=db.session.get(User, ids["officers"][index]),
        )

    results = _together(pg_app, publish)
    assert sorted(results)[-1] == "ok" and results.count("ok") == 1, results
    with pg_app.app_context():
        assert db.session.get(FrameworkVersion, ids["draft"]).status == "published"
        published = db.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action == "framework.published", AuditEntry.object_id == ids["draft"]
            )
        )
        assert published == 1


def test_two_officers_starting_a_draft_together_get_one(pg_app):
    ids = _setup(pg_app)
    with pg_app.app_context():
        from tracker.auth.models import User

        first = db.session.get(User, ids["officers"][0])
        services.publish(db.session.get(FrameworkVersion, ids["draft"]), stamp=None, actor=first)
        db.session.commit()

    def start(index: int) -> None:
        from tracker.auth.models import User

        services.start_draft(
            db.session.get(GovernanceFramework, ids["framework"]),
            actor=db.session.get(User, ids["officers"][index]),
        )

    results = _together(pg_app, start)
    assert results.count("ok") == 1, results
    assert any("already has a draft" in r for r in results), results
    with pg_app.app_context():
        drafts = db.session.scalar(
            select(func.count(FrameworkVersion.id)).where(
                FrameworkVersion.framework_id == ids["framework"],
                FrameworkVersion.status == "draft",
            )
        )
        assert drafts == 1
