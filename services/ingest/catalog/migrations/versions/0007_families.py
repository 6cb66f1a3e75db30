"""Families of documents (versions, formats, summaries): the values of each document's MinHash
signature as lookup keys, and each document's family.

Revision ID: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_table(
        "family_keys",
        sa.Column("key", sa.String(24), primary_key=True),
        sa.Column("doc_id", sa.String(32), primary_key=True),
    )
    op.create_index("ix_family_keys_doc_id", "family_keys", ["doc_id"])
    op.create_table(
        "families",
        sa.Column("doc_id", sa.String(32), primary_key=True),
        sa.Column("family_id", sa.String(32), nullable=False),
        sa.Column("relation", sa.String(16), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("manual", sa.Boolean(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
    )
    op.create_index("ix_families_family_id", "families", ["family_id"])


def downgrade() -> None:
    op.drop_index("ix_families_family_id", "families")
    op.drop_table("families")
    op.drop_index("ix_family_keys_doc_id", "family_keys")
    op.drop_table("family_keys")
