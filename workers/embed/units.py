"""What of a document is embedded: a card (title, headings, opening) and passages across its text.

The encoder reads about 300 words a second per core, so a long document cannot be embedded whole
at ingestion. Its card says what it is about; passages, spread evenly over the text, let a question
find the part that answers it. ``max_passages`` bounds the cost of one document (the default, 24
passages of 120 words, is about ten seconds of one core).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schemas.documents import Extraction

_WORD = re.compile(r"\S+")
CARD_OPENING_WORDS = 120
CARD_HEADINGS = 12


_NAME_WORD = re.compile(r"[^\W\d_]{3,}")


def embedding_title(title: str, source: str | None) -> str:
    """The title to embed: a file name stands for one only when it reads as words ("plan vélo
    Voiron", not "cnil 0000" or "SKM_C287"): a code only blurs the vector."""
    if source == "filename" and len(_NAME_WORD.findall(title)) < 2:
        return ""
    return title


def embedding_headings(headings: list[str]) -> list[str]:
    """An index record's headings (the file name as words first, then section titles) as embedded:
    the file name only when it reads as words."""
    if not headings:
        return []
    return [h for h in [embedding_title(headings[0], "filename")] if h] + headings[1:]


@dataclass(frozen=True)
class Unit:
    """A piece of text to embed, and the page a hit on it points to (0: the card, the whole document)."""

    page: int
    text: str


def card(title: str, headings: list[str], extraction: Extraction) -> Unit:
    """Title, the first section titles and the opening words: what the document is about."""
    opening = " ".join(_WORD.findall(" ".join(p.text for p in extraction.pages[:3]))[:CARD_OPENING_WORDS])
    shown = [h for h in dict.fromkeys(headings) if h and h != title and _NAME_WORD.search(h)][:CARD_HEADINGS]
    return Unit(page=0, text="\n".join([title, *shown, opening]).strip())


def passages(extraction: Extraction, words: int = 120, limit: int = 24) -> list[Unit]:
    """Windows of ``words`` words with their page, at most ``limit``, evenly spread over the text."""
    windows: list[Unit] = []
    for page in extraction.pages:
        tokens = _WORD.findall(page.text)
        for start in range(0, len(tokens), words):
            chunk = tokens[start:start + words]
            if len(chunk) >= min(20, words):
                windows.append(Unit(page=page.page, text=" ".join(chunk)))
    if len(windows) <= limit:
        return windows
    step = len(windows) / limit
    return [windows[int(i * step)] for i in range(limit)]


#: a text this short (in words) is embedded whole, as its own card: e5 reads 512 tokens, ~350 French words
WHOLE_WORDS = 300


def units(title: str, headings: list[str], extraction: Extraction, words: int = 120, limit: int = 24) -> list[Unit]:
    """The card, then the passages; a short text is embedded whole, title first, as one unit."""
    text_words = _WORD.findall(" ".join(p.text for p in extraction.pages))
    if len(text_words) <= WHOLE_WORDS:
        return [Unit(page=0, text=f"{title}\n{' '.join(text_words)}".strip())]
    return [card(title, headings, extraction), *passages(extraction, words, limit)]
