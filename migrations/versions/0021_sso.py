"""sso: people belong to organisations, sign-in through OpenID providers, temporary passwords

Revision ID: 0021_sso
Revises: 0017_start_authorised

Every person gets an organisation (existing people have none until an administrator moves
them), a flag that makes them choose their own password at their next sign-in, and a
break-glass flag that keeps password sign-in open to them when it is switched off for
everyone else. A person's accounts at OpenID providers are kept by (issuer, subject).
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_sso"
down_revision = "0017_start_authorised"
branch_labels = None
depends_on = None

# On SQLite the columns are added and dropped in place: batch mode would copy and drop the
# users table, which nearly every other table's foreign keys refer to.
FK_NAME = "fk_users_organisation_id_organisations"
INDEX_NAME = "ix_users_organisation_id"


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    if _is_sqlite():
        op.execute(
            "ALTER TABLE users ADD COLUMN organisation_id INTEGER "
            f"CONSTRAINT {FK_NAME} REFERENCES organisations (id)"
        )
        op.execute("ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT 0")
        op.execute("ALTER TABLE users ADD COLUMN is_break_glass BOOLEAN NOT NULL DEFAULT 0")
    else:
        op.add_column("users", sa.Column("organisation_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FK_NAME, "users", "organisations", ["organisation_id"], ["id"])
        op.add_column(
            "users",
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            ),
        )
        op.add_column(
            "users",
            sa.Column("is_break_glass", sa.Boolean(), nullable=False, server_default=sa.false()),
        )
    op.create_index(INDEX_NAME, "users", ["organisation_id"])

    op.create_table(
        "sign_in_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_signed_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_sign_in_identities_user_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_sign_in_identities"),
        sa.UniqueConstraint("issuer", "subject", name="uq_sign_in_identities_issuer_subject"),
    )
    op.create_index("ix_sign_in_identities_user_id", "sign_in_identities", ["user_id"])
    op.create_table(
        "sign_in_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("local_sign_in", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_sign_in_settings_single_row"),
        sa.CheckConstraint(
            "local_sign_in IN ('everyone', 'break_glass')",
            name="ck_sign_in_settings_local_sign_in_known",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_sign_in_settings"),
    )


def downgrade():
    op.drop_table("sign_in_settings")
    op.drop_index("ix_sign_in_identities_user_id", table_name="sign_in_identities")
    op.drop_table("sign_in_identities")
    op.drop_index(INDEX_NAME, table_name="users")
    if _is_sqlite():
        op.execute("ALTER TABLE users DROP COLUMN is_break_glass")
        op.execute("ALTER TABLE users DROP COLUMN must_change_password")
        op.execute("ALTER TABLE users DROP COLUMN organisation_id")
        return
    op.drop_column("users", "is_break_glass")
    op.drop_column("users", "must_change_password")
    op.drop_constraint(FK_NAME, "users", type_="foreignkey")
    op.drop_column("users", "organisation_id")
