"""project changes: every change of a project's status, districts, goals and members, with who and when

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-01 04:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
# 0008 and 0010 are other branches' numbers; whoever merges second rechains this to the head.
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "projectchange",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("before", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("after", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("projectchange", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_projectchange_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_projectchange_changed_at"), ["changed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("projectchange", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projectchange_changed_at"))
        batch_op.drop_index(batch_op.f("ix_projectchange_project_id"))
    op.drop_table("projectchange")
