"""Citations of one document (the dict ``SearchService.show`` returns): RIS and CSL-JSON exports,
and what citation managers read in its web page (Highwire ``citation_*`` meta tags, a COinS span)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

RIS_MEDIA_TYPE = "application/x-research-info-systems"
CSL_MEDIA_TYPE = "application/vnd.citationstyles.csl+json"

_RIS_TYPE = {"pptx": "SLIDE", "odp": "SLIDE", "ppt": "SLIDE", "html": "ELEC", "xlsx": "DATA", "ods": "DATA",
             "csv": "DATA", "xls": "DATA"}
_CSL_TYPE = {"pptx": "speech", "odp": "speech", "ppt": "speech", "html": "webpage", "xlsx": "dataset",
             "ods": "dataset", "csv": "dataset", "xls": "dataset"}


def _one_line(value: object) -> str:
    return " ".join(str(value).split())


def to_ris(doc: dict[str, Any], url: str) -> str:
    """RIS record (Zotero, EndNote, Mendeley import it); a foresight study defaults to a report."""
    lines = [("TY", _RIS_TYPE.get(doc.get("format") or "", "RPRT")), ("TI", doc.get("title") or doc["id"])]
    lines += [("AU", a) for a in doc.get("authors") or []]
    if doc.get("year"):
        lines.append(("PY", doc["year"]))
    if doc.get("producer"):
        lines.append(("PB", doc["producer"]["label"]))
    lines += [("KW", t["label"]) for t in doc.get("themes") or []]
    if doc.get("summary"):
        lines.append(("AB", doc["summary"]))
    if doc.get("language"):
        lines.append(("LA", doc["language"]))
    lines += [("UR", url), ("ID", doc["id"])]
    body = "".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in lines if _one_line(value))
    return body + "ER  - \r\n"


def to_csl_json(doc: dict[str, Any], url: str) -> list[dict[str, Any]]:
    """CSL-JSON item list (Zotero and citeproc read it)."""
    item: dict[str, Any] = {"id": doc["id"], "type": _CSL_TYPE.get(doc.get("format") or "", "report"),
                            "title": doc.get("title") or doc["id"], "URL": url}
    if doc.get("authors"):
        item["author"] = [{"literal": a} for a in doc["authors"]]
    if doc.get("year"):
        item["issued"] = {"date-parts": [[doc["year"]]]}
    if doc.get("producer"):
        item["publisher"] = doc["producer"]["label"]
    if doc.get("language"):
        item["language"] = doc["language"]
    if doc.get("themes"):
        item["keyword"] = ", ".join(t["label"] for t in doc["themes"])
    if doc.get("summary"):
        item["abstract"] = doc["summary"]
    return [item]


def highwire_meta(doc: dict[str, Any], file_url: str) -> list[tuple[str, str]]:
    """``citation_*`` meta tags (name, content), as Zotero's and Google Scholar's readers expect:
    a report of its producer, its authors one tag each, the original's URL when it is a PDF."""
    tags = [("citation_title", doc.get("title") or doc["id"])]
    tags += [("citation_author", a) for a in doc.get("authors") or []]
    if doc.get("year"):
        tags += [("citation_publication_date", str(doc["year"])), ("citation_date", str(doc["year"]))]
    if doc.get("producer"):
        tags += [("citation_publisher", doc["producer"]["label"]),
                 ("citation_technical_report_institution", doc["producer"]["label"])]
    if doc.get("format") == "pdf":
        tags.append(("citation_pdf_url", file_url))
    if doc.get("language"):
        tags.append(("citation_language", doc["language"]))
    keywords = [t["label"] for t in doc.get("themes") or []] + [p["label"] for p in doc.get("postures") or []]
    if keywords:
        tags.append(("citation_keywords", "; ".join(keywords)))
    if doc.get("summary"):
        tags.append(("citation_abstract", doc["summary"]))
    return [(name, _one_line(value)) for name, value in tags if _one_line(value)]


def coins(doc: dict[str, Any], url: str) -> str:
    """The ``title`` of a COinS span (OpenURL 1.0 ContextObject, key/encoded-value): a report."""
    pairs = [("ctx_ver", "Z39.88-2004"), ("rft_val_fmt", "info:ofi/fmt:kev:mtx:book"), ("rft.genre", "report"),
             ("rft.btitle", doc.get("title") or doc["id"]), ("rft_id", url)]
    pairs += [("rft.au", a) for a in doc.get("authors") or []]
    if doc.get("year"):
        pairs.append(("rft.date", str(doc["year"])))
    if doc.get("producer"):
        pairs.append(("rft.pub", doc["producer"]["label"]))
    if doc.get("language"):
        pairs.append(("rft.language", doc["language"]))
    return urlencode([(k, _one_line(v)) for k, v in pairs])
