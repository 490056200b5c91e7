"""spotlight: the one note or group the facilitator shows big on the projector

Revision ID: 0008
Revises: 0010 (numbered 0008 as allotted; it comes last: main had already chained 0007 → 0009 → 0011 → 0010)
Create Date: 2026-12-01 05:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ids, no foreign keys: a spotlight on a note or group that is gone (or hidden) shows
    # nothing (server/boards/spotlight.py), and SQLite adds these columns without a table copy.
    op.add_column("meeting", sa.Column("spotlight_note_id", sa.Integer(), nullable=True))
    op.add_column("meeting", sa.Column("spotlight_cluster_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meeting") as batch:
        batch.drop_column("spotlight_cluster_id")
        batch.drop_column("spotlight_note_id")
