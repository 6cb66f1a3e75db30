"""Text folding: one owner for how names and words are compared across phare (gazetteer, taxonomies,
search filters, facets, the index's keyword fields).

``fold`` makes comparable keys (no case, accents, punctuation; "St" is "Saint");
``fold_keep_offsets`` folds character by character, so a match in its result has the same offsets
in the original text (for evidence passages).
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")
_LATIN_MARKS = re.compile("[\u0300-\u036f]+")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_ABBREV = {"st": "saint", "ste": "sainte", "sts": "saints"}
_FOLD_MAP = str.maketrans("àâäáãåçéèêëíìîïñóòôöõúùûüýÿœæ’'-", "aaaaaaceeeeiiiinooooouuuuyyoe   ")


def _unless_mark(match: re.Match[str]) -> str:
    return "" if unicodedata.combining(match.group()) else match.group()


def fold(text: str) -> str:
    """Lowercase, accents removed, hyphens/apostrophes/punctuation as single spaces."""
    text = text.lower()
    if not text.isascii():  # the accents of Latin letters at once; other marks one character at a time
        text = _LATIN_MARKS.sub("", unicodedata.normalize("NFKD", text))
        if not text.isascii():
            text = _NON_ASCII.sub(_unless_mark, text)
    words = _NON_WORD.sub(" ", text).split()
    return " ".join(_ABBREV.get(w, w) for w in words)


def fold_keep_offsets(text: str) -> str:
    """Fold case and accents character by character, so offsets in the result match the original."""
    return text.lower().translate(_FOLD_MAP)
