"""Markdown files: YAML front matter read as metadata (never as body text), the body as Markdown."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


@dataclass
class FrontMatter:
    title: str | None = None
    year: int | None = None
    authors: list[str] = field(default_factory=list)


def read_text(path: Path) -> str:
    """The file's text: UTF-8 (with or without BOM), else the encoding charset-normalizer finds."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        return str(best) if best is not None else raw.decode("latin-1")


_STRUCK = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")


def without_struck(body: str) -> str:
    """Markdown without its struck-through text (``~~…~~``): what an author crossed out ("~~Production
    d'ENR~~": an objective the action does not pursue) is not what the document says."""
    return _STRUCK.sub("", body)


def split_front_matter(text: str) -> tuple[FrontMatter, str]:
    """The front matter's title, year and authors, and the text without it. Front matter that is
    not a YAML mapping is dropped all the same: it is never prose."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return FrontMatter(), text
    body = text[match.end():]
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return FrontMatter(), body
    if not isinstance(data, dict):
        return FrontMatter(), body
    return FrontMatter(title=_text(data.get("title") or data.get("titre")), year=_year(data),
                       authors=_authors(data.get("author") or data.get("authors") or data.get("auteur"))), body


def _text(value: Any) -> str | None:  # noqa: ANN401 - YAML values
    return " ".join(str(value).split()) or None if value else None


def _year(data: dict[str, Any]) -> int | None:
    for key in ("date", "year", "annee", "année", "published"):
        value = data.get(key)
        if isinstance(value, (date, datetime)):
            return value.year
        if value is not None and (match := _YEAR.search(str(value))):
            return int(match.group(1))
    return None


def _authors(value: Any) -> list[str]:  # noqa: ANN401 - YAML values
    if isinstance(value, str):
        return [a.strip() for a in re.split(r"[;,]", value) if a.strip()]
    if isinstance(value, list):
        return [str(a).strip() for a in value if str(a).strip()]
    return []
