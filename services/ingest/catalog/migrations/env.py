"""Alembic environment of the catalog: runs on the connection ``Catalog.create_schema`` hands over."""

from __future__ import annotations

from alembic import context

from services.ingest.catalog.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
