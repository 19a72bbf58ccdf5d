"""business cases: versions with the five cases and their figures; the version a gate
template asks for

Revision ID: 0026_business_cases
Revises: 0025_board_packs

Four new tables, and two columns on gate_templates (the business case version due, for
medium and large projects and for small ones). The shipped council framework's gateways
ask for the SOC at Gateway 1 (a BJC from small projects), the OBC at 2 and the FBC at 3.
"""

import sqlalchemy as sa
from alembic import op

revision = "0026_business_cases"
down_revision = "0026_proposals"
branch_labels = None
depends_on = None

COUNCIL = "Council gateways 0 to 3"
DUE = {"gateway-1": ("soc", "bjc"), "gateway-2": ("obc", None), "gateway-3": ("fbc", None)}
MONEY = sa.Numeric(14, 2)


def upgrade() -> None:
    op.add_column("gate_templates", sa.Column("business_case_due", sa.String(10), nullable=True))
    op.add_column(
        "gate_templates", sa.Column("business_case_due_small", sa.String(10), nullable=True)
    )
    bind = op.get_bind()
    for key, (due, small) in DUE.items():
        bind.execute(
            sa.text(
                "UPDATE gate_templates SET business_case_due = :due, "
                "business_case_due_small = :small WHERE key = :key AND framework_version_id IN "
                "(SELECT v.id FROM framework_versions v JOIN governance_frameworks f "
                "ON f.id = v.framework_id WHERE f.name = :name)"
            ),
            {"due": due, "small": small, "key": key, "name": COUNCIL},
        )

    op.create_table(
        "business_case_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("strategic", sa.Text(), nullable=False),
        sa.Column("economic", sa.Text(), nullable=False),
        sa.Column("commercial", sa.Text(), nullable=False),
        sa.Column("financial", sa.Text(), nullable=False),
        sa.Column("management", sa.Text(), nullable=False),
        sa.Column("discount_rate", sa.Numeric(6, 4), nullable=False),
        sa.Column("preferred_option", sa.Integer(), nullable=True),
        sa.Column("based_on_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("frozen_by_id", sa.Integer(), nullable=True),
        sa.Column("gate_review_id", sa.Integer(), nullable=True),
        sa.Column("manager_justified", sa.Boolean(), nullable=True),
        sa.Column("board_justified", sa.Boolean(), nullable=True),
        sa.Column("judgement_note", sa.Text(), nullable=True),
        sa.Column("judged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("judged_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("number >= 1", name=op.f("ck_business_case_versions_number_positive")),
        sa.CheckConstraint(
            "kind IN ('soc', 'obc', 'fbc', 'bjc')",
            name=op.f("ck_business_case_versions_kind_known"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'frozen')", name=op.f("ck_business_case_versions_status_known")
        ),
        sa.CheckConstraint(
            "status = 'draft' OR frozen_at IS NOT NULL",
            name=op.f("ck_business_case_versions_frozen_has_date"),
        ),
        sa.CheckConstraint(
            "discount_rate >= 0 AND discount_rate <= 0.2",
            name=op.f("ck_business_case_versions_rate_range"),
        ),
        sa.CheckConstraint(
            "preferred_option IS NULL OR preferred_option >= 1",
            name=op.f("ck_business_case_versions_preferred_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_business_case_versions_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["based_on_id"],
            ["business_case_versions.id"],
            name=op.f("fk_business_case_versions_based_on_id_business_case_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_business_case_versions_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["frozen_by_id"],
            ["users.id"],
            name=op.f("fk_business_case_versions_frozen_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["judged_by_id"],
            ["users.id"],
            name=op.f("fk_business_case_versions_judged_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["gate_review_id"],
            ["gate_reviews.id"],
            name=op.f("fk_business_case_versions_gate_review_id_gate_reviews"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_case_versions")),
        sa.UniqueConstraint(
            "project_id", "number", name=op.f("uq_business_case_versions_project_id_number")
        ),
    )
    op.create_index(
        op.f("ix_business_case_versions_project_id"), "business_case_versions", ["project_id"]
    )
    op.create_index(
        op.f("ix_business_case_versions_gate_review_id"),
        "business_case_versions",
        ["gate_review_id"],
    )
    op.create_index(
        "uq_business_case_versions_one_draft",
        "business_case_versions",
        ["project_id"],
        unique=True,
        sqlite_where=sa.text("status = 'draft'"),
        postgresql_where=sa.text("status = 'draft'"),
    )

    op.create_table(
        "business_case_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_version_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.CheckConstraint("number >= 1", name=op.f("ck_business_case_options_number_positive")),
        sa.ForeignKeyConstraint(
            ["case_version_id"],
            ["business_case_versions.id"],
            name=op.f("fk_business_case_options_case_version_id_business_case_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_case_options")),
        sa.UniqueConstraint(
            "case_version_id",
            "number",
            name=op.f("uq_business_case_options_case_version_id_number"),
        ),
    )
    op.create_index(
        op.f("ix_business_case_options_case_version_id"),
        "business_case_options",
        ["case_version_id"],
    )

    op.create_table(
        "business_case_flows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("cost", MONEY, nullable=False),
        sa.Column("benefit", MONEY, nullable=False),
        sa.CheckConstraint(
            "year >= 0 AND year <= 60", name=op.f("ck_business_case_flows_year_range")
        ),
        sa.CheckConstraint("cost >= 0", name=op.f("ck_business_case_flows_cost_not_negative")),
        sa.CheckConstraint(
            "benefit >= 0", name=op.f("ck_business_case_flows_benefit_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["option_id"],
            ["business_case_options.id"],
            name=op.f("fk_business_case_flows_option_id_business_case_options"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_case_flows")),
        sa.UniqueConstraint(
            "option_id", "year", name=op.f("uq_business_case_flows_option_id_year")
        ),
    )
    op.create_index(op.f("ix_business_case_flows_option_id"), "business_case_flows", ["option_id"])

    op.create_table(
        "business_case_funding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_version_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "source IN ('capital', 'revenue', 'grant', 'partner')",
            name=op.f("ck_business_case_funding_source_known"),
        ),
        sa.CheckConstraint(
            "amount >= 0", name=op.f("ck_business_case_funding_amount_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["case_version_id"],
            ["business_case_versions.id"],
            name=op.f("fk_business_case_funding_case_version_id_business_case_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_case_funding")),
        sa.UniqueConstraint(
            "case_version_id",
            "source",
            name=op.f("uq_business_case_funding_case_version_id_source"),
        ),
    )
    op.create_index(
        op.f("ix_business_case_funding_case_version_id"),
        "business_case_funding",
        ["case_version_id"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_business_case_funding_case_version_id"), table_name="business_case_funding"
    )
    op.drop_table("business_case_funding")
    op.drop_index(op.f("ix_business_case_flows_option_id"), table_name="business_case_flows")
    op.drop_table("business_case_flows")
    op.drop_index(
        op.f("ix_business_case_options_case_version_id"), table_name="business_case_options"
    )
    op.drop_table("business_case_options")
    op.drop_index("uq_business_case_versions_one_draft", table_name="business_case_versions")
    op.drop_index(
        op.f("ix_business_case_versions_gate_review_id"), table_name="business_case_versions"
    )
    op.drop_index(op.f("ix_business_case_versions_project_id"), table_name="business_case_versions")
    op.drop_table("business_case_versions")
    op.drop_column("gate_templates", "business_case_due_small")
    op.drop_column("gate_templates", "business_case_due")
