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


def _row_counts(tables) -> dict[str, int]:
    with db.engine.connect() as connection:
        return {
            table: connection.exec_driver_sql(f'SELECT COUNT(*) FROM "{table}"').scalar_one()
            for table in sorted(tables)
        }


def test_a_populated_database_keeps_every_row_through_this_rounds_migrations(
    backend, tmp_path_factory
):
    """Upgrading a database in use (the demo portfolio) from the last round's schema loses
    nothing: on SQLite a column added by copying a table would drop that table, deleting
    (ON DELETE CASCADE) or refusing every row that refers to it."""
    app = make_app(backend, tmp_path_factory, "populated")
    try:
        with app.app_context():
            upgrade()
            result = app.test_cli_runner().invoke(args=["demo", "load"])
            assert result.exit_code == 0, result.output
            db.session.remove()
            db.engine.dispose()
            downgrade(revision="0013_portfolio")
            db.engine.dispose()
            old_tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
            before = _row_counts(old_tables)
            assert before["projects"] > 0 and before["exception_options"] > 0
            upgrade()
            db.engine.dispose()
            after = _row_counts(old_tables)
        assert after == before
        assert _differences(app) == []
    finally:
        with app.app_context():
            db.engine.dispose()
