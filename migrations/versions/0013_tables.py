"""tables (島) in one session: the tables, where each participant sits, where each note was written,
whether the room is at table work or in the plenary, table hosts, and world-café rounds' seating

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 23:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "board_table",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "position", name="uq_board_table_position"),
        sa.UniqueConstraint("meeting_id", "code", name="uq_board_table_code"),
    )
    with op.batch_alter_table("board_table", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_board_table_meeting_id"), ["meeting_id"], unique=False)
    op.create_table(
        "table_seat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("table_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("table_seat", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_table_seat_meeting_id"), ["meeting_id"], unique=False)
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("table_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_participant_table_id"), ["table_id"], unique=False)
        batch_op.create_foreign_key("fk_participant_table_id", "board_table", ["table_id"], ["id"])
        batch_op.add_column(sa.Column("table_host", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.add_column(sa.Column("table_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_note_table_id"), ["table_id"], unique=False)
        batch_op.create_foreign_key("fk_note_table_id", "board_table", ["table_id"], ["id"])
    with op.batch_alter_table("projectorigin", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "table_name", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default=""
            )
        )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("table_count", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("table_work", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("table_round", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("spotlight_table_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_column("spotlight_table_id")
        batch_op.drop_column("table_round")
        batch_op.drop_column("table_work")
        batch_op.drop_column("table_count")
    with op.batch_alter_table("projectorigin", schema=None) as batch_op:
        batch_op.drop_column("table_name")
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_constraint("fk_note_table_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_note_table_id"))
        batch_op.drop_column("table_id")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_column("table_host")
        batch_op.drop_constraint("fk_participant_table_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_participant_table_id"))
        batch_op.drop_column("table_id")
    with op.batch_alter_table("table_seat", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_table_seat_meeting_id"))
    op.drop_table("table_seat")
    with op.batch_alter_table("board_table", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_board_table_meeting_id"))
    op.drop_table("board_table")
