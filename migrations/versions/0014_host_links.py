"""table hosts: one-time host links (ホスト用リンク: the nonces of links that were used) and staff
members assigned as a table's host

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "host_link_use",
        sa.Column("nonce", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("nonce"),
    )
    with op.batch_alter_table("host_link_use", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_host_link_use_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "table_staff_host",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("table_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.ForeignKeyConstraint(["table_id"], ["board_table.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("table_id", "user_id", name="uq_table_staff_host"),
    )
    with op.batch_alter_table("table_staff_host", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_table_staff_host_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_table_staff_host_table_id"), ["table_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_table_staff_host_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("table_staff_host", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_table_staff_host_user_id"))
        batch_op.drop_index(batch_op.f("ix_table_staff_host_table_id"))
        batch_op.drop_index(batch_op.f("ix_table_staff_host_meeting_id"))
    op.drop_table("table_staff_host")
    with op.batch_alter_table("host_link_use", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_host_link_use_meeting_id"))
    op.drop_table("host_link_use")
