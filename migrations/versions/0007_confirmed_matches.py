"""confirmed matches: an offer or want note paired with the concern it answers, confirmed or dismissed by staff

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 02:45:57.009811
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "note_match",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("offer_note_id", sa.Integer(), nullable=True),
        sa.Column("concern_note_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("agreed", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["concern_note_id"], ["note.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
        ),
        sa.ForeignKeyConstraint(["offer_note_id"], ["note.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("offer_note_id", "concern_note_id", name="uq_note_match_pair"),
    )
    with op.batch_alter_table("note_match", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_match_concern_note_id"), ["concern_note_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_note_match_decided_at"), ["decided_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_note_match_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_note_match_offer_note_id"), ["offer_note_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_note_match_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("note_match", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_match_status"))
        batch_op.drop_index(batch_op.f("ix_note_match_offer_note_id"))
        batch_op.drop_index(batch_op.f("ix_note_match_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_note_match_decided_at"))
        batch_op.drop_index(batch_op.f("ix_note_match_concern_note_id"))

    op.drop_table("note_match")
