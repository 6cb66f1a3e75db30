"""From a catalog row and its artifacts to the search document: pure functions, used by the index
stage and by ``phare reindex --rebuild``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from schemas.curation import FieldCuration, apply_corrections, scope_of_keys
from schemas.documents import Analysis, Extraction, IndexRecord, file_name_words
from schemas.library_paths import is_upload
from workers.ports import StoredDocument

_MAX_HEADINGS = 60
_MIN_MENTIONS_FOR_FACET = 2
UPLOADS_COLLECTION = "téléversements"


def record_headings(extraction: Extraction) -> list[str]:
    """The section titles the extraction found (the file name is searched apart: IndexRecord.searched_names)."""
    return [e.text for e in extraction.elements if e.category == "Title"][:_MAX_HEADINGS]


def card_headings(extraction: Extraction, path: str) -> list[str]:
    """What a document's semantic card reads besides its title: the file name as words (documentalists
    name files after what they hold: "tableau_commentaires_standard_cnig_risques"), then the section titles."""
    titles = record_headings(extraction)
    return [file_name_words(path), *titles] if path else titles


def scope_of(analysis: Analysis) -> str:
    """``locale``, ``nationale`` or ``internationale`` (schemas.search.SCOPES), from the places the
    document is about; "" for an analysis made before scopes existed."""
    return scope_of_keys([f"{t.level}:{t.code}" for t in analysis.territories if t.about])


def collection_of(path: str, inbox: Path | None) -> str:
    """The folder a document is filed in: its sub-folder of the watched folder ("" at the top), or,
    for a file ingested from elsewhere, the name of its folder."""
    if is_upload(path):
        return UPLOADS_COLLECTION
    p = Path(path)
    if inbox is not None and p.is_relative_to(inbox):
        return p.parent.relative_to(inbox).as_posix().strip(".")
    return p.parent.name


def index_record(doc: StoredDocument, paths: list[str], extraction: Extraction, analysis: Analysis,
                 inbox: Path | None, corrections: Mapping[str, FieldCuration] | None = None,
                 ancestors: Callable[[str], list[str]] | None = None) -> IndexRecord:
    """The search document of ``doc`` (``paths``: its files, first shown; ``inbox``: the watched folder),
    with a documentalist's ``corrections`` in force over the automatic tags (``ancestors``: of a
    territory key, from the gazetteer)."""
    record = _automatic_record(doc, paths, extraction, analysis, inbox)
    if not corrections:
        return record
    return apply_corrections(record, corrections, ancestors or (lambda key: []))


def _automatic_record(doc: StoredDocument, paths: list[str], extraction: Extraction, analysis: Analysis,
                      inbox: Path | None) -> IndexRecord:
    territories: set[str] = set()
    for t in analysis.territories:
        if t.about:  # the territory facet counts what documents are about; mere mentions are "places"
            territories.update([f"{t.level}:{t.code}", *t.ancestors])
    places = sorted(f"{t.level}:{t.code}" for t in analysis.territories
                    if not t.about and t.count >= _MIN_MENTIONS_FOR_FACET)
    return IndexRecord(
        id=doc.id, title=doc.title or file_name_words(paths[0] if paths else doc.id),
        title_source=extraction.shown_title_source,
        path=paths[0] if paths else "", format=extraction.format, language=extraction.language,
        year=extraction.year, pages=extraction.pages,
        headings=record_headings(extraction),
        themes=[t.slug for t in analysis.themes], territories=sorted(territories), places=places,
        scope=scope_of(analysis),
        postures=[p.slug for p in analysis.postures], horizons=[h.year for h in analysis.horizons],
        producer=analysis.producer.slug if analysis.producer else "", authors=extraction.authors,
        collection=collection_of(paths[0], inbox) if paths else "", added_at=doc.created_at,
    )
