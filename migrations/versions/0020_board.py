"""board: conditions of an approval as actions, delivery confidence assessments, documents

Revision ID: 0020_board
Revises: 0017_start_authorised

Three new tables, and four new kinds of notification (an overdue condition, a confidence
assessment turning Red, a highlight report sent, an exception raised) in the CHECK constraints of the inbox and the email opt-outs. Those
two tables are referenced by no foreign key, so batch mode may copy them on SQLite.
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_board"
down_revision = "0023_backlog_order"
branch_labels = None
depends_on = None

OLD_KINDS = (
    "gate_requested",
    "gate_resolved",
    "approval_reminder",
    "iteration_feedback",
    "highlight_due",
    "reassess",
)
ADDED_KINDS = ("condition_overdue", "dca_red", "highlight_sent", "exception_raised")
NEW_KINDS = (*OLD_KINDS, *ADDED_KINDS)


def _kinds(kinds) -> str:
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def _set_kinds(old, new) -> None:
    """Widen (or narrow back) the kinds a notification may have.

    On SQLite the stored table definition is rewritten in place (SQLite documents this for
    loosening a CHECK constraint): copying the table in batch mode would drop it under the
    email outbox's foreign key to notifications.
    """
    bind = op.get_bind()
    for table in ("notifications", "email_opt_outs"):
        if bind.dialect.name == "sqlite":
            stored = bind.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).scalar_one()
            if _kinds(old) not in stored:
                raise RuntimeError(f"{table} has no constraint {_kinds(old)!r} to replace")
            version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
            bind.exec_driver_sql("PRAGMA writable_schema = ON")
            bind.exec_driver_sql(
                "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                (stored.replace(_kinds(old), _kinds(new)), table),
            )
            bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
            bind.exec_driver_sql("PRAGMA writable_schema = OFF")
        else:
            op.drop_constraint(op.f(f"ck_{table}_kind_known"), table, type_="check")
            op.create_check_constraint(op.f(f"ck_{table}_kind_known"), table, _kinds(new))


def upgrade():
    op.create_table(
        "confidence_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("gate_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("rating", sa.String(length=12), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("assessed_by_id", sa.Integer(), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(role = 'assurance') = (gate_id IS NULL)",
            name=op.f("ck_confidence_assessments_gate_if_board"),
        ),
        sa.CheckConstraint(
            "rating IN ('green', 'amber_green', 'amber', 'amber_red', 'red')",
            name=op.f("ck_confidence_assessments_rating_known"),
        ),
        sa.CheckConstraint(
            "role IN ('executive', 'senior_user', 'senior_supplier', 'assurance')",
            name=op.f("ck_confidence_assessments_role_known"),
        ),
        sa.ForeignKeyConstraint(
            ["assessed_by_id"],
            ["users.id"],
            name=op.f("fk_confidence_assessments_assessed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["gate_id"],
            ["gate_reviews.id"],
            name=op.f("fk_confidence_assessments_gate_id_gate_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_confidence_assessments_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_confidence_assessments")),
        sa.UniqueConstraint(
            "gate_id",
            "assessed_by_id",
            name=op.f("uq_confidence_assessments_gate_id_assessed_by_id"),
        ),
    )
    with op.batch_alter_table("confidence_assessments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_confidence_assessments_project_at", ["project_id", "assessed_at"], unique=False
        )

    op.create_table(
        "gate_conditions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("gate_id", sa.Integer(), nullable=False),
        sa.Column("set_by_role", sa.String(length=30), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status = 'open' OR (explanation IS NOT NULL AND resolved_by_id IS NOT NULL AND resolved_at IS NOT NULL)",
            name=op.f("ck_gate_conditions_settled_explained"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'met', 'waived')", name=op.f("ck_gate_conditions_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["gate_id"],
            ["gate_reviews.id"],
            name=op.f("fk_gate_conditions_gate_id_gate_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_gate_conditions_owner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_gate_conditions_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_gate_conditions_resolved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_gate_conditions_set_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gate_conditions")),
    )
    with op.batch_alter_table("gate_conditions", schema=None) as batch_op:
        batch_op.create_index("ix_gate_conditions_gate", ["gate_id"], unique=False)
        batch_op.create_index(
            "ix_gate_conditions_owner_status", ["owner_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_gate_conditions_project_status", ["project_id", "status"], unique=False
        )

    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=10), nullable=False),
        sa.Column("gate_id", sa.Integer(), nullable=True),
        sa.Column("exception_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=100), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(subject = 'gate') = (gate_id IS NOT NULL) AND (subject = 'exception') = (exception_id IS NOT NULL)",
            name=op.f("ck_documents_subject_record"),
        ),
        sa.CheckConstraint(
            "subject IN ('project', 'gate', 'exception')", name=op.f("ck_documents_subject_known")
        ),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_documents_size_positive")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_documents_version_positive")),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"], ["users.id"], name=op.f("fk_documents_deleted_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["exception_id"],
            ["exception_reports.id"],
            name=op.f("fk_documents_exception_id_exception_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["gate_id"],
            ["gate_reviews.id"],
            name=op.f("fk_documents_gate_id_gate_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_documents_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_documents_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_documents_storage_key")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_documents_project", ["project_id", "subject", "title"], unique=False
        )

    _set_kinds(OLD_KINDS, NEW_KINDS)


def downgrade():
    for table in (
        sa.table("notifications", sa.column("kind")),
        sa.table("email_opt_outs", sa.column("kind")),
    ):
        op.execute(sa.delete(table).where(table.c.kind.in_(ADDED_KINDS)))
    _set_kinds(NEW_KINDS, OLD_KINDS)
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_project")
    op.drop_table("documents")
    with op.batch_alter_table("gate_conditions", schema=None) as batch_op:
        batch_op.drop_index("ix_gate_conditions_project_status")
        batch_op.drop_index("ix_gate_conditions_owner_status")
        batch_op.drop_index("ix_gate_conditions_gate")

    op.drop_table("gate_conditions")
    with op.batch_alter_table("confidence_assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_confidence_assessments_project_at")

    op.drop_table("confidence_assessments")
