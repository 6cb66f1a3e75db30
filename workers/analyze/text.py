"""Text helpers of the analysis: evidence passages and the cover of a document without pages
(folding itself lives in ``schemas.text``)."""

from __future__ import annotations

import re

#: a document's cover when it has no page breaks (DOCX, ODT, long text): its opening, this many characters
COVER_CHARS = 1500

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
