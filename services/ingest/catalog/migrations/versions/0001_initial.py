"""The catalog as phare 0.1 created it: documents (one per content) and paths (one per file).

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(32)),
        sa.Column("title", sa.Text()),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("analysis_key", sa.String(96)),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_documents_sha256", "documents", ["sha256"], unique=True)
    op.create_index("ix_documents_state", "documents", ["state"])
    op.create_table(
        "paths",
        sa.Column("path", sa.Text(), primary_key=True),
        sa.Column("doc_id", sa.String(32), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("duplicate", sa.Boolean(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("mtime", sa.Float(), nullable=False),
    )
    op.create_index("ix_paths_doc_id", "paths", ["doc_id"])


def downgrade() -> None:
    op.drop_table("paths")
    op.drop_table("documents")
