"""registers: the risk register extended (5x5 scoring, threats and opportunities, history),
the issue register, escalations to the board, and change control

Revision ID: 0018_registers
Revises: 0017_start_authorised

The risks table already holds the risks method decisions opened. Its new columns have
server defaults, so those risks read as organisational threats scored 3 x 3 (medium)
until their owner scores them; nothing is guessed beyond that.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_registers"
down_revision = "0020_board"
branch_labels = None
depends_on = None

ACTIONEE_FK = "fk_risks_actionee_id_users"


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


KINDS = ("threat", "opportunity")
CATEGORIES = (
    "technical",
    "organisational",
    "political",
    "economic",
    "legal",
    "commercial",
    "people",
    "environmental",
)
PROXIMITIES = ("imminent", "this_stage", "later_stage", "after_project")
RESPONSES = ("avoid", "reduce", "transfer", "share", "accept", "exploit", "enhance")

# (name, SQL type, NOT NULL default or None, check name, check condition)
RISK_COLUMNS = (
    ("kind", "VARCHAR(12)", "'threat'", "kind_known", _in("kind", KINDS)),
    (
        "category",
        "VARCHAR(20)",
        "'organisational'",
        "category_known",
        _in("category", CATEGORIES),
    ),
    ("cause", "TEXT", "''", None, None),
    ("event", "TEXT", "''", None, None),
    ("effect", "TEXT", "''", None, None),
    ("likelihood", "INTEGER", "3", "likelihood_range", "likelihood BETWEEN 1 AND 5"),
    ("impact", "INTEGER", "3", "impact_range", "impact BETWEEN 1 AND 5"),
    (
        "proximity",
        "VARCHAR(20)",
        None,
        "proximity_known",
        "proximity IS NULL OR " + _in("proximity", PROXIMITIES),
    ),
    (
        "response",
        "VARCHAR(12)",
        None,
        "resp_known",
        "response IS NULL OR " + _in("response", RESPONSES),
    ),
    (
        "target_likelihood",
        "INTEGER",
        None,
        "target_lik_range",
        "target_likelihood IS NULL OR target_likelihood BETWEEN 1 AND 5",
    ),
    (
        "target_impact",
        "INTEGER",
        None,
        "target_imp_range",
        "target_impact IS NULL OR target_impact BETWEEN 1 AND 5",
    ),
    ("review_on", "DATE", None, None, None),
)


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _add_risk_columns() -> None:
    # The risks table is referred to by method decisions: on SQLite the columns are added in
    # place (batch mode would copy and drop the table, and with it every decision's link).
    sqlite = _is_sqlite()
    for name, sql_type, default, check_name, check in RISK_COLUMNS:
        clause = f"ALTER TABLE risks ADD COLUMN {name} {sql_type}"
        if default is not None:
            clause += f" DEFAULT {default} NOT NULL"
        if check is not None and sqlite:
            clause += f" CONSTRAINT ck_risks_{check_name} CHECK ({check})"
        op.execute(clause)
        if check is not None and not sqlite:
            op.create_check_constraint(op.f(f"ck_risks_{check_name}"), "risks", check)
    if sqlite:
        op.execute(
            "ALTER TABLE risks ADD COLUMN actionee_id INTEGER "
            f"CONSTRAINT {ACTIONEE_FK} REFERENCES users (id)"
        )
    else:
        op.add_column("risks", sa.Column("actionee_id", sa.Integer(), nullable=True))
        op.create_foreign_key(ACTIONEE_FK, "risks", "users", ["actionee_id"], ["id"])


OLD_SOURCES = "source IN ('method_decision')"
NEW_SOURCES = "source IN ('method_decision', 'register')"


def _sqlite_replace_check(table: str, old: str, new: str) -> None:
    """Widen a CHECK constraint of ``table`` on SQLite without copying the table.

    SQLite cannot alter a constraint, and copying the table (batch mode) would drop it
    under the foreign keys that refer to it (method decisions to risks, the email outbox to
    notifications). SQLite documents this procedure for loosening a
    CHECK constraint ("Making other kinds of table schema changes", alter table page):
    rewrite the table's stored definition and bump the schema version, in one transaction.
    Only the constraint's text changes; the rows, already valid under the narrower rule,
    stay as they are.
    """
    bind = op.get_bind()
    stored = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    if old not in stored:
        raise RuntimeError(f"{table} has no constraint {old!r} to replace")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
        (stored.replace(old, new), table),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def _replace_check(table: str, name: str, old: str, new: str) -> None:
    if _is_sqlite():
        _sqlite_replace_check(table, old, new)
        return
    op.drop_constraint(op.f(f"ck_{table}_{name}"), table, type_="check")
    op.create_check_constraint(op.f(f"ck_{table}_{name}"), table, new)


OLD_KINDS = (
    "kind IN ('gate_requested', 'gate_resolved', 'approval_reminder', 'iteration_feedback', "
    "'highlight_due', 'reassess', 'condition_overdue', 'dca_red', 'highlight_sent', "
    "'exception_raised')"
)
NEW_KINDS = OLD_KINDS[:-1] + ", 'escalation', 'escalation_answered')"
KIND_TABLES = ("notifications", "email_opt_outs")


REPORT_TABLES = ("highlight_reports", "gate_reviews", "exception_reports")


def upgrade():
    _add_risk_columns()
    # The reports keep the registers' section as it stood when sent. Added in place: gate
    # reviews and exception reports are referred to by their decisions.
    for table in REPORT_TABLES:
        op.add_column(table, sa.Column("registers", sa.Text(), nullable=True))
    # A risk raised by hand on the register says so.
    _replace_check("risks", "source_known", OLD_SOURCES, NEW_SOURCES)
    # The board hears of escalations in its inbox.
    for table in KIND_TABLES:
        _replace_check(table, "kind_known", OLD_KINDS, NEW_KINDS)
    op.create_table(
        "risk_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("from_value", sa.Text(), nullable=True),
        sa.Column("to_value", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"], name=op.f("fk_risk_changes_changed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"],
            ["risks.id"],
            name=op.f("fk_risk_changes_risk_id_risks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_changes")),
    )
    op.create_index(
        "ix_risk_changes_risk_changed", "risk_changes", ["risk_id", "changed_at"], unique=False
    )
    op.create_table(
        "issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            _in("kind", ("request_for_change", "off_specification", "problem", "concern")),
            name=op.f("ck_issues_kind_known"),
        ),
        sa.CheckConstraint(
            _in("status", ("open", "in_progress", "closed")), name=op.f("ck_issues_status_known")
        ),
        sa.CheckConstraint(
            _in("priority", ("high", "medium", "low")), name=op.f("ck_issues_priority_known")
        ),
        sa.CheckConstraint("severity BETWEEN 1 AND 5", name=op.f("ck_issues_severity_range")),
        sa.CheckConstraint(
            "status <> 'closed' OR resolution <> ''",
            name=op.f("ck_issues_closed_has_resolution"),
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_issues_owner_id_users")),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_issues_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"], ["users.id"], name=op.f("fk_issues_raised_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["risks.id"], name=op.f("fk_issues_risk_id_risks"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issues")),
    )
    op.create_index("ix_issues_project_status", "issues", ["project_id", "status"], unique=False)
    op.create_index(op.f("ix_issues_risk_id"), "issues", ["risk_id"], unique=False)
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=True),
        sa.Column("issue_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("escalated_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("responded_by_id", sa.Integer(), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('awaiting', 'answered')", name=op.f("ck_escalations_status_known")
        ),
        sa.CheckConstraint(
            "(risk_id IS NULL) <> (issue_id IS NULL)", name=op.f("ck_escalations_one_entry")
        ),
        sa.CheckConstraint(
            "status <> 'answered' OR (response <> '' AND responded_at IS NOT NULL)",
            name=op.f("ck_escalations_answered_has_response"),
        ),
        sa.ForeignKeyConstraint(
            ["escalated_by_id"], ["users.id"], name=op.f("fk_escalations_escalated_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["issue_id"],
            ["issues.id"],
            name=op.f("fk_escalations_issue_id_issues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_escalations_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["responded_by_id"], ["users.id"], name=op.f("fk_escalations_responded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["risks.id"], name=op.f("fk_escalations_risk_id_risks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
    )
    op.create_index(
        "ix_escalations_status_project", "escalations", ["status", "project_id"], unique=False
    )
    op.create_index(op.f("ix_escalations_risk_id"), "escalations", ["risk_id"], unique=False)
    op.create_index(op.f("ix_escalations_issue_id"), "escalations", ["issue_id"], unique=False)
    _create_change_control()
    _create_assumptions_and_dependencies()
    _create_lessons()


def _create_change_control():
    op.create_table(
        "change_authorities",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("change_budget", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("debited", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "change_budget >= 0", name=op.f("ck_change_authorities_budget_not_negative")
        ),
        sa.CheckConstraint(
            "debited >= 0 AND debited <= change_budget",
            name=op.f("ck_change_authorities_debited_within"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_change_authorities_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_change_authorities_set_by_id_users")
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_change_authorities")),
    )
    op.create_table(
        "change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("time_impact_days", sa.Integer(), nullable=False),
        sa.Column("cost_impact", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("scope_impact", sa.Text(), nullable=False),
        sa.Column("quality_impact", sa.Text(), nullable=False),
        sa.Column("risk_impact", sa.Text(), nullable=False),
        sa.Column("benefit_impact", sa.Text(), nullable=False),
        sa.Column("sustainability_impact", sa.Text(), nullable=False),
        sa.Column("authority", sa.String(length=10), nullable=False),
        sa.Column("authority_reason", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_comment", sa.Text(), nullable=False),
        sa.Column("debited", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("new_finish", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('submitted', 'approved', 'rejected')",
            name=op.f("ck_change_requests_status_known"),
        ),
        sa.CheckConstraint(
            "authority IN ('manager', 'board')", name=op.f("ck_change_requests_authority_known")
        ),
        sa.CheckConstraint("cost_impact >= 0", name=op.f("ck_change_requests_cost_not_negative")),
        sa.CheckConstraint(
            "time_impact_days >= 0", name=op.f("ck_change_requests_time_not_negative")
        ),
        sa.CheckConstraint("debited >= 0", name=op.f("ck_change_requests_debited_not_negative")),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_change_requests_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["issue_id"],
            ["issues.id"],
            name=op.f("fk_change_requests_issue_id_issues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_change_requests_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_change_requests_requested_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"], ["stages.id"], name=op.f("fk_change_requests_stage_id_stages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_requests")),
    )
    op.create_index(
        "ix_change_requests_project_status",
        "change_requests",
        ["project_id", "status"],
        unique=False,
    )
    op.create_index(
        op.f("ix_change_requests_issue_id"), "change_requests", ["issue_id"], unique=False
    )


def _create_assumptions_and_dependencies():
    op.create_table(
        "assumptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("statement", sa.String(length=300), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("confirm_by", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'confirmed', 'false')", name=op.f("ck_assumptions_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_assumptions_owner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_assumptions_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assumptions")),
    )
    op.create_index(
        "ix_assumptions_project_status", "assumptions", ["project_id", "status"], unique=False
    )
    op.create_table(
        "dependencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("on_project_id", sa.Integer(), nullable=True),
        sa.Column("external_party", sa.String(length=200), nullable=False),
        sa.Column("what", sa.String(length=300), nullable=False),
        sa.Column("needed_by", sa.Date(), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('project', 'external')", name=op.f("ck_dependencies_kind_known")
        ),
        sa.CheckConstraint(
            "on_project_id IS NULL OR on_project_id <> project_id",
            name=op.f("ck_dependencies_not_self"),
        ),
        sa.CheckConstraint(
            "(kind = 'project' AND on_project_id IS NOT NULL) OR "
            "(kind = 'external' AND on_project_id IS NULL AND external_party <> '')",
            name=op.f("ck_dependencies_kind_matches"),
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["users.id"],
            name=op.f("fk_dependencies_acknowledged_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["on_project_id"],
            ["projects.id"],
            name=op.f("fk_dependencies_on_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_dependencies_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"], ["users.id"], name=op.f("fk_dependencies_raised_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dependencies")),
    )
    op.create_index("ix_dependencies_on_project", "dependencies", ["on_project_id"], unique=False)
    op.create_index("ix_dependencies_project", "dependencies", ["project_id"], unique=False)


def _create_lessons():
    op.create_table(
        "lessons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("what_happened", sa.Text(), nullable=False),
        sa.Column("recommendation", sa.Text(), nullable=False),
        sa.Column("verdict", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=True),
        sa.Column("zone", sa.String(length=20), nullable=True),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("in_library", sa.Boolean(), nullable=False),
        sa.Column("curated_by_id", sa.Integer(), nullable=True),
        sa.Column("curated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("verdict IN ('repeat', 'avoid')", name=op.f("ck_lessons_verdict_known")),
        sa.CheckConstraint(
            "category IN ('planning', 'governance', 'people', 'technical', 'suppliers', "
            "'stakeholders', 'partnership')",
            name=op.f("ck_lessons_category_known"),
        ),
        sa.ForeignKeyConstraint(
            ["curated_by_id"], ["users.id"], name=op.f("fk_lessons_curated_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_lessons_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"], ["users.id"], name=op.f("fk_lessons_raised_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lessons")),
    )
    op.create_index("ix_lessons_project", "lessons", ["project_id"], unique=False)
    op.create_index(
        "ix_lessons_library_method_zone",
        "lessons",
        ["in_library", "method", "zone"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_lessons_library_method_zone", table_name="lessons")
    op.drop_index("ix_lessons_project", table_name="lessons")
    op.drop_table("lessons")
    op.drop_index("ix_dependencies_project", table_name="dependencies")
    op.drop_index("ix_dependencies_on_project", table_name="dependencies")
    op.drop_table("dependencies")
    op.drop_index("ix_assumptions_project_status", table_name="assumptions")
    op.drop_table("assumptions")
    op.drop_index(op.f("ix_change_requests_issue_id"), table_name="change_requests")
    op.drop_index("ix_change_requests_project_status", table_name="change_requests")
    op.drop_table("change_requests")
    op.drop_table("change_authorities")
    for table in REPORT_TABLES:
        op.drop_column(table, "registers")
    op.drop_index(op.f("ix_escalations_issue_id"), table_name="escalations")
    op.drop_index(op.f("ix_escalations_risk_id"), table_name="escalations")
    op.drop_index("ix_escalations_status_project", table_name="escalations")
    op.drop_table("escalations")
    op.execute("DELETE FROM notifications WHERE kind IN ('escalation', 'escalation_answered')")
    op.execute("DELETE FROM email_opt_outs WHERE kind IN ('escalation', 'escalation_answered')")
    for table in KIND_TABLES:
        _replace_check(table, "kind_known", NEW_KINDS, OLD_KINDS)
    op.drop_index(op.f("ix_issues_risk_id"), table_name="issues")
    op.drop_index("ix_issues_project_status", table_name="issues")
    op.drop_table("issues")
    op.drop_index("ix_risk_changes_risk_changed", table_name="risk_changes")
    op.drop_table("risk_changes")
    # Risks raised by hand did not exist before this revision.
    op.execute("DELETE FROM risks WHERE source = 'register'")
    _replace_check("risks", "source_known", NEW_SOURCES, OLD_SOURCES)
    sqlite = _is_sqlite()
    if sqlite:
        op.execute("ALTER TABLE risks DROP COLUMN actionee_id")
    else:
        op.drop_constraint(ACTIONEE_FK, "risks", type_="foreignkey")
        op.drop_column("risks", "actionee_id")
    for name, _type, _default, check_name, check in reversed(RISK_COLUMNS):
        if check is not None and not sqlite:
            op.drop_constraint(op.f(f"ck_risks_{check_name}"), "risks", type_="check")
        op.execute(f"ALTER TABLE risks DROP COLUMN {name}")
