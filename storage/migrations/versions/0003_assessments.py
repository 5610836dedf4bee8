"""assessments: graded levels with facts, parameters, rules, measures, confirmation, override

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

LEVELS = ("I", "II", "III", "IV", "V")
SOURCES = ("self_report", "verification", "import", "periodic", "cli")


def _level(name: str) -> sa.Enum:
    return sa.Enum(*LEVELS, name=name, native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column(
            "source",
            sa.Enum(*SOURCES, name="assessmentsource", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("assessor", sa.String(length=100), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("parameters", sa.String(length=100), nullable=False),
        sa.Column("level", _level("level"), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("measures", sa.JSON(), nullable=False),
        sa.Column("confirmed_by", sa.String(length=100), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("override_level", _level("level"), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("override_by", sa.String(length=100), nullable=True),
        sa.Column("override_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_assessments_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_assessments_household_id_households")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_assessments_household_at", ["household_id", "assessed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_assessments_household_at")
        batch_op.drop_index(batch_op.f("ix_assessments_case_id"))
    op.drop_table("assessments")
