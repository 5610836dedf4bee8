"""registry import, department screening and the reverse-warning roster

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 16:03:32
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("operator", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("unmatched", sa.Integer(), nullable=False),
        sa.Column("cases_opened", sa.Integer(), nullable=False),
        sa.Column("rules_version", sa.String(length=64), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_import_batches_file_sha256"), ["file_sha256"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_import_batches_kind"), ["kind"], unique=False)

    op.create_table(
        "import_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=False),
        sa.Column("new_value", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batches.id"],
            name=op.f("fk_import_changes_batch_id_import_batches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_changes")),
    )
    with op.batch_alter_table("import_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_changes_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index("ix_import_changes_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "roster_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator_openid", sa.String(length=64), nullable=False),
        sa.Column("operator_role", sa.String(length=32), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("full_ids", sa.Boolean(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("household_codes", sa.JSON(), nullable=False),
        sa.Column("parameters", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_roster_exports_area_id_areas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_exports")),
    )
    with op.batch_alter_table("roster_exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roster_exports_area_id"), ["area_id"], unique=False)

    op.create_table(
        "screening_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("cause", sa.String(length=16), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("place_text", sa.String(length=100), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("opens_case", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_screening_hits_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batches.id"],
            name=op.f("fk_screening_hits_batch_id_import_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_screening_hits_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_screening_hits_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_screening_hits_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_hits")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_screening_hits_fingerprint")),
    )
    with op.batch_alter_table("screening_hits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_hits_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_screening_hits_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_screening_hits_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_screening_hits_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_screening_hits_id_number"), ["id_number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_screening_hits_member_id"), ["member_id"], unique=False
        )

    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.add_column(sa.Column("size_reported", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("income_per_capita", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("income_wage", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("income_production", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("income_transfer", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("income_property", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("registry_batch_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("registry_updated_at", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("schooling", sa.String(length=32), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("dibao", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("tekun", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("exit_year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("registry_batch_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("registry_updated_at", sa.DateTime(timezone=True), nullable=True)
        )



def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): recreating these tables would trip
    # their foreign keys on a database that has rows.
    with op.batch_alter_table("members", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("registry_updated_at")
        batch_op.drop_column("registry_batch_id")
        batch_op.drop_column("exit_year")
        batch_op.drop_column("tekun")
        batch_op.drop_column("dibao")
        batch_op.drop_column("schooling")

    with op.batch_alter_table("households", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("registry_updated_at")
        batch_op.drop_column("registry_batch_id")
        batch_op.drop_column("income_property")
        batch_op.drop_column("income_transfer")
        batch_op.drop_column("income_production")
        batch_op.drop_column("income_wage")
        batch_op.drop_column("income_per_capita")
        batch_op.drop_column("size_reported")

    with op.batch_alter_table("screening_hits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_hits_member_id"))
        batch_op.drop_index(batch_op.f("ix_screening_hits_id_number"))
        batch_op.drop_index(batch_op.f("ix_screening_hits_household_id"))
        batch_op.drop_index(batch_op.f("ix_screening_hits_case_id"))
        batch_op.drop_index(batch_op.f("ix_screening_hits_batch_id"))
        batch_op.drop_index(batch_op.f("ix_screening_hits_area_id"))

    op.drop_table("screening_hits")
    with op.batch_alter_table("roster_exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_exports_area_id"))

    op.drop_table("roster_exports")
    with op.batch_alter_table("import_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_import_changes_entity")
        batch_op.drop_index(batch_op.f("ix_import_changes_batch_id"))

    op.drop_table("import_changes")
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_batches_kind"))
        batch_op.drop_index(batch_op.f("ix_import_batches_file_sha256"))

    op.drop_table("import_batches")
