"""Who uploaded each path (only that key, or an admin key, may delete it), whether a document is in
the search index (a deleted document still there is hidden from every read until it is taken out),
and when a worker started its current stage (a duplicate message does not start it twice).

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("paths") as batch:
        batch.add_column(sa.Column("owner", sa.String(64), nullable=True))
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("in_index", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("claimed_at", sa.Float(), nullable=True))
    # what was indexed before this revision is in the index; deleted documents were taken out by then
    op.execute(sa.text("UPDATE documents SET in_index = :yes WHERE state IN ('indexed', 'indexing')")
               .bindparams(yes=True))


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("claimed_at")
        batch.drop_column("in_index")
    with op.batch_alter_table("paths") as batch:
        batch.drop_column("owner")
