"""Corrections by documentalists, shared by the API, the web pages and the CLI.

An edit is checked against the reference data (theme, posture and producer identifiers, gazetteer
keys), stored with its history in the catalog, and the document is sent back to the index stage so
that search and facets show the corrected values at once (the index has one writer: the worker).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from schemas.curation import BulkEdit, Change, DocumentEdit, Doubt, doubt_columns, doubts, in_force
from schemas.documents import Analysis, DocState, Extraction
from schemas.events import DocumentAnalyzed, DocumentEvent
from schemas.gazetteer import Gazetteer
from schemas.search import SearchQuery
from services.ingest.blobs import ArtifactStore
from services.ingest.catalog import Catalog
from services.ingest.catalog.models import doc_id_for
from services.search.backends.base import SearchBackend, matching_ids


class CurationError(ValueError):
    """A refused edit, with a French message and the HTTP status that says why."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


class Bulk(BaseModel):
    """What a bulk edit found, and did (``applied``: it was confirmed)."""

    count: int = Field(description="documents sélectionnés")
    changed: int = Field(description="documents modifiés (ceux qui portaient déjà ces étiquettes ne comptent pas)")
    applied: bool


class ToReview(BaseModel):
    """A document of the review queue: how doubtful its tags are, and why."""

    id: str
    title: str | None
    doubt: int
    reasons: list[Doubt]


class Curation:
    def __init__(self, catalog: Catalog, artifacts: ArtifactStore, backend: Callable[[], SearchBackend],
                 gazetteer: Gazetteer, known: dict[str, set[str]], publish: Callable[[DocumentEvent], None]) -> None:
        """``backend``: the search index (records as indexed, and the documents a search selects);
        ``known``: the identifiers each field accepts (``themes``, ``postures``, ``producer``)."""
        self.catalog = catalog
        self.artifacts = artifacts
        self._backend = backend
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
        return in_force(self._backend().get(doc_id), self.catalog.corrections(doc_id), self.gazetteer.ancestors)

    def _values(self, doc_id: str) -> dict[str, Any]:
        return {name: field["value"] for name, field in self.in_force(doc_id).items()}

    def edit(self, doc_id: str, edit: DocumentEdit, by: str) -> list[Change]:
        """Apply ``edit`` made by ``by`` (a key name); the changes it made (none: nothing differed)."""
        self._document(doc_id)
        self.check(edit)
        before = self._values(doc_id)
        changes = self.catalog.curate(doc_id, edit.changes(), edit.validated, before, by)
        if changes:
            self._doubt(doc_id)  # a validated field is settled at once, re-indexed or not
        if any(c.before != c.after for c in changes):
            self.refresh_index(doc_id)
        return changes

    def bulk(self, request: BulkEdit, by: str) -> Bulk:
        """Add and remove tags on the selected documents (each change in its document's history);
        without ``request.confirm``, only count them."""
        self.check(DocumentEdit.model_validate(
            {name: [*request.add.fields().get(name, []), *request.remove.fields().get(name, [])]
             for name in ("themes", "postures", "territories")}))
        ids = list(dict.fromkeys(request.ids or [])) if request.query is None else self.matching(request.query)
        ids = [i for i in ids if (doc := self.catalog.get(i)) is not None and doc.state != DocState.DELETED]
        changed = 0
        if request.confirm:
            for doc_id in ids:
                values = request.new_values(self._values(doc_id))
                if values and self.edit(doc_id, DocumentEdit.model_validate(values), by):
                    changed += 1
        else:
            changed = sum(1 for doc_id in ids if request.new_values(self._values(doc_id)))
        return Bulk(count=len(ids), changed=changed, applied=request.confirm)

    def matching(self, query: SearchQuery) -> list[str]:
        """Every document the search's words and filters select (at most 10,000)."""
        return matching_ids(self._backend(), query)

    def export(self) -> list[dict[str, Any]]:
        """Every document's corrections, as ``phare corrections export`` writes them (YAML)."""
        out = []
        for doc_id in self.catalog.corrected_ids():
            doc, fields = self.catalog.get(doc_id), self.catalog.corrections(doc_id)
            paths = self.catalog.paths_of(doc_id)
            out.append({"id": doc_id, "sha256": doc.sha256 if doc else "", "path": paths[0] if paths else "",
                        "corrections": {n: c.value for n, c in fields.items() if c.corrected},
                        "validated": sorted(n for n, c in fields.items() if c.validated)})
        return out

    def import_(self, entries: list[dict[str, Any]], by: str) -> tuple[int, list[str]]:
        """Apply exported corrections (matched by id, then content, then path); how many documents
        changed, and the entries that match no document here."""
        changed, missing = 0, []
        for entry in entries:
            doc_id = self._find(entry)
            if doc_id is None:
                missing.append(str(entry.get("path") or entry.get("id")))
                continue
            request = DocumentEdit.model_validate({**entry.get("corrections", {}),
                                                   "validated": entry.get("validated", [])})
            if self.edit(doc_id, request, by):
                changed += 1
        return changed, missing

    def _find(self, entry: dict[str, Any]) -> str | None:
        """The live document an exported entry names: by id, else by content, else by path."""
        sha = str(entry.get("sha256") or "")
        known = self.catalog.known_path(str(entry.get("path") or ""))
        for doc_id in (str(entry.get("id") or ""), doc_id_for(sha) if sha else "", known.doc_id if known else ""):
            if doc_id and (doc := self.catalog.get(doc_id)) is not None and doc.state != DocState.DELETED:
                return doc_id
        return None

    def review(self, limit: int = 50) -> list[ToReview]:
        """Indexed documents whose tags are not settled, most doubtful first, each with its reasons
        (the doubt is kept in the catalog when a document is indexed or corrected; documents indexed
        before it was get theirs here, a batch at a time)."""
        for doc in self.catalog.to_review(500, undoubted=True):
            self._doubt(doc.id)
        return [ToReview(id=doc.id, title=doc.title, doubt=doc.doubt or 0,
                         reasons=[Doubt.model_validate(r) for r in doc.doubt_reasons or []])
                for doc in self.catalog.to_review(limit)]

    def _doubt(self, doc_id: str) -> None:
        doc = self.catalog.get(doc_id)
        analysis = self.artifacts.get("analysis", doc.analysis_key, Analysis) if doc and doc.analysis_key else None
        extraction = self.artifacts.get("extract", doc.sha256, Extraction) if doc else None
        if analysis is None or extraction is None:
            return
        found = doubts(analysis, extraction.shown_title_source, self.catalog.corrections(doc_id))
        self.catalog.set_doubt(doc_id, **doubt_columns(found))

    def refresh_index(self, doc_id: str) -> None:
        """Send an indexed document back to the index stage; one still on its way picks the
        corrections up when it gets there."""
        if self.catalog.transition(doc_id, DocState.INDEXED, DocState.INDEXING):
            self.publish(DocumentAnalyzed(doc_id=doc_id))

    def history(self, doc_id: str) -> list[Change]:
        self._document(doc_id)
        return self.catalog.history(doc_id)
