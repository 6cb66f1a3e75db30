"""Text clean-up shared by every format: Unicode, ligatures, apostrophes, hyphenation."""

from __future__ import annotations

import re
import unicodedata

_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st",
                            "\u00ad": ""})
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'", "`": "'"})
_HYPHEN_BREAK = re.compile(r"(\w)-[ \t]*\n[ \t]*(\w)")
_SPACES = re.compile(r"[ \t\u00a0\u202f]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# pdfium's markers: \x02 is a hyphen it saw at a line break (the word continues on the next line);
# \x1f is the glyph of the "ti" ligature of Office fonts when the PDF has no Unicode for it.
_PDFIUM_BREAK = re.compile(r"\x02[ \t]*\r?\n?[ \t]*")
_TI_LIGATURE = re.compile(r"(?<=[^\W\d_])\x1f|\x1f(?=[^\W\d_])")


def clean_text(text: str) -> str:
    """Return ``text`` in NFC with ligatures split, apostrophes straightened, line-end hyphens joined.

    A hyphen at the end of a line between two word characters is taken as a word break
    ("imperméa-\\nbilisation" → "imperméabilisation"). Compound words that really carry a hyphen
    at a line end lose it; for search this costs less than split words do.
    """
    text = _TI_LIGATURE.sub("ti", _PDFIUM_BREAK.sub("", text))
    text = unicodedata.normalize("NFC", text).translate(_LIGATURES).translate(_APOSTROPHES)
    text = _CONTROL.sub(" ", text)
    text = _HYPHEN_BREAK.sub(lambda m: m.group(1) + m.group(2), text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


_FR = frozenset("le la les des du de et est une un dans pour par sur au aux qui que pas ce cette sont avec ou".split())
_EN = frozenset("the of and to in is that for on with as are by this be from or an at which it".split())
_WORD = re.compile(r"[a-zà-ÿ]+")


def detect_language(text: str) -> str:
    """``fr``, ``en`` or ``other`` from the share of common function words (deterministic, cheap)."""
    words = _WORD.findall(text[:20_000].lower())
    if not words:
        return "other"
    fr = sum(w in _FR for w in words)
    en = sum(w in _EN for w in words)
    if max(fr, en) < 0.04 * len(words):
        return "other"
    return "fr" if fr >= en else "en"


_PAGE_NUMBER = re.compile(r"^(page|p\.)?\s*\d{1,4}(\s*(/|sur|of|de)\s*\d{1,4})?$", re.I)
_DIGITS = re.compile(r"\d+")
_EDGE_LINES = 3


def _edges(lines: list[str]) -> set[int]:
    """Indexes of the first and last few non-empty lines: where running headers and footers sit."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    edge = max(1, min(_EDGE_LINES, len(filled) // 4))
    return set(filled[:edge] + filled[-edge:])


def strip_running_lines(pages: list[str], min_share: float = 0.5) -> list[str]:
    """Remove page numbers and lines repeated at the top or bottom of most pages.

    A line is "running" when, digits ignored, it sits in the edge zone of at least half the pages
    (and of three pages at least). Page boundaries are kept: the result has one entry per page.
    """
    split = [page.split("\n") for page in pages]
    seen: dict[str, int] = {}
    for lines in split:
        keys = {_DIGITS.sub("#", lines[i].strip().lower()) for i in _edges(lines)}
        for key in keys:
            seen[key] = seen.get(key, 0) + 1
    threshold = max(3, min_share * len(pages))
    running = {k for k, n in seen.items() if n >= threshold and k and len(k) <= 200}
    out = []
    for lines in split:
        drop = {i for i in _edges(lines)
                if _PAGE_NUMBER.match(lines[i].strip()) or _DIGITS.sub("#", lines[i].strip().lower()) in running}
        out.append("\n".join(line for i, line in enumerate(lines) if i not in drop).strip())
    return out
