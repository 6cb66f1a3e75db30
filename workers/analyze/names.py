"""Names in documents the French model cannot read (English ones): a rule-based matcher for runs of
capitalised words and acronyms that come back, next to the curated bodies and the gazetteer's places."""

from __future__ import annotations

import re
from collections import Counter

from schemas.documents import Entity, Page, TerritoryTag

_RUN = re.compile(r"\b[A-Z][\w&'’-]*(?:\s+(?:of|the|for|de|du|des|la|le|d['’])?\s*[A-Z][\w&'’-]*){1,4}")
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,6}\b")
#: words that start sentences and headings, not names
_STARTERS = frozenset("""The This These That Those Our We It In On At For By From With To As An A If When While Where
Table Figure Section Chapter Annex Page Note Source Total Action Actions Plan Key Step Phase Part""".split())
_MIN_COUNT = 2


def rule_names(pages: list[Page], places: list[TerritoryTag]) -> list[Entity]:
    """Capitalised runs and acronyms seen at least twice, and the places the gazetteer found."""
    runs: Counter[str] = Counter()
    acronyms: Counter[str] = Counter()
    for page in pages:
        for m in _RUN.finditer(page.text):
            words = m.group(0).split()
            while words and words[0] in _STARTERS:
                words.pop(0)
            if len(words) >= 2 and not all(w.isupper() for w in words):
                runs[" ".join(words)] += 1
        acronyms.update(m.group(0) for m in _ACRONYM.finditer(page.text) if sum(c.isalpha() for c in m.group(0)) >= 2)
    out = [Entity(text=t, label="MISC", count=n) for t, n in runs.items() if n >= _MIN_COUNT]
    out += [Entity(text=t, label="ORG", count=n) for t, n in acronyms.items() if n >= _MIN_COUNT]
    out += [Entity(text=t.name, label="LOC", count=t.count) for t in places if t.count > 0]
    return sorted(out, key=lambda e: -e.count)[:200]
