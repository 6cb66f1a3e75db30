"""Territory tagging against the gazetteer (``schemas.gazetteer``): which places a document names,
and which it is about.

Names are matched on folded text (no case, accents, hyphens or apostrophes), but a match must be
capitalised in the original text, so the common word "vif" is not the commune of Vif.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict

from schemas.documents import Evidence, Page, TerritoryTag
from schemas.gazetteer import Gazetteer, Territory
from schemas.territory_levels import TerritoryLevel
from schemas.text import fold
from workers.analyze.text import COVER_CHARS, passage_around

_MAX_WORDS = 12
#: the generic words of an intercommunality's name, which may be written in lower case
_EPCI_GENERIC = frozenset("communaute communes commune d agglomeration agglo urbaine metropole cc ca cu".split())
_MIN_SINGLE_WORD_POP = 5000
_ACRONYM_LETTERS = 4  # a name this short, in capitals amid ordinary text, is read as an acronym
_WORD = re.compile(r"\w+(?:-\w+)*", re.UNICODE)
#: every word of every page is folded to be looked up; a text repeats most of its words
_fold_word = functools.lru_cache(maxsize=1 << 16)(fold)
_ARTICLES = frozenset({"la", "le", "les", "l", "de", "du", "des", "d", "au", "aux"})
#: single-word names that are far more often French words or first names than places
_AMBIGUOUS = frozenset(fold(w) for w in "Vif Bourg Bois Le La Les Eau Val Mont Port Nord Sud Centre Plan Lans "
                       "Pont Saint Sainte France Notre Dame Grand Villard Charmes Moras Lent Mens Moirans "
                       "Réunion Gap Ain Cher Var Orne Lot Tarn Gard Aude Eure Indre Loire Marne Somme Vienne "
                       "Yonne Meuse Oise Nièvre Sarthe Manche".split())
#: first words of compound names that start sentences or name people ("Château de…", "Pierre Dupont"),
#: and the ambiguous words: never a document's short form of the compound ("Château-Thierry", "Ville-d'Avray")
_COMMON_HEADS = _AMBIGUOUS | frozenset(
    fold(w) for w in "Château Ville Pierre Jean Louis Marie Paul Champs Croix Haut Haute Petit Petite Neuf Neuve "
                     "Vieux Vieille Fort Roche Rivière Chapelle Église Maison Moulin".split())
#: whole names that are far more often common phrases ("l'Union européenne", "Les Plans de prévention")
_AMBIGUOUS_NAMES = frozenset({"l union", "les plans", "le plan", "la reunion", "saint paul", "la force", "la poste",
                              "la bresse", "la rochelle en", "le syndicat", "mer"})
#: a département named for its river ("la Sarthe", "la Loire") is the département when the text says so:
#: "département de la Sarthe", "conseil départemental de la Sarthe", "en Sarthe", "Sarthe (72)"; once a
#: document has said so, its other mentions count too
_RIVER_DEPARTEMENT = re.compile(r"((?i:d[ée]partement(?:al|ale)?\s+"
                                r"(?:de\s+la\s+|de\s+l['’]\s*|du\s+|des\s+|de\s+|d['’]\s*))"
                                r"|\b[Ee][Nn]\s+)?\b([A-ZÀ-Ý][\w-]+)")
_DEPARTEMENT_NUMBER = re.compile(r"\s*\(\s*(?:\d{2}|2A|2B)\s*\)")
#: "à Couthenans": a small commune's one-word name after a locative (in a title also "de Couthenans")
_LOCATIVE = re.compile(r"\b[àÀ]\s+$")
_TITLE_LOCATIVE = re.compile(r"(?:\b[àÀ]|\bde|\bd['’])\s*$")
#: State services named by their département number: "DDT 38", "DDTM76", "DDT de l'Isère" is a name match
_DEPT_SERVICE = re.compile(r"\bDDTM?\s?(\d{2}|2A|2B)\b")
_SERVICE_WEIGHT = 0.5
#: "Stanislas Besson DDT 38": the author's département, less often the subject
_PERSON_BEFORE = re.compile(r"\b[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?\s+(?:[A-ZÀ-Ý][a-zà-ÿ]+|[A-ZÀ-Ý]{2,})"
                            r"(?:[- ][A-ZÀ-Ý][a-zà-ÿ]+)?\s*$")
_TITLE_WEIGHT = 5
# How a mention is introduced says whether the place is a subject or an aside.
_DATE_LINE = re.compile(r"^\s*,?\s*le\s+[^\w\s]?\d", re.I)  # "Rouen, le 29 mai 2020" (OCR: "le {5"): a signature
_AFFILIATION = re.compile(r"universit|univ\.|laboratoire|cnrs|inra", re.I)
_EXAMPLE = re.compile(r"exemple|ex\.|notamment|tel(le)?s? que|comme", re.I)
#: a place between commas with another name across the comma: "Melle, Vaour, Poitiers"; not an apposition
#: ("la Haute-Saône, comme l'ensemble du territoire") nor a sentence's opening ("En 2023, Grenoble")
_IN_LIST = re.compile(r"[A-ZÀ-Ý][\w'’-]*\)?\s*,\s*$")
_LIST_AFTER = re.compile(r"\s*,\s*(?:et\s+)?[A-ZÀ-Ý]")
_POSTAL_ADDRESS = re.compile(r"\d{5}\s*(cedex\s*)?$", re.I)  # "41000 Blois", "Beauvau75800 PARIS": an address
_CEDEX = re.compile(r"^\s*cedex\b", re.I)  # "PARIS CEDEX 07"
_FIRST_PAGE_WEIGHT = 2
_SCATTERED_PLACES = 10
_SCATTERED_TOP_SHARE = 0.15
_INSTITUTION = re.compile(r"\b(?:Eau|Eaux|Université|Banque|Chambre|Agence|Caisse|Institut|École|Ecole|Musée|"
                          r"Opéra|Théâtre|Aéroport|Gare|Hôpital|CHU|Lycée|Collège|Tribunal|Cour|Académie|Crédit)"
                          r"(?:\s+[A-ZÀ-Ý][\w'’-]*)*\s+(?:de\s+la\s+|de\s+l['’]\s*|du\s+|des\s+|de\s+|d['’]\s*)$")
_PREFECT = re.compile(r"\bpr[ée]f(?:et|[èe]te|ecture)\s+(?:de\s+la\s+|de\s+l['’]\s*|du\s+|des\s+|de\s+)$", re.I)
#: a place as a landmark: "à l'est de Marmande", "à 20 km d'Agen", "entre Marmande et", "relier X à"
_RELATIVE = re.compile(r"(?:(?:nord|sud|est|ouest)(?:-(?:est|ouest))?\s+d[eu]?|km\s+d[eu]?|proximité\s+d[eu]?"
                       r"|\bentre|\brelier|\bdepuis|\bvers)\s*(?:la\s+|l['’]\s*)?$", re.I)
#: "la commune d'Agnac", "les communes de Peyrière, Puysserampion et", "les habitants de Couthenans",
#: "la mairie de Luze": a small place named as a commune
_COMMUNE_CUE = re.compile(r"\b(?:communes?|habitants?|maires?|mairies?|villages?)\s+(?:de\s+|d['’]\s*|du\s+)"
                          r"(?:[\w'’-]+(?:\s+[\w'’-]+){0,3}\s*(?:,|\bet\b)\s*){0,12}$", re.I)
#: a bibliography: places in the titles of cited works are not the document's subject
_REFERENCES = re.compile(r"^\s*(?:r[ée]f[ée]rences(?:\s+bibliographiques)?|bibliographie|sources)\s*:?\s*$",
                         re.I | re.M)
_MIN_ABOUT_SCORE = 3
_WORDS_PER_ABOUT_POINT = 2000  # a long report must cite a place more often to be "about" it
_ABOUT_SHARE_OF_TOP = 0.3
#: a short note (a page or two) names its subject once or twice: its best-scored place, the smallest on a tie
_SHORT_NOTE_WORDS = 800


def _compound(folded: str) -> bool:
    """A hyphenated name of its own ("Lambres-lez-Douai", "Pont-Croix"), not a saint's name that
    streets and churches share ("Saint-Pierre")."""
    parts = folded.split()
    return len(parts) >= 3 or (len(parts) == 2 and parts[0] not in {"saint", "sainte"})


def _small_commune_word(candidates: list[Territory], folded: str) -> bool:
    """One word (``folded``) naming a small commune: kept only where the text calls it a commune."""
    return " " not in folded and any(c.level == "commune" and c.population < _MIN_SINGLE_WORD_POP
                                     for c in candidates)


def _same_letters(written: str, name: str) -> bool:
    """``written`` spells ``name`` with the same accents, its first letter aside; a short name or an
    alias ("Palavas", "la Métro") is not judged."""
    if fold(written) != fold(name) or len(written) != len(name):
        return True
    return written[1:].lower() == name[1:].lower()


def with_scope(tags: list[TerritoryTag], language: str) -> list[TerritoryTag]:
    """Every document has a geographic scope: the places it is about; failing any, France (a
    national document: a standard, a guide, a State's circular) when it is written in French or
    names French places, else "International"."""
    if any(t.about for t in tags):
        return tags
    if language == "fr" or tags:
        scope = TerritoryTag(code="FR", level="pays", name="France", about=True, count=0)
    else:
        scope = TerritoryTag(code="INT", level="monde", name="International", about=True, count=0)
    return [scope, *[t for t in tags if (t.level, t.code) != (scope.level, scope.code)]]


class TerritoryTagger:
    """Finds territories in page text; ``about`` marks those the document is about."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._river_departements = frozenset(
            name for name in _AMBIGUOUS if any(t.level == "departement" for t in gazetteer.by_name.get(name, [])))

    def run(self, pages: list[Page], title: str = "") -> list[TerritoryTag]:
        established = frozenset().union(*(self._cued_departements(text) for text in [title, *(p.text for p in pages)]))
        found = [(page, m) for page in pages for m in self._matches(page.text, established)]
        title_matches = list(self._matches(title, established, in_title=True))
        known = self._document_names([*((page.text, m) for page, m in found), *((title, m) for m in title_matches)])
        if known:
            taken = defaultdict(list)
            for page, (_, start, end, _) in found:
                taken[page.page].append((start, end))
            found += [(page, m) for page in pages for m in self._known_matches(page.text, known, taken[page.page])]
        # Homonyms are resolved in the context of the unambiguous places the document names.
        context: Counter[str] = Counter()
        for _, (candidates, _, _, weight) in found:
            if len(candidates) == 1 and (dep := self.gazetteer.departement_of(candidates[0].key)):
                context[dep] += weight
        hits: dict[str, list[Evidence]] = defaultdict(list)
        weights: Counter[str] = Counter()
        words = sum(len(p.text.split()) for p in pages)
        # The cover: the first page; none for a one-page note; the opening of a long document in one page.
        if len(pages) > 1:
            cover_chars = len(pages[0].text)
        else:
            cover_chars = COVER_CHARS if words > 2 * _WORDS_PER_ABOUT_POINT else 0
        plain: Counter[str] = Counter()  # mentions of full weight: not a service, a reference, an example
        on_cover: Counter[str] = Counter()  # named on the cover as a subject, not in a signature or an address
        for page, (candidates, start, end, weight) in found:
            weight *= self._mention_weight(page.text, start, end)
            key = self.gazetteer.resolve(candidates, context).key
            hits[key].append(Evidence(text=passage_around(page.text, start, end), page=page.page))
            weights[key] += weight
            plain[key] += weight >= 1
            if page is pages[0] and start < cover_chars and weight > 0:
                on_cover[key] += 1
        in_title = {self.gazetteer.resolve(c, context).key for c, start, end, _ in title_matches
                    if self._mention_weight(title, start, end) > 0}  # not "Université de Tours", "Rouen, le 2 mai"
        scores = {key: weights[key] + _FIRST_PAGE_WEIGHT * (key in on_cover)
                  + _TITLE_WEIGHT * (key in in_title) for key in hits} if pages else {}
        top = max(scores.values(), default=0)
        needed = max(_MIN_ABOUT_SCORE, words / _WORDS_PER_ABOUT_POINT)
        # A document citing many places, none standing out, is about none of them (a national report,
        # a list of laureates): only its title or cover can then say where it is about.
        mentions = sum(len(ev) for ev in hits.values())
        scattered = len(hits) >= _SCATTERED_PLACES and max(map(len, hits.values()), default=0) < (
            _SCATTERED_TOP_SHARE * mentions)
        tags = []
        for key, evidence in hits.items():
            t = self.gazetteer.by_key[key]
            # about: named in the title, or among the most cited places (cover page counting double) and
            # cited across the document, not on one page only (an affiliation, a signature place)
            spread = len({e.page for e in evidence}) >= 2 or len(pages) < 3
            # a place the cover names again and again, and the text twice as often as the average place,
            # is a subject even among many others (a groupement of communes); one named in passing on
            # the cover ("en déplacement à Amiens") or a laureate among laureates is not
            standout = on_cover[key] >= 2 and len(evidence) >= 2 * mentions / len(hits)
            about = key in in_title or ((standout or not scattered) and scores[key] >= needed
                                        and scores[key] >= _ABOUT_SHARE_OF_TOP * top and spread)
            tags.append(TerritoryTag(code=t.code, level=t.level, name=t.name, about=about, count=len(evidence),
                                     ancestors=self.gazetteer.ancestors(key), evidence=evidence[:3]))
        if not any(t.about for t in tags) and 0 < words < _SHORT_NOTE_WORDS and not scattered:
            named = [t for t in tags if plain[f"{t.level}:{t.code}"]]
            best_score = max((scores[f"{t.level}:{t.code}"] for t in named), default=0)
            best = [t for t in named if scores[f"{t.level}:{t.code}"] == best_score]
            if best:
                subject = max(best, key=lambda t: TerritoryLevel(t.level).rank)
                # named once among other places named once (Melle, Vaour, Poitiers, la Drôme): a list of
                # examples, not a subject; its own département or region beside it is no rival
                rivals = [t for t in named if t is not subject and f"{t.level}:{t.code}" not in subject.ancestors]
                if subject.count >= 2 or not rivals:
                    subject.about = True
        return sorted(tags, key=lambda tag: (-tag.about, -tag.count, tag.code))

    def _document_names(self, matches: list[tuple[str, tuple]]) -> dict[str, list[Territory]]:
        """Names a document defines for itself, from its (text, match) pairs. A small commune it has
        called a commune once ("à Luze", "maire d'Audierne") is that commune wherever else it is named;
        a commune with a compound name written in full ("Lambres-lez-Douai", "Varces-Allières-et-Risset")
        is also its first word ("le PLU de Lambres"). (The gazetteer itself gives every commune "X-sur-…",
        "X-lès-…" its short name where no other place is called X; this covers the rest, within a document.)"""
        known: dict[str, list[Territory]] = {}
        for text, (candidates, start, end, _) in matches:
            folded = fold(text[start:end])
            if _small_commune_word(candidates, folded):
                known[folded] = candidates
            communes = [c for c in candidates if c.level == "commune"]
            head = folded.split()[0]
            if (len(communes) == 1 and _compound(folded) and len(head) >= 4 and head not in _COMMON_HEADS
                    and fold(communes[0].name) == folded
                    and not any(t.population >= _MIN_SINGLE_WORD_POP for t in self.gazetteer.by_name.get(head, []))):
                known.setdefault(head, communes)
        return known

    @staticmethod
    def _known_matches(text: str, known: dict[str, list[Territory]],  # noqa: ANN205
                       taken: list[tuple[int, int]]):
        """The capitalised words of ``text`` that name what the document has defined (``known``), outside
        the matches already ``taken``; yields matches as ``_matches`` does."""
        for w in _WORD.finditer(text):
            word = w.group()
            if word[0].isupper() and (candidates := known.get(_fold_word(word))) and not any(
                    start <= w.start() < end for start, end in taken):
                yield candidates, w.start(), w.end(), 1.0

    @staticmethod
    def _mention_weight(text: str, start: int, end: int) -> float:
        """1 for a plain mention; less in a signature line, an affiliation, an example or a list."""
        before, after = text[max(0, start - 40):start], text[end:end + 15]
        if (_DATE_LINE.match(after) or _AFFILIATION.search(before) or _POSTAL_ADDRESS.search(before)
                or _CEDEX.match(after)):
            return 0.0
        if _REFERENCES.search(text, max(0, start - 400), start):
            return 0.25
        if _INSTITUTION.search(before[-40:]):
            return 0.25  # "Eau de Paris", "Université de Tours": an organisation's name, not its subject
        if _PREFECT.search(before[-25:]):
            return 2.0  # "Préfet de la Seine-Maritime": the State in the département the act applies to
        if _RELATIVE.search(before[-30:]):
            return 0.25
        if _EXAMPLE.search(before[-25:]) or "(" in before[-3:]:
            return 0.5
        if _IN_LIST.search(before) or _LIST_AFTER.match(after):
            return 0.5
        return 1.0

    @staticmethod
    def _shouted(words: list[re.Match[str]], i: int) -> bool:
        """Word ``i`` stands in a line written in capitals ("MAIRIE DE PAU"), its neighbours too."""
        near = [w.group() for w in [*words[max(0, i - 2):i], *words[i + 1:i + 3]]]
        return any(w.isupper() and sum(c.isalpha() for c in w) >= 2 for w in near)

    @staticmethod
    def _capitalised(words: list[re.Match[str]]) -> bool:
        """A place name starts with a capital once leading articles and the generic words of an
        intercommunality are skipped ("la Métro", "la communauté de communes du Trièves")."""
        for word in words:
            text = word.group()
            if text.lower() in _ARTICLES:
                continue
            if text[0].isupper():
                return True
            if fold(text) not in _EPCI_GENERIC:
                return False
        return False

    def _cued_departements(self, text: str) -> set[str]:
        """Folded river names the text names as départements ("département de la Sarthe", "en Sarthe")."""
        out = set()
        for m in _RIVER_DEPARTEMENT.finditer(text):
            name = fold(m.group(2))
            if name in self._river_departements and (m.group(1) or _DEPARTEMENT_NUMBER.match(text, m.end())):
                out.add(name)
        return out

    def _matches(self, text: str, established: frozenset[str] = frozenset(),  # noqa: ANN202
                 in_title: bool = False):  # yields (candidates, start, end, weight)
        for m in _DEPT_SERVICE.finditer(text):
            if (t := self.gazetteer.by_key.get(f"departement:{m.group(1)}")) is not None:
                # "Stanislas Besson DDT 38": a person's employer in a list of participants, not a subject
                person = _PERSON_BEFORE.search(text[max(0, m.start() - 40):m.start()])
                yield [t], m.start(), m.end(), 0.0 if person else _SERVICE_WEIGHT
        words = list(_WORD.finditer(text))
        folded_words = [_fold_word(w.group()) for w in words]
        i = 0
        while i < len(words):
            first = folded_words[i].split(" ", 1)[0] if folded_words[i] else ""
            longest = min(self.gazetteer.max_words.get(first, 0), _MAX_WORDS, len(words) - i)
            found = None
            for n in range(longest, 0, -1):
                folded = " ".join(folded_words[i:i + n])
                candidates = self.gazetteer.by_name.get(folded)
                if not candidates or folded in _AMBIGUOUS_NAMES or not self._capitalised(words[i:i + n]):
                    continue
                if n == 1 and not words[i].group().isupper():
                    # "Ligne" is not Ligné: a name written in lower case keeps its accents (a capital may lose its own)
                    candidates = [c for c in candidates if _same_letters(words[i].group(), c.name)]
                    if not candidates:
                        continue
                elif n == 1 and len(folded) <= _ACRONYM_LETTERS and not self._shouted(words, i) and not re.search(
                        rf"\b{re.escape(words[i].group().capitalize())}\b", text):
                    # "une PIA", "l'EU": a short word in capitals amid text is an acronym, not Pia or Eu (an
                    # acronym that names a region, "AURA", still does)
                    candidates = [c for c in candidates if c.level != "commune"]
                    if not candidates:
                        continue
                if n == 1 and (folded in _AMBIGUOUS or len(folded) < 3):
                    # a river-named département counts where the text has named it as one
                    if folded not in established:
                        continue
                    candidates = [c for c in candidates if c.level == "departement"]
                named = [w.group() for w in words[i:i + n] if w.group().lower() not in _ARTICLES]
                locative = _TITLE_LOCATIVE if in_title else _LOCATIVE
                one_word = (n == 1 and not _compound(folded)) or (len(named) == 1 and named[0].isupper())
                at = words[i].start()
                if one_word and not _COMMUNE_CUE.search(text, max(0, at - 120), at) and not (
                        n == 1 and locative.search(text, max(0, at - 5), at)):
                    # one capitalised word naming a small commune is usually something else, and so is
                    # one shouted word after an article ("A L'ECHELLE EPCI"), unless the text calls it a commune
                    # ("à Luze", "la commune d'Agnac"; elsewhere in the document: ``_document_names``)
                    candidates = [c for c in candidates if c.level != "commune" or c.population >= _MIN_SINGLE_WORD_POP]
                if candidates:
                    found = (candidates, words[i].start(), words[i + n - 1].end(), n)
                    break
            if found:
                yield found[0], found[1], found[2], 1.0
                i += found[3]
            else:
                i += 1
