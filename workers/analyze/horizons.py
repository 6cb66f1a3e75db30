"""Future target years a document states ("à l'horizon 2050", "d'ici 2030", "en 2050" after a goal)."""

from __future__ import annotations

import re
from collections import defaultdict

from schemas.documents import Evidence, HorizonTag, Page
from workers.analyze.text import passage_around

_CUE = re.compile(
    r"(?:horizon|d['’]ici(?: à)?|à l['’]échéance|échéance|objectifs?|neutralité carbone|trajectoire|"
    r"prospective|scénarios?|perspective|projection|vision|cap)\s[^.\n]{0,40}?\b(20[3-9]0|20[2-9][05]|2[1-9]00)\b",
    re.IGNORECASE,
)


def find_horizons(pages: list[Page], publication_year: int | None) -> list[HorizonTag]:
    """Years introduced by a forward-looking cue and later than the publication year.

    Without a publication year, only 2030 and later count: an undated "d'ici 2025" may be past.
    """
    floor = publication_year + 1 if publication_year else 2030
    found: dict[int, list[Evidence]] = defaultdict(list)
    for page in pages:
        for m in _CUE.finditer(page.text):
            year = int(m.group(1))
            if year >= floor and len(found[year]) < 3:
                found[year].append(Evidence(text=passage_around(page.text, m.start(1), m.end(1)), page=page.page))
    return [HorizonTag(year=y, evidence=ev) for y, ev in sorted(found.items())]
