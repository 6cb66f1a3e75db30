"""Normalisation shared by the gazetteer and the taxonomy matchers."""

from __future__ import annotations

import re
import unicodedata

#: a document's cover when it has no page breaks (DOCX, ODT, long text): its opening, this many characters
COVER_CHARS = 1500
_NON_WORD = re.compile(r"[^a-z0-9]+")
_ABBREV = {"st": "saint", "ste": "sainte", "sts": "saints"}


def fold(text: str) -> str:
    """Lowercase, accents removed, hyphens/apostrophes/punctuation as single spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = _NON_WORD.sub(" ", text).split()
    return " ".join(_ABBREV.get(w, w) for w in words)


_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n{2,}")


def passage_around(text: str, start: int, end: int, width: int = 220) -> str:
    """The sentence (or a window of ``width`` characters) around ``text[start:end]``."""
    left = max(0, start - width // 2)
    right = min(len(text), end + width // 2)
    chunk = text[left:right]
    pieces = _SENTENCE.split(chunk)
    offset = start - left
    pos = 0
    for piece in pieces:
        idx = chunk.find(piece, pos)
        if idx <= offset < idx + len(piece) + 1:
            return " ".join(piece.split())
        pos = idx + len(piece)
    return " ".join(chunk.split())
