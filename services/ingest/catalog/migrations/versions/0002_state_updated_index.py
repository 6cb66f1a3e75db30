"""Lists by state, most recent first (failures, stuck documents), without scanning the catalog.

Revision ID: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_index("ix_documents_state_updated", "documents", ["state", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_documents_state_updated", "documents")
