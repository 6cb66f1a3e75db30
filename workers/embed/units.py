"""What of a document is embedded: a card (title, headings, opening) and passages across its text.

The encoder reads about 300 words a second per core, so a long document cannot be embedded whole
at ingestion. Its card says what it is about; passages, spread evenly over the text, let a question
find the part that answers it. ``max_passages`` bounds the cost of one document (the default, 24
passages of 120 words, is about ten seconds of one core). A short text is embedded whole (its card)
and in overlapping windows of a few sentences, so that a question matching one sentence finds it
(about twice the words of the text: a 200-word fiche costs about a second and a half of one core).

The first unit of a document is always its card: search reads a document's closeness to a query
from its card and its best passage (``services/semantic/vectors.document_score``).
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
#: windows of a short text (words, and the step between their starts): chosen on the CNIL questions
#: (bench/relevance.py: 60/30 and 40/20 measured, 60/30 kept)
WINDOW_WORDS = 60
WINDOW_STEP = 30
#: changes when what ``units`` returns for the same text changes (stored vectors are keyed by it)
UNITS_VERSION = 2


def windows(extraction: Extraction, words: int = WINDOW_WORDS, step: int = WINDOW_STEP) -> list[Unit]:
    """Overlapping windows over the whole text, each with the page it starts on; none for a text that
    fits in one window (its card already says it all)."""
    tokens = [(page.page, token) for page in extraction.pages for token in _WORD.findall(page.text)]
    if len(tokens) <= words:
        return []
    starts = range(0, len(tokens) - words + step, step)
    return [Unit(page=tokens[s][0], text=" ".join(t for _, t in tokens[s:s + words]))
            for s in starts if len(tokens[s:s + words]) >= words // 4]


def units(title: str, headings: list[str], extraction: Extraction, words: int = 120, limit: int = 24) -> list[Unit]:
    """The card first, then the passages; a short text is embedded whole, title first, as its card,
    then in windows."""
    text_words = _WORD.findall(" ".join(p.text for p in extraction.pages))
    if len(text_words) <= WHOLE_WORDS:
        return [Unit(page=0, text=f"{title}\n{' '.join(text_words)}".strip()), *windows(extraction)]
    return [card(title, headings, extraction), *passages(extraction, words, limit)]
