"""How doubtful each document's tags are (the review queue's order), computed when it is indexed or
corrected, so the queue is one indexed query instead of reading every document's artifacts.

Revision ID: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("doubt", sa.Integer(), nullable=True))  # None: not computed yet
        batch.add_column(sa.Column("doubt_reasons", sa.JSON(), nullable=True))
        batch.create_index("ix_documents_state_doubt", ["state", "doubt"])


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_state_doubt")
        batch.drop_column("doubt_reasons")
        batch.drop_column("doubt")
