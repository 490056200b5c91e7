"""project contacts (how to reach someone who said 参加したい, left with their consent) and public district pages

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-01 04:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "projectcontact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("consent", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("withdraw_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "participant_id", name="uq_contact_participant"),
    )
    with op.batch_alter_table("projectcontact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_projectcontact_project_id"), ["project_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_projectcontact_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_projectcontact_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_projectcontact_withdraw_hash"), ["withdraw_hash"], unique=True)
    with op.batch_alter_table("district", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_page", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("district", schema=None) as batch_op:
        batch_op.drop_column("public_page")
    with op.batch_alter_table("projectcontact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projectcontact_withdraw_hash"))
        batch_op.drop_index(batch_op.f("ix_projectcontact_created_at"))
        batch_op.drop_index(batch_op.f("ix_projectcontact_participant_id"))
        batch_op.drop_index(batch_op.f("ix_projectcontact_project_id"))
    op.drop_table("projectcontact")
