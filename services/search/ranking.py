"""How phare ranks: field weights of the word search and its fusion with semantic search.

Every number here was chosen by cross-validation in ``bench/relevance.py`` (folds of queries from
several sets: the corpus queries, public CNIL questions over short fiches, questions over
``corpus-extra``), never scored on the queries that chose it, among the settings that lose to plain
BM25 on no set and no measure (nDCG@10, MRR@10, Recall@10; since 2026-12-08, before on nDCG@10 only);
the bench prints the choice, and says when it differs from these defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from services.search.query import INTERROGATIVES, strip_question_words

_QUESTION = re.compile(rf"\?|^\s*(?:{INTERROGATIVES}|qu['’]|ou\s+trouver|faut-il|peut-on|doit-on|a-t-on|"
                       r"how|what|why|which|when|where|who)\b", re.I)


@dataclass(frozen=True)
class Ranking:
    title: float = 3.0  # a title the document gives itself (properties, cover, HTML, Markdown, styles)
    #: the file name as words, a title phare guessed (a first line, the file name), authors, a
    #: documentalist's summary; less than ``title`` (bench/relevance.py's grid keeps to it)
    names: float = 0.7
    #: section titles (also in the body): a small weight of their own, with the title's at 3 (0.7 put a
    #: long report's headings above the fiche a question is about, and is no longer in the grid)
    headings: float = 0.3
    body: float = 1.0
    proximity: float = 0.0  # the query's words close together, in order (cross-validation: no gain)
    #: weight of an acronym's full name added to a query (and of an acronym added to its full name)
    expansion: float = 0.3
    #: a question's framing words ("comment", "puis-je", "quels") left out of the word search
    #: (services/search/query.strip_question_words); semantic search reads the whole question
    strip_questions: bool = True
    fusion: Literal["zscore", "rrf"] = "zscore"  # how words and meaning are mixed
    dense_keywords: float = 0.5  # weight of semantic search against words, for a few keywords …
    dense_questions: float = 1.0  # … and for a question in everyday words
    rrf_k: int = 60  # (rrf only)
    #: a document's semantic closeness: its best unit drawn toward its card by this much (0: best unit
    #: alone); a passage can match a question by accident, the card says what the document is about
    card_weight: float = 0.5
    #: a document found by meaning alone must be at least this close to the query (cosine): e5's
    #: similarities are crowded (0.75 for unrelated text), and a relevant document scores at least
    #: 0.84 (card weight 0.33 or 0.5) on nine questions in ten of every set (bench/relevance.py prints it);
    #: below, it is noise, not a result
    dense_floor: float = 0.84

    @property
    def boosts(self) -> dict[str, float]:
        return {"title": self.title, "names": self.names, "headings": self.headings, "body": self.body}

    def words_of(self, text: str) -> str:
        """What the word search is given for ``text``, as typed."""
        return strip_question_words(text) if self.strip_questions and is_question(text) else text

    def dense_weight(self, text: str) -> float:
        return self.dense_questions if is_question(text) else self.dense_keywords

    def admitted(self, words: list[tuple[str, float]], dense: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """Of the semantic ranking, what the fusion may use: the documents the words found, and those
        found by meaning alone that are close enough (``dense_floor``)."""
        found = {d for d, _ in words}
        return [(d, s) for d, s in dense if d in found or s >= self.dense_floor]

    def fuse(self, words: list[tuple[str, float]], dense: list[tuple[str, float]], text: str) -> list[str]:
        """Document ids of both rankings (each best first, with its scores), in the fused order."""
        weight = self.dense_weight(text)
        if self.fusion == "rrf":
            return rrf([d for d, _ in words], [d for d, _ in dense], weight, self.rrf_k)
        return zscore_sum(words, dense, weight)


DEFAULT = Ranking()


def is_question(text: str) -> bool:
    """A question mark, a question word first, or a sentence (six words or more)."""
    return bool(_QUESTION.search(text)) or len(text.split()) >= 6


def rrf(words: list[str], dense: list[str], dense_weight: float, k: int) -> list[str]:
    """Weighted reciprocal-rank fusion of two rankings of document ids (best first)."""
    scores: dict[str, float] = {}
    for rank, doc_id in enumerate(words):
        scores[doc_id] = scores.get(doc_id, 0.0) + 1.0 / (k + rank + 1)
    for rank, doc_id in enumerate(dense):
        scores[doc_id] = scores.get(doc_id, 0.0) + dense_weight / (k + rank + 1)
    return sorted(scores, key=lambda d: -scores[d])


def _standard(scores: list[tuple[str, float]]) -> dict[str, float]:
    if not scores:
        return {}
    values = [s for _, s in scores]
    mean = sum(values) / len(values)
    spread = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5 or 1.0
    return {d: (s - mean) / spread for d, s in scores}


def zscore_sum(words: list[tuple[str, float]], dense: list[tuple[str, float]], dense_weight: float) -> list[str]:
    """Each side's scores standardised over its own candidates, then summed (the dense side weighted);
    a document one side did not bring gets that side's lowest standard score."""
    w, d = _standard(words), _standard(dense)
    floor_w, floor_d = min(w.values(), default=0.0), min(d.values(), default=0.0)
    fused = {doc: w.get(doc, floor_w) + dense_weight * d.get(doc, floor_d) for doc in {*w, *d}}
    return sorted(fused, key=lambda doc: (-fused[doc], doc))
