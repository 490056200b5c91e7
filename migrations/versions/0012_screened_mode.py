"""screened mode: a session that shows new notes only once a facilitator let them through

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-01 23:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Both off for what exists: no session screens, no note waits. SQLite adds a column with a
    # constant default without copying the table.
    op.add_column("meeting", sa.Column("screened", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("note", sa.Column("waiting", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("note") as batch:
        batch.drop_column("waiting")
    with op.batch_alter_table("meeting") as batch:
        batch.drop_column("screened")
