"""The organisation that produced a document: matched on its properties and its cover page."""

from __future__ import annotations

from schemas.documents import Evidence, Extraction, ProducerTag
from workers.analyze.taxonomy import Taxonomy
from workers.analyze.text import COVER_CHARS


def find_producer(extraction: Extraction, producers: Taxonomy) -> ProducerTag | None:
    """The best-scoring known organisation named in the authors, the title or the cover page."""
    if not extraction.pages:
        return None
    cover = extraction.pages[0].model_copy(update={"text": extraction.pages[0].text[:COVER_CHARS]})
    header = "\n".join([*extraction.authors, extraction.title or ""])
    scores = producers.score([cover], header)
    if not scores:
        return None
    best = scores[0]
    return ProducerTag(slug=best.slug, label=best.label,
                       evidence=best.evidence[:1] or [Evidence(text=header[:200], page=1)])
