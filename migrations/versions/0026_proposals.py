"""proposals: intake before a project exists, strategic-fit criteria and scores, the
prioritisation board and its decisions

Revision ID: 0026_proposals
Revises: 0025_board_packs

New tables only; nothing else changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0026_proposals"
down_revision = "0026_benefits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fit_criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("scale_max", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("scale_max BETWEEN 2 AND 10", name=op.f("ck_fit_criteria_scale_range")),
        sa.CheckConstraint("weight BETWEEN 1 AND 100", name=op.f("ck_fit_criteria_weight_range")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_fit_criteria_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fit_criteria")),
        sa.UniqueConstraint("name", name=op.f("uq_fit_criteria_name")),
    )
    op.create_table(
        "prioritisation_board_members",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name=op.f("fk_prioritisation_board_members_added_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_prioritisation_board_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_prioritisation_board_members")),
    )
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("lead_organisation_id", sa.Integer(), nullable=True),
        sa.Column("rough_cost", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=True),
        sa.Column("finish_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("proposer_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assessment", sa.Text(), nullable=True),
        sa.Column("recommended_method", sa.String(length=20), nullable=True),
        sa.Column("zone", sa.String(length=20), nullable=True),
        sa.Column("model_version", sa.String(length=20), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("deferred_until", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'deferred', 'approved', 'rejected')",
            name=op.f("ck_proposals_status_known"),
        ),
        sa.CheckConstraint(
            "rough_cost IS NULL OR rough_cost >= 0", name=op.f("ck_proposals_cost_not_negative")
        ),
        sa.CheckConstraint(
            "start_on IS NULL OR finish_on IS NULL OR finish_on >= start_on",
            name=op.f("ck_proposals_finish_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["lead_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_proposals_lead_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_proposals_project_id_projects"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposer_id"], ["users.id"], name=op.f("fk_proposals_proposer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
        sa.UniqueConstraint("project_id", name=op.f("uq_proposals_project_id")),
    )
    op.create_index(
        op.f("ix_proposals_lead_organisation_id"),
        "proposals",
        ["lead_organisation_id"],
        unique=False,
    )
    op.create_index(op.f("ix_proposals_proposer_id"), "proposals", ["proposer_id"], unique=False)
    op.create_index("ix_proposals_status", "proposals", ["status"], unique=False)

    op.create_table(
        "proposal_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("defer_until", sa.Date(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision <> 'defer' OR defer_until IS NOT NULL",
            name=op.f("ck_proposal_decisions_defer_has_date"),
        ),
        sa.CheckConstraint(
            "decision IN ('approve', 'defer', 'reject')",
            name=op.f("ck_proposal_decisions_decision_known"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_proposal_decisions_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_decisions_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_decisions")),
        sa.UniqueConstraint(
            "proposal_id", "sequence", name=op.f("uq_proposal_decisions_proposal_id_sequence")
        ),
    )
    op.create_table(
        "proposal_funding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("is_confirmed", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "source IN ('capital', 'revenue', 'grant', 'partner')",
            name=op.f("ck_proposal_funding_source_known"),
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_proposal_funding_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_funding_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_funding")),
        sa.UniqueConstraint(
            "proposal_id", "source", name=op.f("uq_proposal_funding_proposal_id_source")
        ),
    )
    op.create_table(
        "proposal_partners",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_proposal_partners_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_partners_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "proposal_id", "organisation_id", name=op.f("pk_proposal_partners")
        ),
    )
    op.create_table(
        "proposal_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("scorer_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 10", name=op.f("ck_proposal_scores_score_range")),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["fit_criteria.id"],
            name=op.f("fk_proposal_scores_criterion_id_fit_criteria"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_scores_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scorer_id"], ["users.id"], name=op.f("fk_proposal_scores_scorer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_scores")),
        sa.UniqueConstraint(
            "proposal_id",
            "criterion_id",
            "scorer_id",
            name=op.f("uq_proposal_scores_proposal_id_criterion_id_scorer_id"),
        ),
    )
    op.create_index(
        op.f("ix_proposal_scores_criterion_id"), "proposal_scores", ["criterion_id"], unique=False
    )
    op.create_index(
        op.f("ix_proposal_scores_scorer_id"), "proposal_scores", ["scorer_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_proposal_scores_scorer_id"), table_name="proposal_scores")
    op.drop_index(op.f("ix_proposal_scores_criterion_id"), table_name="proposal_scores")

    op.drop_table("proposal_scores")
    op.drop_table("proposal_partners")
    op.drop_table("proposal_funding")
    op.drop_table("proposal_decisions")
    op.drop_index("ix_proposals_status", table_name="proposals")
    op.drop_index(op.f("ix_proposals_proposer_id"), table_name="proposals")
    op.drop_index(op.f("ix_proposals_lead_organisation_id"), table_name="proposals")

    op.drop_table("proposals")
    op.drop_table("prioritisation_board_members")
    op.drop_table("fit_criteria")
