"""lifecycle: governance frameworks the PMO edits, and the version each project follows

Revision ID: 0019_lifecycle
Revises: 0017_start_authorised

Creates the framework tables and seeds version 1 of the three shipped frameworks (PRINCE2
stage boundaries, the default; GDS service phases; council gateways 0 to 3) from
``tracker.frameworks.catalogue``. Every existing project follows PRINCE2 version 1, which
gives exactly the regime the fixed table gave it before. No existing table changes.
"""

import sqlalchemy as sa
from alembic import op

from tracker.db import UTCDateTime, utcnow

revision = "0019_lifecycle"
down_revision = "0024_scheduler_lease"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "governance_frameworks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("copied_from_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("edited_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["copied_from_id"],
            ["governance_frameworks.id"],
            name=op.f("fk_governance_frameworks_copied_from_id_governance_frameworks"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_governance_frameworks_created_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_governance_frameworks")),
        sa.UniqueConstraint("name", name=op.f("uq_governance_frameworks_name")),
    )
    op.create_table(
        "framework_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("based_on_id", sa.Integer(), nullable=True),
        sa.Column("change_summary", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("number >= 1", name=op.f("ck_framework_versions_number_positive")),
        sa.CheckConstraint(
            "status IN ('draft', 'published')", name=op.f("ck_framework_versions_status_known")
        ),
        sa.CheckConstraint(
            "status = 'draft' OR published_at IS NOT NULL",
            name=op.f("ck_framework_versions_published_has_date"),
        ),
        sa.ForeignKeyConstraint(
            ["based_on_id"],
            ["framework_versions.id"],
            name=op.f("fk_framework_versions_based_on_id_framework_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_framework_versions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["governance_frameworks.id"],
            name=op.f("fk_framework_versions_framework_id_governance_frameworks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_framework_versions_published_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_versions")),
        sa.UniqueConstraint(
            "framework_id", "number", name=op.f("uq_framework_versions_framework_id_number")
        ),
    )
    op.create_index(
        op.f("ix_framework_versions_framework_id"), "framework_versions", ["framework_id"]
    )
    op.create_table(
        "framework_tailoring",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("gates", sa.String(length=20), nullable=False),
        sa.Column("highlight_every_months", sa.Integer(), nullable=False),
        sa.Column("budget_checkpoint_every_months", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "level IN ('small', 'medium', 'large')", name=op.f("ck_framework_tailoring_level_known")
        ),
        sa.CheckConstraint(
            "gates IN ('start_and_close', 'every_boundary')",
            name=op.f("ck_framework_tailoring_gates_known"),
        ),
        sa.CheckConstraint(
            "highlight_every_months BETWEEN 1 AND 12",
            name=op.f("ck_framework_tailoring_highlight_range"),
        ),
        sa.CheckConstraint(
            "budget_checkpoint_every_months BETWEEN 1 AND 12",
            name=op.f("ck_framework_tailoring_checkpoint_range"),
        ),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_framework_tailoring_framework_version_id_framework_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_tailoring")),
        sa.UniqueConstraint(
            "framework_version_id",
            "level",
            name=op.f("uq_framework_tailoring_framework_version_id_level"),
        ),
    )
    op.create_index(
        op.f("ix_framework_tailoring_framework_version_id"),
        "framework_tailoring",
        ["framework_version_id"],
    )
    op.create_table(
        "gate_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("falls_at", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "falls_at IN ('project_start', 'stage_boundary', 'phase_boundary', 'release', 'closure')",
            name=op.f("ck_gate_templates_falls_at_known"),
        ),
        sa.CheckConstraint("position >= 1", name=op.f("ck_gate_templates_position_positive")),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_gate_templates_framework_version_id_framework_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gate_templates")),
        sa.UniqueConstraint(
            "framework_version_id", "key", name=op.f("uq_gate_templates_framework_version_id_key")
        ),
    )
    op.create_index(
        op.f("ix_gate_templates_framework_version_id"), "gate_templates", ["framework_version_id"]
    )
    op.create_table(
        "gate_template_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gate_template_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("evidence_required", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('checklist', 'document')", name=op.f("ck_gate_template_items_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["gate_template_id"],
            ["gate_templates.id"],
            name=op.f("fk_gate_template_items_gate_template_id_gate_templates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gate_template_items")),
    )
    op.create_index(
        op.f("ix_gate_template_items_gate_template_id"), "gate_template_items", ["gate_template_id"]
    )
    op.create_table(
        "gate_template_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gate_template_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.CheckConstraint(
            "level IN ('small', 'medium', 'large')", name=op.f("ck_gate_template_roles_level_known")
        ),
        sa.CheckConstraint(
            "role IN ('executive', 'senior_user', 'senior_supplier')",
            name=op.f("ck_gate_template_roles_role_known"),
        ),
        sa.ForeignKeyConstraint(
            ["gate_template_id"],
            ["gate_templates.id"],
            name=op.f("fk_gate_template_roles_gate_template_id_gate_templates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gate_template_roles")),
        sa.UniqueConstraint(
            "gate_template_id",
            "level",
            "role",
            name=op.f("uq_gate_template_roles_gate_template_id_level_role"),
        ),
    )
    op.create_index(
        op.f("ix_gate_template_roles_gate_template_id"), "gate_template_roles", ["gate_template_id"]
    )
    op.create_table(
        "project_frameworks",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=False),
        sa.Column("since_at", UTCDateTime(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["users.id"],
            name=op.f("fk_project_frameworks_assigned_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_project_frameworks_framework_version_id_framework_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_frameworks_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_project_frameworks")),
    )
    op.create_index(
        op.f("ix_project_frameworks_framework_version_id"),
        "project_frameworks",
        ["framework_version_id"],
    )
    op.create_table(
        "gate_checklist_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("gate_template_item_id", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.String(length=500), nullable=True),
        sa.Column("confirmed_at", UTCDateTime(), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["users.id"],
            name=op.f("fk_gate_checklist_confirmations_confirmed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["gate_template_item_id"],
            ["gate_template_items.id"],
            name=op.f("fk_gate_checklist_confirmations_gate_template_item_id_gate_template_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_gate_checklist_confirmations_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gate_checklist_confirmations")),
        sa.UniqueConstraint(
            "project_id",
            "gate_template_item_id",
            name=op.f("uq_gate_checklist_confirmations_project_id_gate_template_item_id"),
        ),
    )
    op.create_index(
        op.f("ix_gate_checklist_confirmations_project_id"),
        "gate_checklist_confirmations",
        ["project_id"],
    )
    _seed()


def _seed() -> None:
    """Version 1 of the shipped frameworks, published; every existing project on PRINCE2."""
    from tracker.frameworks.catalogue import SHIPPED

    bind = op.get_bind()
    meta = sa.MetaData()
    meta.reflect(
        bind=bind,
        only=[
            "governance_frameworks",
            "framework_versions",
            "framework_tailoring",
            "gate_templates",
            "gate_template_items",
            "gate_template_roles",
        ],
    )
    frameworks, versions, tailoring, gates, items, roles = (
        meta.tables[name]
        for name in (
            "governance_frameworks",
            "framework_versions",
            "framework_tailoring",
            "gate_templates",
            "gate_template_items",
            "gate_template_roles",
        )
    )
    now = utcnow()
    default_version_id = None
    for index, framework in enumerate(SHIPPED):
        bind.execute(
            frameworks.insert().values(
                name=framework.name,
                description=framework.description,
                is_default=index == 0,
                created_at=now,
                version=1,
            )
        )
        framework_id = bind.scalar(
            sa.select(frameworks.c.id).where(frameworks.c.name == framework.name)
        )
        bind.execute(
            versions.insert().values(
                framework_id=framework_id,
                number=1,
                status="published",
                change_summary=f"First version, with {len(framework.gates)} gates.",
                created_at=now,
                published_at=now,
            )
        )
        version_id = bind.scalar(
            sa.select(versions.c.id).where(versions.c.framework_id == framework_id)
        )
        if index == 0:
            default_version_id = version_id
        for level, row in framework.tailoring.items():
            bind.execute(
                tailoring.insert().values(
                    framework_version_id=version_id,
                    level=level.value,
                    gates=row.gates.value,
                    highlight_every_months=row.highlight_every_months,
                    budget_checkpoint_every_months=row.budget_checkpoint_every_months,
                )
            )
        for position, gate in enumerate(framework.gates, start=1):
            bind.execute(
                gates.insert().values(
                    framework_version_id=version_id,
                    key=gate.key,
                    position=position,
                    name=gate.name,
                    falls_at=gate.falls_at.value,
                    description=gate.description,
                )
            )
            gate_id = bind.scalar(
                sa.select(gates.c.id).where(
                    gates.c.framework_version_id == version_id, gates.c.key == gate.key
                )
            )
            for item_position, item in enumerate(gate.items, start=1):
                bind.execute(
                    items.insert().values(
                        gate_template_id=gate_id,
                        position=item_position,
                        kind=item.kind.value,
                        text=item.text,
                        evidence_required=item.evidence_required,
                    )
                )
            for level, held in gate.roles.items():
                for role in held:
                    bind.execute(
                        roles.insert().values(
                            gate_template_id=gate_id, level=level.value, role=role
                        )
                    )
    bind.execute(
        sa.text(
            "INSERT INTO project_frameworks (project_id, framework_version_id, since_at, version) "
            "SELECT id, :version_id, :now, 1 FROM projects"
        ),
        {
            "version_id": default_version_id,
            "now": now if bind.dialect.name != "sqlite" else now.replace(tzinfo=None),
        },
    )


def downgrade():
    op.drop_index(
        op.f("ix_gate_checklist_confirmations_project_id"),
        table_name="gate_checklist_confirmations",
    )
    op.drop_table("gate_checklist_confirmations")
    op.drop_index(
        op.f("ix_project_frameworks_framework_version_id"), table_name="project_frameworks"
    )
    op.drop_table("project_frameworks")
    op.drop_index(op.f("ix_gate_template_roles_gate_template_id"), table_name="gate_template_roles")
    op.drop_table("gate_template_roles")
    op.drop_index(op.f("ix_gate_template_items_gate_template_id"), table_name="gate_template_items")
    op.drop_table("gate_template_items")
    op.drop_index(op.f("ix_gate_templates_framework_version_id"), table_name="gate_templates")
    op.drop_table("gate_templates")
    op.drop_index(
        op.f("ix_framework_tailoring_framework_version_id"), table_name="framework_tailoring"
    )
    op.drop_table("framework_tailoring")
    op.drop_index(op.f("ix_framework_versions_framework_id"), table_name="framework_versions")
    op.drop_table("framework_versions")
    op.drop_table("governance_frameworks")
