"""Atom feed of a search, newest additions first: a saved search that a feed reader polls."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from schemas.search import SearchResult

ATOM_MEDIA_TYPE = "application/atom+xml"
_NS = "http://www.w3.org/2005/Atom"


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts or 0, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def atom_feed(result: SearchResult, title: str, self_url: str, page_url: str, doc_url: str) -> bytes:
    """The feed document. ``doc_url`` is a format string with ``{id}``; every text is escaped by
    ElementTree; snippets (already HTML-escaped, with ``<mark>``) travel as ``type="html"`` summaries."""
    ET.register_namespace("", _NS)
    feed = ET.Element(f"{{{_NS}}}feed", {"xml:lang": "fr"})

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{_NS}}}{tag}", attrs)
        el.text = text
        return el

    sub(feed, "title", title)
    sub(feed, "id", self_url)
    sub(feed, "updated", _iso(max((h.added_at for h in result.hits), default=0.0)))
    sub(feed, "link", rel="self", type=ATOM_MEDIA_TYPE, href=self_url)
    sub(feed, "link", rel="alternate", type="text/html", href=page_url)
    author = sub(feed, "author")
    sub(author, "name", "phare — Atelier des futurs")
    sub(feed, "generator", "phare")
    for hit in result.hits:
        entry = sub(feed, "entry")
        sub(entry, "title", hit.title)
        sub(entry, "id", f"urn:phare:document:{hit.id}")
        sub(entry, "updated", _iso(hit.added_at))
        sub(entry, "link", rel="alternate", type="text/html", href=doc_url.format(id=hit.id))
        summary = " … ".join(f"{s.text} (p. {s.page})" for s in hit.snippets)
        parts = [hit.format.upper()] + ([str(hit.year)] if hit.year else [])
        sub(entry, "summary", summary or " · ".join(parts), type="html" if summary else "text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
