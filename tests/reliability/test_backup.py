"""``flask backup`` and ``flask restore`` on both engines: back up a database full of demo
data, restore it into an empty database, and find every row and an intact audit trail."""

from __future__ import annotations

import os

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL, WORKER, fresh_database, require_backend
from tracker import create_app
from tracker.backup import services as backups
from tracker.extensions import db as _db


def _app(url, options, instance):
    os.environ["TRACKER_INSTANCE_PATH"] = str(instance)
    return create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": options,
        }
    )


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def _counts(app):
    with app.app_context():
        counts = backups.table_counts()
        _db.engine.dispose()
        return counts


@pytest.fixture(params=["sqlite", "postgresql"])
def source(request, tmp_path_factory):
    """A migrated database holding the demo data."""
    require_backend(request.param)
    url, options = fresh_database(request.param, tmp_path_factory, "backupsrc")
    app = _app(url, options, tmp_path_factory.mktemp("backup-src"))
    with app.app_context():
        upgrade()
    result = _cli(app, "demo", "load")
    assert result.exit_code == 0, result.output
    yield request.param, app, options
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def empty_target(source, tmp_path_factory):
    """An app on a brand-new, empty database (no tables at all)."""
    backend, _, options = source
    instance = tmp_path_factory.mktemp("backup-target")
    if backend == "sqlite":
        app = _app(f"sqlite:///{instance / 'restored.sqlite'}", {}, instance)
        yield app
        with app.app_context():
            _db.engine.dispose()
        return
    name = f"gt_restore_{WORKER}_{os.getpid()}".lower()
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    app = _app(url, options, instance)  # same search_path: the schema the backup holds
    yield app
    with app.app_context():
        _db.engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_backup_then_restore_into_an_empty_database_finds_everything(
    source, empty_target, tmp_path
):
    _, app, _ = source
    file = tmp_path / "tracker.backup"
    result = _cli(app, "backup", str(file))
    assert result.exit_code == 0, result.output
    assert file.stat().st_size > 0
    before = _counts(app)
    assert before["projects"] > 0 and before["audit_entries"] > 0

    # The backup is a snapshot: later changes to the source are not in it.
    with app.app_context():
        _db.session.execute(text("DELETE FROM notifications"))
        _db.session.commit()

    result = _cli(empty_target, "restore", str(file))
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    assert _counts(empty_target) == before
    verify = _cli(empty_target, "audit", "verify")
    assert verify.exit_code == 0, verify.output
    assert f"{before['audit_entries']} entries verified" in verify.output


def test_restore_refuses_a_database_with_data_unless_forced(source, tmp_path):
    _, app, _ = source
    file = tmp_path / "tracker.backup"
    assert _cli(app, "backup", str(file)).exit_code == 0
    before = _counts(app)
    with app.app_context():
        _db.session.execute(text("DELETE FROM notifications"))
        _db.session.commit()
    refused = _cli(app, "restore", str(file))
    assert refused.exit_code == 1
    assert "already holds data" in refused.output
    assert _counts(app)["notifications"] == 0  # untouched
    forced = _cli(app, "restore", "--force", str(file))
    assert forced.exit_code == 0, forced.output
    assert _counts(app) == before
    assert _cli(app, "audit", "verify").exit_code == 0


def test_backup_never_overwrites_a_file_and_restore_refuses_a_foreign_file(source, tmp_path):
    _, app, _ = source
    existing = tmp_path / "existing"
    existing.write_text("keep me")
    result = _cli(app, "backup", str(existing))
    assert result.exit_code == 1 and "already exists" in result.output
    assert existing.read_text() == "keep me"
    foreign = tmp_path / "foreign.backup"
    foreign.write_bytes(b"this is not a backup")
    refused = _cli(app, "restore", "--force", str(foreign))
    assert refused.exit_code == 1
    assert "not a" in refused.output
    missing = _cli(app, "restore", str(tmp_path / "nowhere"))
    assert missing.exit_code == 1 and "no backup file" in missing.output
