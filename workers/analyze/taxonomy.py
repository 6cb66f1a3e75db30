"""Keyword taxonomies (themes, postures) read from YAML files a documentalist can edit."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from schemas.documents import Evidence, Page
from schemas.text import fold_keep_offsets
from schemas.yaml_files import read_yaml
from workers.analyze.text import passage_around


@dataclass(frozen=True)
class Concept:
    slug: str
    label: str
    pattern: re.Pattern[str]
    uris: tuple[str, ...] = ()
    #: names that contain a keyword without meaning the concept ("loi Climat et résilience",
    #: "ministère de la Transition écologique"): a match inside one does not count
    exclude: re.Pattern[str] | None = None
    #: the first word of each term, as the pattern starts with it: a page holding none of them (a
    #: substring test, a fraction of a regex search) cannot match
    literals: tuple[str, ...] = ("",)


def _match_terms(spec: dict, match_labels: bool) -> list[str]:
    """What is looked for in the text: keywords, and the labels (folded like the text) if asked."""
    terms = [str(k) for k in spec.get("keywords", [])]
    if match_labels:
        terms += [fold_keep_offsets(str(label)) for label in [spec["label"], *spec.get("alt_labels", [])]]
    return [t for t in terms if t.strip()]


_URL = re.compile(r"\b(?:https?://|www\.)\S+")


def without_urls(text: str) -> str:
    """``text`` folded (offsets kept) with its web addresses blanked: a word in a link
    ("…/entreprises/aides-financieres/…") is an address, not the document speaking of it."""
    folded, parts, last = fold_keep_offsets(text), [], 0
    for m in _URL.finditer(text):
        parts += [folded[last:m.start()], " " * (m.end() - m.start())]
        last = m.end()
    return "".join([*parts, folded[last:]])


def fold_pages(pages: list[Page]) -> list[str]:
    """Each page's text as concepts are searched in it: folded, web addresses blanked (``without_urls``)."""
    return [without_urls(p.text) for p in pages]


def _first_words(terms: list[str]) -> tuple[str, ...]:
    return tuple(sorted({(t.lower().split() or [""])[0].rstrip("*") for t in terms}))


@dataclass(frozen=True)
class ConceptScore:
    slug: str
    label: str
    score: float
    hits: int
    evidence: list[Evidence]


def _word_pattern(word: str) -> str:
    """``energie*`` is a prefix; another word of four letters or more also takes its plural ("réseaux
    de chaleur" for "reseau de chaleur"); a shorter one, often an acronym, does not ("plu" is not "plus")."""
    if word.endswith("*"):
        return re.escape(word.rstrip("*")) + r"\w*"
    return re.escape(word) + ("(?:s|x)?" if len(word) >= 4 and word[-1] not in "sx" else "")


def _keyword_regex(keywords: list[str]) -> re.Pattern[str]:
    parts = []
    for kw in keywords:
        words = [_word_pattern(w) for w in kw.lower().split()]
        parts.append(r"\s+".join(words))
    return re.compile(r"\b(?:" + "|".join(sorted(parts, key=len, reverse=True)) + r")\b")


class Taxonomy:
    """Concepts from one YAML file; ``score`` ranks them on a document's pages with evidence."""

    def __init__(self, concepts: list[Concept], children: dict[str, list[Concept]] | None = None) -> None:
        self.concepts = concepts
        self.children = children or {}
        everything = [*concepts, *(c for subs in self.children.values() for c in subs)]
        self.labels = {c.slug: c.label for c in everything}

    @classmethod
    def load(cls, name: str, directory: Path | None = None, match_labels: bool = True) -> Taxonomy:
        """Top-level concepts, and under each the ``subthemes`` it lists (slugs ``parent/child``)."""
        folder = directory or Path(str(resources.files("schemas") / "taxonomy"))
        raw = read_yaml(folder / f"{name}.yaml")

        def concept(slug: str, spec: dict) -> Concept:
            names = [str(n) for n in spec.get("not_in", []) if str(n).strip()]
            terms = _match_terms(spec, match_labels)
            return Concept(slug, spec["label"], _keyword_regex(terms), tuple(spec.get("uris", [])),
                           _keyword_regex(names) if names else None, _first_words(terms))

        children = {slug: [concept(f"{slug}/{sub}", sub_spec) for sub, sub_spec in spec["subthemes"].items()]
                    for slug, spec in raw.items() if spec.get("subthemes")}
        return cls([concept(slug, spec) for slug, spec in raw.items()], children)

    def score(self, pages: list[Page], title: str = "", concepts: list[Concept] | None = None,
              folded: list[str] | None = None) -> list[ConceptScore]:
        """``concepts`` (default: the top level) found in the pages, best first, with evidence.
        ``folded``: the pages as ``fold_pages`` gives them, when the caller scores them more than once."""
        words = sum(len(p.text.split()) for p in pages) or 1
        folded_pages = list(zip(pages, folded if folded is not None else fold_pages(pages), strict=True))
        folded_title = fold_keep_offsets(title)
        out = []
        for concept in self.concepts if concepts is None else concepts:
            hits: Counter[int] = Counter()
            evidence: list[Evidence] = []
            for page, text in folded_pages:
                if not any(word in text for word in concept.literals):
                    continue
                named: list[tuple[int, int]] | None = None  # the excluded names, looked for at the first match
                for m in concept.pattern.finditer(text):
                    if named is None:
                        named = [n.span() for n in concept.exclude.finditer(text)] if concept.exclude else []
                    if any(start <= m.start() < end for start, end in named):
                        continue
                    hits[page.page] += 1
                    if len(evidence) < 3 and hits[page.page] == 1:
                        evidence.append(Evidence(text=passage_around(page.text, m.start(), m.end()), page=page.page))
            total = sum(hits.values())
            if not total:
                continue
            in_title = 3.0 if self._in(concept, folded_title) else 0.0
            density = 1000.0 * total / words  # hits per thousand words
            spread = len(hits) / max(1, len(pages))
            score = round(density + in_title + 2 * spread, 3)
            out.append(ConceptScore(concept.slug, concept.label, score, total, evidence))
        return sorted(out, key=lambda c: -c.score)

    @staticmethod
    def _in(concept: Concept, folded: str) -> bool:
        named = [m.span() for m in concept.exclude.finditer(folded)] if concept.exclude else []
        return any(not any(s <= m.start() < e for s, e in named) for m in concept.pattern.finditer(folded))
