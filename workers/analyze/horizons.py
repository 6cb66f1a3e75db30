"""Future target years a document states: "à l'horizon 2050", "d'ici 2031", "neutralité carbone en
2050", "réduire de 40 % en 2030", "l'objectif 2027", a plan named for its horizon ("SCoT 2030").

A year counts when something introduces it as a target: a horizon cue just before it, or a goal
(objectif, cible, réduire, atteindre, a percentage, a conditional: "pourrions"…) earlier in the same
sentence with the year after "en", "pour", "à", in brackets, or closing a period ("2015-2030"). Never
the publication year or an earlier one; without a publication year, only 2030 and later (an undated
"d'ici 2025" may be past).
"""

from __future__ import annotations

import re
from collections import defaultdict

from schemas.documents import Evidence, HorizonTag, Page
from workers.analyze.text import passage_around

_TARGET_YEAR = r"(?:20[2-9]\d|2100)(?![\d,.]\d)"  # a year that can be a horizon, not a number's digits
_YEAR = f"({_TARGET_YEAR})"
#: a cue that makes the year right after it a horizon, whatever the sentence
_HORIZON = re.compile(
    r"\b(?:d['’]ici(?:\s+(?:à|a|fin|la\s+fin\s+de))?|(?:à|a)\s+l['’]horizon(?:\s+de)?|horizons?|(?:à|a)\s+l['’]échéance"
    r"(?:\s+de)?|échéances?|jusqu['’](?:en|à)|au-delà\s+de|neutralité\s+carbone|zéro\s+artificialisation\s+nette|"
    r"\bZAN\b|\bSNBC\d?\b|trajectoires?|prospective|projections?|scénarios?|vision|cap|cibles?|objectifs?|ambition)"
    r"\s[^.\n;]{0,30}?\b" + _YEAR, re.IGNORECASE)
#: a goal in the sentence before a year introduced by "en", "pour", "à", "vers" or ending a period; verbs
#: in any form ("réduire", "réduites", "baissera", "atteinte")
_GOAL = re.compile(r"\b(?:objectifs?|cibles?|réd(?:ui|uc)\w*|dimin\w*|bais\w*|divis\w*|atteind\w*|atteint\w*|"
                   r"porter|passer\s+de|vise[rn]?t?|neutres?|neutralité|zéro|économ\w*|doubler|tripler|augment\w*|hausse|"
                   r"doit|doivent|devra|devront|pourrai(?:en)?t|pourrions|devrai(?:en)?t|devrions)\b"
                   r"|\d+(?:[,.]\d+)?\s?%",  # a share aimed at: "-40 %", "moins 40 %", "100 %"
                   re.IGNORECASE)
#: a year after "en", "pour", "à", "vers" or "(", or the end of a period ("2015-2030", "entre 2012 et 2030")
_INTRODUCED = re.compile(rf"(?:\b(?:en|pour|à|vers)\s+|\(\s*)(?P<year>{_TARGET_YEAR})"
                         rf"|\b(?:entre\s+)?(?P<since>(?:19|20)\d\d)\s?(?:[-–à]|et)\s?(?P<until>{_TARGET_YEAR})",
                         re.IGNORECASE)
#: a plan named for its horizon: "SCoT 2030", "Ambition Territoires 2030", "Plan Vélo 2030", or for its
#: period, which ends at its horizon ("PCAET 2024-2030", "PLH 2023-2028"); not a programme cited in
#: passing ("Agenda 2030")
_NAMED = re.compile(r"\b(?:SCoT|PLUi?H?|PCAET|PLH|PDU|PDM|SDAGE|PGRI|PPE|SRADDET|Projet|Ambition|Territoires?|"
                    r"Stratégie|Plan\s+[A-ZÀ-Ý][\w-]+)\s+(?:20[0-2]\d\s?[-–/]\s?)?" + _YEAR + r"(?!\s?[-–/]\s?\d)")
#: a sentence ends at its punctuation, or at a line break before a new line that starts like one (a capital,
#: a bullet, a number); a break before a small letter is a PDF's line wrap inside the sentence
_SENTENCE_START = re.compile(r"[.!?;]|\n(?=\s*(?:[-•*–\d]|[A-ZÀ-Ý]))")
_MAX_EVIDENCE = 3
_MIN_PERIOD_YEARS = 3
_LAST_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _sentence_before(text: str, position: int, reach: int = 160) -> str:
    start = max(0, position - reach)
    before = text[start:position]
    cut = max((m.end() for m in _SENTENCE_START.finditer(before)), default=0)
    return before[cut:]


def find_horizons(pages: list[Page], publication_year: int | None) -> list[HorizonTag]:
    """The target years of the document, each with up to three passages that state it."""
    floor = publication_year + 1 if publication_year else 2030
    found: dict[int, list[Evidence]] = defaultdict(list)

    def keep(page: Page, year: int, start: int, end: int) -> None:
        if year >= floor and len(found[year]) < _MAX_EVIDENCE:
            passage = passage_around(page.text, start, end)
            if all(e.text != passage for e in found[year]):
                found[year].append(Evidence(text=passage, page=page.page))

    for page in pages:
        text = page.text
        for m in _HORIZON.finditer(text):
            keep(page, int(m.group(1)), m.start(1), m.end(1))
        for m in _NAMED.finditer(text):
            keep(page, int(m.group(1)), m.start(1), m.end(1))
        for m in _INTRODUCED.finditer(text):
            group = "year" if m.group("year") else "until"
            if group == "until" and int(m.group("until")) - int(m.group("since")) < _MIN_PERIOD_YEARS:
                continue  # "l'hiver 2022-2023", "2024-2025": a season or a school year, not a horizon
            # a goal introduces the next year the sentence names: "d'ici 2024, ensuite … en 2026" is one target
            before = _LAST_YEAR.split(_sentence_before(text, m.start()))[-1]
            if _GOAL.search(before):
                keep(page, int(m.group(group)), m.start(group), m.end(group))
    return [HorizonTag(year=y, evidence=ev) for y, ev in sorted(found.items()) if ev]
