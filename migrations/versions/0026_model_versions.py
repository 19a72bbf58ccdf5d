"""model versions: the method model's thresholds as published versions, the first being
the model as published (2026.1)

Revision ID: 0026_model_versions
Revises: 0025_board_packs

One new table and its first row; nothing else changes.
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0026_model_versions"
down_revision = "0026_business_cases"
branch_labels = None
depends_on = None

FIRST = {
    "clear_below": 20,
    "complex_from": 40,
    "chaotic_from": 60,
    "axis_complex_from": 75,
    "feasibility_low": 40,
    "feasibility_high": 60,
}


def upgrade() -> None:
    table = op.create_table(
        "method_model_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("thresholds", sa.Text(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_method_model_versions_published_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_method_model_versions")),
        sa.UniqueConstraint("version", name=op.f("uq_method_model_versions_version")),
    )
    published_at = datetime(2026, 1, 1, tzinfo=UTC)
    if op.get_bind().dialect.name == "sqlite":
        published_at = published_at.replace(tzinfo=None)  # SQLite keeps UTC naive
    op.bulk_insert(
        table,
        [
            {
                "version": "2026.1",
                "thresholds": json.dumps(FIRST, sort_keys=True),
                "reasons": "The model as first published (docs: the method model, 2026.1).",
                "published_at": published_at,
                "published_by_id": None,
            }
        ],
    )


def downgrade() -> None:
    op.drop_table("method_model_versions")
