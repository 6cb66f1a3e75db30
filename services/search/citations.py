"""Citation exports of one document (the dict ``SearchService.show`` returns): RIS and CSL-JSON."""

from __future__ import annotations

from typing import Any

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
