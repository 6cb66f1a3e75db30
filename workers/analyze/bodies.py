"""Public bodies, State services and programmes from a curated list (``schemas/taxonomy/bodies.yaml``):
found in any document, French or not, by their acronym (as written) or their name in full (case and
accents ignored), and counted as one entity shown under the acronym."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from schemas.documents import Entity, Page
from schemas.text import fold
from schemas.yaml_files import read_yaml


@dataclass(frozen=True)
class Body:
    acronym: str
    name: str
    label: str
    written: re.Pattern[str]  # the acronym and aliases, case as written
    spelled: re.Pattern[str] | None  # the name and aliases in full, on folded text
    #: the literal forms the two patterns are made of: a page holding none of them is not searched
    literals: tuple[str, ...]
    spelled_literals: tuple[str, ...]

    def forms(self) -> set[str]:
        return {self.acronym.casefold(), fold(self.name)}


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


class KnownBodies:
    def __init__(self, bodies: list[Body]) -> None:
        self.bodies = bodies
        #: every form (folded) under which spaCy may also have found a body: its entity is merged here
        self.folded_forms = {f: b for b in bodies for f in b.forms()}
        self.by_acronym = {b.acronym: b for b in bodies}

    @classmethod
    def load(cls, directory: Path) -> KnownBodies:
        path = directory / "bodies.yaml"
        raw = read_yaml(path) if path.exists() else {}
        bodies = []
        for acronym, spec in (raw or {}).items():
            aliases = [str(a) for a in spec.get("aliases", [])]
            short = [str(acronym), *(a for a in aliases if len(a.split()) == 1)]
            long = [str(spec["name"]), *(a for a in aliases if len(a.split()) > 1)]
            spelled = [fold(n) for n in long if len(fold(n).split()) > 1]
            bodies.append(Body(
                acronym=str(acronym), name=str(spec["name"]), label=str(spec.get("label", "ORG")),
                written=re.compile(r"(?<![\w-])(?:" + _alternatives(short) + r")(?![\w-])"),
                spelled=re.compile(r"\b(?:" + _alternatives(spelled) + r")\b") if spelled else None,
                literals=tuple(short), spelled_literals=tuple(spelled)))
        return cls(bodies)

    def run(self, pages: list[Page]) -> list[Entity]:
        counts: Counter[str] = Counter()
        for page in pages:
            folded = fold(page.text)
            for body in self.bodies:
                # a substring test is a fraction of a regex search, and most bodies are on no page
                n = len(body.written.findall(page.text)) if any(w in page.text for w in body.literals) else 0
                if body.spelled is not None and any(w in folded for w in body.spelled_literals):
                    n += len(body.spelled.findall(folded))
                if n:
                    counts[body.acronym] += n
        return [Entity(text=acronym, label=self.by_acronym[acronym].label, count=n)
                for acronym, n in counts.most_common()]

    def merge(self, found: list[Entity], recognised: list[Entity]) -> list[Entity]:
        """The curated bodies found, then the recognizer's other entities; one of those that names a
        curated body (its acronym or full name) is counted under the body, and one that is only a
        piece of the name of a body found ("Libertés" of "loi Informatique et Libertés") is dropped."""
        counts = {e.text: e.count for e in found}
        names_found = [f" {form} " for e in found for form in self.by_acronym[e.text].forms() if " " in form]
        others = []
        for entity in recognised:
            body = self.folded_forms.get(fold(entity.text)) or self.folded_forms.get(entity.text.casefold())
            if body is None:
                piece = f" {fold(entity.text)} "
                if not any(piece in name for name in names_found):
                    others.append(entity)
            elif body.acronym not in counts:  # the recognizer saw it where our patterns did not
                counts[body.acronym] = entity.count
        merged = [Entity(text=a, label=self.by_acronym[a].label, count=n) for a, n in counts.items()] + others
        return sorted(merged, key=lambda e: -e.count)
