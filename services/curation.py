"""Corrections by documentalists, shared by the API, the web pages and the CLI.

An edit is checked against the reference data (theme, posture and producer identifiers, gazetteer
keys), stored with its history in the catalog, and the document is sent back to the index stage so
that search and facets show the corrected values at once (the index has one writer: the worker).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schemas.curation import Change, DocumentEdit, in_force
from schemas.documents import DocState, IndexRecord
from schemas.events import DocumentAnalyzed, DocumentEvent
from schemas.gazetteer import Gazetteer
from services.ingest.catalog import Catalog


class CurationError(ValueError):
    """A refused edit, with a French message and the HTTP status that says why."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


class Curation:
    def __init__(self, catalog: Catalog, record: Callable[[str], IndexRecord | None], gazetteer: Gazetteer,
                 known: dict[str, set[str]], publish: Callable[[DocumentEvent], None]) -> None:
        """``record``: the indexed record of a document; ``known``: the identifiers each field accepts
        (``themes``, ``postures``, ``producer``)."""
        self.catalog = catalog
        self._record = record
        self.gazetteer = gazetteer
        self.known = known
        self.publish = publish

    def _document(self, doc_id: str) -> None:
        doc = self.catalog.get(doc_id)
        if doc is None or doc.state == DocState.DELETED:
            raise CurationError("document introuvable", 404)

    def check(self, edit: DocumentEdit) -> None:
        """Refuse identifiers the reference data does not know, naming them."""
        for name in ("themes", "postures"):
            unknown = [v for v in getattr(edit, name) or [] if v not in self.known[name]]
            if unknown:
                raise CurationError(f"{name} inconnu(s) : {', '.join(unknown)}")
        if edit.producer is not None and edit.producer not in self.known["producer"]:
            raise CurationError(f"producteur inconnu : {edit.producer}")
        unknown = [k for k in edit.territories or [] if k not in self.gazetteer.by_key]
        if unknown:
            raise CurationError(f"territoire(s) inconnu(s) du référentiel : {', '.join(unknown)}")

    def in_force(self, doc_id: str) -> dict[str, dict[str, Any]]:
        """Each curated field: the value in force, whether it was corrected or validated, by whom."""
        return in_force(self._record(doc_id), self.catalog.corrections(doc_id), self.gazetteer.ancestors)

    def edit(self, doc_id: str, edit: DocumentEdit, by: str) -> list[Change]:
        """Apply ``edit`` made by ``by`` (a key name); the changes it made (none: nothing differed)."""
        self._document(doc_id)
        self.check(edit)
        before = {name: field["value"] for name, field in self.in_force(doc_id).items()}
        changes = self.catalog.curate(doc_id, edit.changes(), edit.validated, before, by)
        if any(c.before != c.after for c in changes):
            self.refresh_index(doc_id)
        return changes

    def refresh_index(self, doc_id: str) -> None:
        """Send an indexed document back to the index stage; one still on its way picks the
        corrections up when it gets there."""
        if self.catalog.transition(doc_id, DocState.INDEXED, DocState.INDEXING):
            self.publish(DocumentAnalyzed(doc_id=doc_id))

    def history(self, doc_id: str) -> list[Change]:
        self._document(doc_id)
        return self.catalog.history(doc_id)
