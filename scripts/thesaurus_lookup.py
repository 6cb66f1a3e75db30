"""Find GEMET and EuroVoc concepts whose French label matches a term (helps curate themes.yaml).

Run: .venv/bin/python scripts/thesaurus_lookup.py "qualité de l'air" urbanisme ...
Prints each match as `URI  label`. Reads ../shared/data/themes (EEA GEMET 4.1.2, EuroVoc 2021-06-04).
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import yaml
from lxml import etree

from schemas.text import fold

THEMES = Path(__file__).resolve().parents[2] / "shared" / "data" / "themes"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


@cache
def gemet() -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    root = etree.parse(str(THEMES / "gemet" / "gemet-fr.rdf")).getroot()
    for concept in root.iter(f"{{{SKOS}}}Concept"):
        uri = concept.get(f"{{{RDF}}}about")
        for label in concept.iter(f"{{{SKOS}}}prefLabel", f"{{{SKOS}}}altLabel"):
            if label.text:
                out.setdefault(fold(label.text), []).append((uri, label.text))
    return out


@cache
def eurovoc() -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    data = yaml.safe_load((THEMES / "eurovoc" / "eurovoc.yaml").read_text(encoding="utf-8"))
    for cid, concept in data["concepts"].items():
        labels = [concept.get("prefLabel", {}).get("fr")]
        labels += (concept.get("altLabel") or {}).get("fr", []) or []
        for label in filter(None, labels):
            out.setdefault(fold(label), []).append((f"http://eurovoc.europa.eu/{cid}", label))
    return out


def lookup(term: str) -> list[tuple[str, str]]:
    key = fold(term)
    return gemet().get(key, []) + eurovoc().get(key, [])


if __name__ == "__main__":
    for term in sys.argv[1:]:
        for uri, label in lookup(term):
            print(f"{term:<35} {uri:<50} {label}")
