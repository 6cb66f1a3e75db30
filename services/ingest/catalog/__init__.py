"""The document catalog: ``models`` (the tables), ``migrations/`` (Alembic revisions: their schema
over time) applied by ``migrate`` once when processes open it, ``repository`` (``Catalog``: every
read and state change)."""

from services.ingest.catalog.migrate import HEAD_REVISION
from services.ingest.catalog.models import Base, DocumentRow, PathRow, doc_id_for
from services.ingest.catalog.repository import Catalog, KnownPath, PathStatus, Registration, Removal

__all__ = ["HEAD_REVISION", "Base", "Catalog", "DocumentRow", "KnownPath", "PathRow", "PathStatus", "Registration",
           "Removal", "doc_id_for"]
