"""The schema comes from Alembic only: the migrations build it, undo it, and match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.conftest import make_app
from tracker.extensions import db


def _differences(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_models_and_migrations_agree(app):
    assert _differences(app) == []


def test_every_migration_downgrades_and_upgrades_again(backend, tmp_path_factory):
    app = make_app(backend, tmp_path_factory, "roundtrip")
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "projects", "audit_entries", "organisations"} <= tables
        downgrade(revision="base")
        db.engine.dispose()
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()
    try:
        assert _differences(app) == []
    finally:
        # A pooled PostgreSQL connection left open warns when the app is garbage-collected,
        # which fails whichever test happens to be running then.
        with app.app_context():
            db.engine.dispose()
