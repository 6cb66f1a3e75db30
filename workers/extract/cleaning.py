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


def clean_text(text: str) -> str:
    """Return ``text`` in NFC with ligatures split, apostrophes straightened, line-end hyphens joined.

    A hyphen at the end of a line between two word characters is taken as a word break
    ("imperméa-\\nbilisation" → "imperméabilisation"). Compound words that really carry a hyphen
    at a line end lose it; for search this costs less than split words do.
    """
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
