"""promoted copies: which project texts were copied from which origin note

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 09:00:00.000000
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TITLE_PREFILL_LENGTH = 60  # as in server/projects/copies.py when this migration was written


def _holds(field: str, text: str, *, title: bool) -> bool:
    fragments = {text, text[:TITLE_PREFILL_LENGTH]} if title else {text}
    for fragment in fragments:
        words = fragment.split()
        if words and re.search(r"\s+".join(re.escape(w) for w in words), field):
            return True
    return False


def upgrade() -> None:
    with op.batch_alter_table("projectorigin", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("copied_to_title", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("copied_to_description", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Projects promoted before this revision: mark what they copied, by the same rule.
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT projectorigin.id, projectorigin.text, project.title, project.description"
            " FROM projectorigin JOIN project ON project.id = projectorigin.project_id"
        )
    ).all()
    for origin_id, text, title, description in rows:
        in_title, in_description = _holds(title, text, title=True), _holds(description, text, title=False)
        if in_title or in_description:
            connection.execute(
                sa.text(
                    "UPDATE projectorigin SET copied_to_title = :t, copied_to_description = :d WHERE id = :id"
                ),
                {"t": in_title, "d": in_description, "id": origin_id},
            )


def downgrade() -> None:
    with op.batch_alter_table("projectorigin", schema=None) as batch_op:
        batch_op.drop_column("copied_to_description")
        batch_op.drop_column("copied_to_title")
