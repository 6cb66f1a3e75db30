"""How alike two documents' texts are: MinHash signatures of word shingles, their values as lookup
keys, and the relation two alike documents have.

The signature is datasketch's ``MinHash(num_perm=128, seed=7)`` value for value (its "affine32"
scheme: SHA-1's first 32 bits, MurmurHash3's finalizer, then ``a * h + b`` modulo 2^32), computed
here with numpy alone: importing datasketch imports scipy's integrators under it, 0.7 s of every
worker start for arithmetic this module does in a few lines (tests/unit/test_families.py holds
the two equal).

The signature is computed once, at analysis (it is kept in the analysis artifact). Each of its 128
values is a key in the catalog: the documents sharing at least ``MIN_SHARED`` keys with a new one
(an estimated Jaccard similarity of 6 % or more, low enough to catch a summary, whose similarity
with its report is small) are the few worth comparing, most shared first. The relation is decided
on the two signatures and their sizes:

- ``same-content``: nearly the same text (the PDF and the DOCX of the same minutes);
- ``summary``: a much shorter text most of whose passages are in the longer one, or, since a
  summary often rewords its report, a much shorter text with the report's title and a word that
  says so in its own ("synthèse", "résumé");
- ``version``: much of the text in common, not all (version 1 and version 2 of a standard).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence

import numpy as np

from schemas.documents import Page, Resemblance
from schemas.text import fold

NUM_PERM = 128
SEED = 7
MIN_SHARED = 8  # of 128 values: unrelated texts of the same genre share 2 or 3
SHINGLE = 5  # words
MAX_WORDS = 60_000
MIN_SHINGLES = 30  # below, a text is too short to say it resembles another
TITLE_ALIKE = 0.6  # Jaccard similarity of two titles' words
_SUMMARY_WORDS = frozenset({"synthese", "resume", "summary", "abrege", "essentiel"})
SAME, VERSION, CONTAINED, SHORTER = 0.85, 0.45, 0.6, 0.5


def keys(resemblance: Resemblance) -> list[str]:
    """The signature's values as lookup keys ("permutation:value")."""
    return [f"{i}:{v}" for i, v in enumerate(resemblance.minhash)]


def title_keys(resemblance: Resemblance) -> list[str]:
    """The title's words as lookup keys ("t:word"), and how many a candidate must share."""
    return [f"t:{w}" for w in resemblance.title]


def title_words(title: str) -> list[str]:
    """The words that say what a title is about: folded, four letters or more."""
    return sorted({w for w in fold(title).split() if len(w) >= 4})


def _title_similarity(a: Resemblance, b: Resemblance) -> float:
    wa, wb = set(a.title) - _SUMMARY_WORDS, set(b.title) - _SUMMARY_WORDS
    return len(wa & wb) / len(wa | wb) if len(wa) >= 3 and len(wb) >= 3 else 0.0


_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


@functools.cache
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``a`` (odd) and ``b`` of each permutation, drawn as datasketch draws them."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def minhash(items: Sequence[bytes], num_perm: int = NUM_PERM, seed: int = SEED) -> np.ndarray:
    """The MinHash signature of a set of byte strings (``num_perm`` unsigned 32-bit values)."""
    hv = np.array([int.from_bytes(hashlib.sha1(item).digest()[:4], "little") for item in items], dtype=np.uint32)
    s1, m1, s2, m2, s3 = _FMIX32
    with np.errstate(over="ignore"):  # wrapping around 2^32 is the arithmetic meant
        hv = hv ^ (hv >> s1)
        hv = hv * m1
        hv = hv ^ (hv >> s2)
        hv = hv * m2
        hv = hv ^ (hv >> s3)
        a, b = _permutations(num_perm, seed)
        values = hv.reshape(-1, 1) * a + b
    return values.min(axis=0) if len(hv) else np.full(num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)


def signature(pages: Sequence[Page], title: str = "") -> Resemblance | None:
    """The signature of the pages' text (folded words, shingles of five) and of the title; None for
    too short a text."""
    words = fold(" ".join(p.text for p in pages)).split()[:MAX_WORDS]
    shingles = {" ".join(words[i:i + SHINGLE]).encode() for i in range(max(0, len(words) - SHINGLE + 1))}
    if len(shingles) < MIN_SHINGLES:
        return None
    values = minhash(list(shingles))
    return Resemblance(minhash=[int(v) for v in values], shingles=len(shingles), title=title_words(title))


def jaccard(a: Resemblance, b: Resemblance) -> float:
    """Estimated Jaccard similarity of the two shingle sets (share of equal signature values)."""
    return float(np.mean(np.asarray(a.minhash) == np.asarray(b.minhash)))


def relation(new: Resemblance, other: Resemblance) -> tuple[str, float] | None:
    """How ``new`` relates to ``other`` (``same-content``, ``summary`` of it, ``version`` of it, or
    ``summarised-by``: ``other`` is the summary), with the similarity; None when they are not alike."""
    j = jaccard(new, other)
    small, large = sorted((new.shingles, other.shingles))
    containment = j * (small + large) / ((1 + j) * small) if j else 0.0  # |A∩B| / |smaller|
    if j >= SAME:
        return "same-content", round(j, 3)
    if small <= SHORTER * large and containment >= CONTAINED:
        return ("summary" if new.shingles == small else "summarised-by"), round(min(1.0, containment), 3)
    if j >= VERSION:
        return "version", round(j, 3)
    titles = _title_similarity(new, other)
    if titles >= TITLE_ALIKE and small <= SHORTER * large:
        shorter = new if new.shingles == small else other
        if _SUMMARY_WORDS & set(shorter.title):
            return ("summary" if shorter is new else "summarised-by"), round(titles, 3)
    return None
