"""The read side shared by the CLI and the HTTP API: one JSON shape for both."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemas.curation import in_force
from schemas.documents import Analysis, DocState, Extraction, Page
from schemas.gazetteer import Gazetteer
from schemas.library_paths import safe_filename, shown_path
from schemas.search import (
    SCOPES,
    Facets,
    FacetTrees,
    FacetValue,
    FamilyRef,
    SearchHit,
    SearchQuery,
    SearchResult,
    Suggestion,
    SuggestionKind,
)
from schemas.territory_levels import level_of
from schemas.text import fold
from services.ingest.blobs import ArtifactStore, BlobStore
from services.ingest.catalog import Catalog, DocumentRow
from services.ingest.catalog.families import FamilyStore
from services.search.backends.base import SearchBackend
from services.search.facet_tree import build_tree
from services.search.hybrid import HybridSearch
from services.search.query import expand_acronyms
from services.search.ranking import DEFAULT, Ranking

_LANGUAGES = {"fr": "français", "en": "anglais", "other": "autre"}


@dataclass(frozen=True)
class StoredFile:
    """The original file of a document, as stored (content-addressed) and as it should be named."""

    path: Path
    filename: str
    media_type: str


class Labels:
    """Human labels for facet values: theme names from the taxonomy, territory names from the gazetteer."""

    def __init__(self, themes: dict[str, str], gazetteer: Gazetteer | Callable[[], Gazetteer],
                 producers: dict[str, str] | None = None, postures: dict[str, str] | None = None) -> None:
        """``gazetteer``: the gazetteer, or how to load it (a second of CPU) when first needed or ``preload``ed."""
        self.themes = themes
        self.producers = producers or {}
        self.postures = postures or {}
        self._gazetteer = gazetteer if isinstance(gazetteer, Gazetteer) else None
        self._load_gazetteer = gazetteer if not isinstance(gazetteer, Gazetteer) else None
        self._lock = threading.Lock()

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            with self._lock:
                if self._gazetteer is None:
                    assert self._load_gazetteer is not None
                    self._gazetteer = self._load_gazetteer()
        return self._gazetteer

    @property
    def gazetteer_loaded(self) -> bool:
        return self._gazetteer is not None

    def preload(self) -> None:
        """Load the gazetteer in a background thread: a server answers meanwhile (searches that name no
        territory do not wait for it; one that does waits for the load under way, not for a second one)."""
        threading.Thread(target=lambda: self.gazetteer, name="phare-gazetteer", daemon=True).start()

    def language(self, code: str) -> str:
        return _LANGUAGES.get(code, code)

    def territory_parent(self, key: str) -> str | None:
        found = self.gazetteer.by_key.get(key)
        return found.parent if found and found.parent else None

    def territory(self, key: str) -> str:
        level = key.split(":", 1)[0]
        found = level_of(key)
        return f"{self.gazetteer.label(key)} ({found.noun if found else level})"


class SearchService:
    """Searches and documents as readers see them: deleted documents are gone at once (even before
    the index has dropped them), and paths are shown relative to the watched folder unless a local
    administrator asks for server paths (``server_paths=True``, the CLI)."""

    def __init__(self, backend: SearchBackend, catalog: Catalog, artifacts: ArtifactStore, labels: Labels,
                 glossary: dict[str, str] | None = None, blobs: BlobStore | None = None,
                 inbox: Path | None = None, hybrid: HybridSearch | None = None,
                 families: FamilyStore | None = None, ranking: Ranking = DEFAULT) -> None:
        """``hybrid``: semantic search fused with the words (None: words only); ``families``: the
        documents' families (None: none shown); ``ranking``: how a query becomes the words searched."""
        self.ranking = ranking
        self.families = families
        self.hybrid = hybrid
        self.inbox = str(inbox.resolve()) if inbox is not None else None
        self.glossary = glossary or {}
        self.blobs = blobs
        self.backend = backend
        self.catalog = catalog
        self.artifacts = artifacts
        self.labels = labels

    def visible(self, doc_id: str) -> DocumentRow | None:
        doc = self.catalog.get(doc_id)
        return doc if doc is not None and doc.state != DocState.DELETED else None

    def _families(self, hits: list[SearchHit], group: bool) -> list[SearchHit]:
        """Each hit with its family; ``group``: only the best-ranked hit of each family."""
        if self.families is None or not hits:
            return hits
        known = self.families.of([h.id for h in hits])
        out, seen = [], set()
        for hit in hits:
            if hit.id in known:
                family_id, others = known[hit.id]
                if group and family_id in seen:
                    continue
                seen.add(family_id)
                hit = hit.model_copy(update={"family": FamilyRef(id=family_id, others=others)})
            out.append(hit)
        return out

    def _shown_hits(self, hits: list[SearchHit], server_paths: bool) -> list[SearchHit]:
        if server_paths:
            return hits
        return [h.model_copy(update={"path": shown_path(h.path, self.inbox)}) for h in hits]

    def search(self, query: SearchQuery, server_paths: bool = False, semantic: bool = True) -> SearchResult:
        """Hits and relabelled facets; ``semantic=False``: the words alone (counts that must match a
        filter's, as the exploration views need)."""
        typed = query.text
        if query.text:  # the words' side: a question's framing words out, acronyms expanded
            words = self.ranking.words_of(query.text)
            query = query.model_copy(update={"text": expand_acronyms(words, self.glossary, self.ranking.expansion)
                                             if self.glossary else words})
        hidden = self.catalog.hidden_from_reads()
        if hidden:
            query = query.model_copy(update={"exclude_ids": [*query.exclude_ids, *hidden]})
        if semantic and self.hybrid is not None and self.hybrid.applies(query, typed):
            result = self.hybrid.search(self.backend, query, typed)
        else:
            result = self.backend.search(query)
        result.hits = self._families(self._shown_hits(result.hits, server_paths), query.group_families)
        f = result.facets

        def relabel(values: list[FacetValue], label) -> list[FacetValue]:  # noqa: ANN001
            return [v.model_copy(update={"label": label(v.value)}) for v in values]

        result.facets = Facets(
            themes=relabel(f.themes, lambda v: self.labels.themes.get(v, v)),
            territories=relabel(f.territories, self.labels.territory),
            formats=relabel(f.formats, str.upper),
            years=sorted(f.years, key=lambda v: v.value, reverse=True),
            producers=relabel(f.producers, lambda v: self.labels.producers.get(v, v)),
            postures=relabel(f.postures, lambda v: self.labels.postures.get(v, v)),
            horizons=sorted(f.horizons, key=lambda v: v.value),
            collections=relabel(f.collections, lambda v: v.replace("/", " › ")),
            languages=relabel(f.languages, self.labels.language),
            scopes=relabel(f.scopes, lambda v: SCOPES.get(v, v)),
            places=relabel(f.places, self.labels.territory),
        )
        return result

    def facet_trees(self, facets: Facets) -> FacetTrees:
        """Themes and territories (région → département → EPCI → commune) of relabelled facets as trees."""
        return FacetTrees(
            themes=build_tree(facets.themes, lambda slug: slug.rsplit("/", 1)[0] if "/" in slug else None),
            territories=build_tree(facets.territories, self.labels.territory_parent,
                                   skip=lambda key: key.startswith("pays:")),
        )

    def latest(self, limit: int = 10) -> list[SearchHit]:
        return self.search(SearchQuery(sort="added", limit=limit)).hits

    def original(self, doc_id: str) -> StoredFile | None:
        """The stored original, or None when the document is unknown, deleted, or its blob missing."""
        doc = self.visible(doc_id)
        if doc is None or self.blobs is None or not self.blobs.exists(doc.sha256):
            return None
        extraction = self.artifacts.get("extract", doc.sha256, Extraction)
        paths = self.catalog.paths_of(doc.id)
        name = safe_filename(paths[0], doc.id) if paths else doc.id
        media_type = extraction.mime_type if extraction else "application/octet-stream"
        return StoredFile(self.blobs.path_for(doc.sha256), name, media_type)

    def page(self, doc_id: str, number: int) -> tuple[Page, int] | None:
        """Page ``number`` of the extracted text and the page count, or None."""
        doc = self.visible(doc_id)
        extraction = self.artifacts.get("extract", doc.sha256, Extraction) if doc else None
        if extraction is None:
            return None
        found = next((p for p in extraction.pages if p.page == number), None)
        return (found, extraction.page_count) if found else None

    def similar(self, doc_id: str, limit: int = 5) -> list[SearchHit]:
        if self.visible(doc_id) is None:
            return []
        hidden = set(self.catalog.hidden_from_reads())
        found = [h for h in self.backend.similar(doc_id, limit + len(hidden)) if h.id not in hidden]
        return self._shown_hits(found[:limit], server_paths=False)

    def suggest(self, prefix: str, limit: int = 8, kind: SuggestionKind | None = None) -> list[Suggestion]:
        """Themes and territories whose name starts like the typed text (territories: or whose code
        does), then matching titles; ``kind``: only those."""
        typed = fold(prefix)
        if len(typed) < 2:
            return []
        out: list[Suggestion] = []
        if kind in (None, "theme"):
            out += [Suggestion(text=label, kind="theme", value=slug)
                    for slug, label in self.labels.themes.items() if fold(label).startswith(typed)]
        if kind in (None, "territory"):
            out += [Suggestion(text=self.labels.territory(t.key), kind="territory", value=t.key)
                    for t in self.labels.gazetteer.starting_with(typed, limit if kind else 5)]
        if kind in (None, "title"):
            out += [Suggestion(text=title, kind="title") for title in self.backend.suggest(prefix, limit)]
        return out[:limit]

    def show(self, doc_id: str, with_text: bool = False, server_paths: bool = False) -> dict[str, Any] | None:
        """The stored document as ``phare show --json`` prints it, or None when the id is unknown or
        the document deleted."""
        doc = self.visible(doc_id)
        if doc is None:
            return None
        paths = self.catalog.paths_of(doc.id)
        extraction = self.artifacts.get("extract", doc.sha256, Extraction)
        stored = self.artifacts.get("analysis", doc.analysis_key, Analysis) if doc.analysis_key else None
        analysis = stored or Analysis(analyzer_version=0)
        out: dict[str, Any] = {
            "id": doc.id, "state": doc.state, "reason": doc.reason, "title": doc.title,
            "added_at": doc.created_at,
            "paths": paths if server_paths else [shown_path(p, self.inbox) for p in paths],
            "sha256": doc.sha256, "size": doc.size,
            "format": extraction.format if extraction else doc.format,
            "language": extraction.language if extraction else None,
            "pages": extraction.page_count if extraction else 0,
            "page_count": extraction.page_count if extraction else 0,
            "year": extraction.year if extraction else None,
            "authors": extraction.authors if extraction else [],
            "themes": [t.model_dump() for t in analysis.themes],
            "postures": [p.model_dump() for p in analysis.postures],
            "horizons": [h.model_dump() for h in analysis.horizons],
            "territories": [t.model_dump() for t in analysis.territories],
            "entities": [e.model_dump() for e in analysis.entities],
            "producer": analysis.producer.model_dump() if analysis.producer else None,
            # the values in force, corrections by documentalists included (the fields above: phare's proposal)
            "curation": in_force(self.backend.get(doc.id), self.catalog.corrections(doc.id),
                                 self.labels.gazetteer.ancestors),
        }
        corrected = {name: f["value"] for name, f in out["curation"].items() if f["corrected"]}
        out["title"] = corrected.get("title") or out["title"]  # shown titles are the ones in force
        for name in ("year", "authors"):
            if name in corrected:
                out[name] = corrected[name]
        if "producer" in corrected:
            slug = corrected["producer"]
            out["producer"] = {"slug": slug, "label": self.labels.producers.get(slug, slug)} if slug else None
        out["summary"] = out["curation"]["summary"]["value"]
        out["family"] = self.family(doc.id)
        if with_text and extraction:
            out["pages"] = [p.model_dump() for p in extraction.pages]
        return out

    def family(self, doc_id: str) -> dict[str, Any] | None:
        """The document's family as readers see it (deleted members left out), or None when it has
        no other live member."""
        mine = self.families.membership(doc_id) if self.families is not None else None
        if mine is None or self.families is None:
            return None
        members = [(m, row) for m in self.families.members(mine.family_id) if (row := self.visible(m.doc_id))]
        if len(members) < 2:
            return None
        return {"id": mine.family_id, "members": [
            {"id": m.doc_id, "relation": m.relation, "similarity": m.similarity, "manual": m.manual,
             "title": row.title, "format": row.format} for m, row in members]}
