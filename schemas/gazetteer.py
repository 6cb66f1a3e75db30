"""The INSEE gazetteer (communes, EPCI, départements, régions) as phare reads it: one owner for
the reference data both the analysis and the search side use (names, codes, parents, aliases).

Names are folded (``schemas.text.fold``); an EPCI is also found as texts write it ("Dinan
Agglomération", "la communauté de communes du Trièves"), a commune by its short name when no other
place has it ("Palavas"). Homonyms are resolved towards the larger level, then the Isère home
territory, then the larger population.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from schemas.territory_levels import TerritoryLevel
from schemas.text import fold
from schemas.yaml_files import read_yaml

_LEVEL_RANK = {level.value: level.rank for level in TerritoryLevel}
_HOME_DEPARTEMENT = "departement:38"
#: how the types of intercommunality are written out in full ("CC du Trièves" is "la communauté de
#: communes du Trièves"); these words may start a name in lower case
_EPCI_TYPES = {"CC": ("communaute de communes", "cc"),
               "CA": ("communaute d agglomeration", "ca", "agglomeration", "agglo"),
               "CU": ("communaute urbaine", "cu"), "Métropole": ("metropole",)}
#: what an intercommunality's name may end with besides its place ("Douaisis Agglo", "Vitré Communauté")
_EPCI_SUFFIX = re.compile(r"\s+(?:agglomeration|agglo|communaute|metropole)$")
_CONNECTORS = ("", "du", "de la", "de l", "des", "de", "d")
_LEADING_ARTICLE = re.compile(r"^(?:du|de la|de l|des|de|d|le|la|les|l)\s+")
_SHORT_NAME = re.compile(r"^([^\W\d_]+)-(?:les|lès|sur|en|sous)-", re.UNICODE)
#: "Le Mans" is "du Mans", "au Mans"; "Les Sables-d'Olonne" "des Sables-d'Olonne", "aux Sables-d'Olonne"
_CONTRACTIONS = {"le": ("du", "au"), "les": ("des", "aux")}
#: a one-word commune after its contracted article ("du Port", "au Robert", "du Luc") is more often a
#: word or a name than the place, unless the place is a large city ("du Mans", "au Havre")
_MIN_CONTRACTED_WORD_POP = 50_000


def _contracted(folded: str) -> tuple[str, ...]:
    """A folded name that starts with "le"/"les" as French writes it after "de" and "à" ("le mans" ->
    "du mans", "au mans"); nothing for any other name."""
    article, _, rest = folded.partition(" ")
    return tuple(f"{c} {rest}" for c in _CONTRACTIONS[article]) if article in _CONTRACTIONS and rest else ()


@dataclass(frozen=True)
class Territory:
    code: str
    level: str
    name: str
    parent: str
    population: int

    @property
    def key(self) -> str:
        """Codes collide across levels (région 84 vs département 84): keys are ``level:code``."""
        return f"{self.level}:{self.code}"


class Gazetteer:
    """Territories by code and by folded name, loaded from the package data."""

    def __init__(self, territories: list[Territory], aliases: dict[str, str]) -> None:
        self.by_key = {t.key: t for t in territories}
        self.by_name: dict[str, list[Territory]] = defaultdict(list)
        for t in territories:
            self.by_name[fold(t.name)].append(t)
        for alias, code in aliases.items():
            if code in self.by_key:
                self.by_name[fold(alias)].insert(0, self.by_key[code])
        self._add_short_names(territories)
        self._add_contracted_names(territories)
        self._add_intercommunality_names(territories)
        self._add_metropole_names(territories)
        #: folded first word of every name -> the most words a name starting with it has
        self.max_words: dict[str, int] = {}
        for name in self.by_name:
            words = name.split()
            self.max_words[words[0]] = max(self.max_words.get(words[0], 0), len(words))

    def _add_short_names(self, territories: list[Territory]) -> None:
        """"Palavas" for Palavas-les-Flots: the part before -les-/-sur-/-en-… when no other place has it."""
        shorts: dict[str, list[Territory]] = defaultdict(list)
        for t in territories:
            if t.level == "commune" and (match := _SHORT_NAME.match(t.name)):
                shorts[fold(match.group(1))].append(t)
        for short, owners in shorts.items():
            if len(owners) == 1 and short not in self.by_name and len(short) >= 6 and " " not in short:
                self.by_name[short].append(owners[0])

    def _add_contracted_names(self, territories: list[Territory]) -> None:
        """A commune whose name starts with an article as texts write it after "de" and "à": "le Pays du
        Mans", "au Pont-de-Claix", "des Sables-d'Olonne" (a single word only for a large city)."""
        for t in territories:
            name = fold(t.name)
            forms = _contracted(name) if t.level == "commune" else ()
            one_word = len(name.split()) == 2  # "le mans": the article and one word
            if not forms or (one_word and t.population < _MIN_CONTRACTED_WORD_POP):
                continue
            for form in forms:
                if t not in self.by_name[form]:
                    self.by_name[form].append(t)

    def _add_intercommunality_names(self, territories: list[Territory]) -> None:
        """An EPCI as texts write it: "CC du Trièves" is also "communauté de communes du Trièves";
        "CA Dinan Agglomération" is also "Dinan Agglomération" and "l'agglomération de Dinan"; "CA
        Douaisis Agglo" is "l'agglomération du Douaisis"; "CA du Pays Voironnais" is "le Pays
        Voironnais": a name of several words that no commune or département holds (a single word,
        "Trièves", "le Douaisis", is too often something else)."""
        taken = set(self.by_name)
        for t in territories:
            if t.level != "epci":
                continue
            kind, _, rest = t.name.partition(" ")
            if kind not in _EPCI_TYPES or not rest:
                continue
            core = fold(rest)
            bare = _LEADING_ARTICLE.sub("", core)
            place = _EPCI_SUFFIX.sub("", bare)  # the suffix needs a word before it: a place is left
            variants = {" ".join(f"{long} {link} {name}".split()) for long in _EPCI_TYPES[kind]
                        for link in _CONNECTORS for name in (bare, place)}
            variants |= {name for name in (core, bare) if len(name.split()) >= 2 and name not in taken}
            for name in variants:
                if t not in self.by_name[name]:
                    self.by_name[name].append(t)

    def _add_metropole_names(self, territories: list[Territory]) -> None:
        """A métropole by its largest commune, as texts write it whatever its official name:
        "Montpellier Métropole" and "la métropole de Montpellier" for Montpellier Méditerranée
        Métropole, "Grenoble Métropole" for Grenoble-Alpes-Métropole, "la métropole du Havre"."""
        largest: dict[str, Territory] = {}
        for t in territories:
            if t.level == "commune" and t.parent.startswith("epci:") and (
                    t.parent not in largest or t.population > largest[t.parent].population):
                largest[t.parent] = t
        for t in territories:
            if t.level != "epci" or "metropole" not in fold(t.name).split() or t.key not in largest:
                continue
            city = fold(largest[t.key].name)
            after_de = next(iter(_contracted(city)), f"de {city}")  # "du havre", "de rouen"
            for name in (f"{city} metropole", f"metropole {after_de}"):
                if not self.by_name.get(name):
                    self.by_name[name].append(t)

    @classmethod
    def load(cls, directory: Path | None = None) -> Gazetteer:
        """The gazetteer of ``directory`` (``territories.csv``, ``aliases.yaml``), by default the packaged one."""
        data = directory or packaged_gazetteer_dir()
        with (data / "territories.csv").open(encoding="utf-8") as fh:
            rows = [Territory(r["code"], r["level"], r["name"], r["parent"], int(r["population"] or 0))
                    for r in csv.DictReader(fh)]
        aliases = read_yaml(data / "aliases.yaml") or {}
        return cls(rows, {str(k): str(v) for k, v in aliases.items()})

    def starting_with(self, folded_prefix: str, limit: int) -> list[Territory]:
        """Territories whose folded name, or code (when digits are typed: "38", "38185"), starts with
        ``folded_prefix``; larger levels and places first."""
        found = {t.key: t for name, ts in self.by_name.items() if name.startswith(folded_prefix) for t in ts}
        if any(c.isdigit() for c in folded_prefix):
            code = folded_prefix.replace(" ", "").upper()
            found.update({t.key: t for t in self.by_key.values() if t.code.upper().startswith(code)})
        return sorted(found.values(), key=lambda t: (_LEVEL_RANK[t.level], -t.population))[:limit]

    def ancestors(self, key: str) -> list[str]:
        """Keys of the enclosing territories, nearest first (commune → EPCI → département → région → pays)."""
        out: list[str] = []
        current = self.by_key.get(key)
        while current and current.parent in self.by_key and len(out) < 6:
            out.append(current.parent)
            current = self.by_key[current.parent]
        return out

    def label(self, key: str) -> str:
        t = self.by_key.get(key)
        return t.name if t else key

    def departement_of(self, key: str) -> str | None:
        if key.startswith("departement:"):
            return key
        return next((k for k in self.ancestors(key) if k.startswith("departement:")), None)

    def resolve(self, candidates: list[Territory], context: Counter[str] | None = None) -> Territory:
        """Pick among homonyms: in a département the document cites, then the larger level, then the
        Isère home territory, then the larger population."""
        context = context or Counter()
        return min(candidates, key=lambda t: (-context[self.departement_of(t.key) or ""], _LEVEL_RANK[t.level],
                                              not self._is_home(t), -t.population))

    def _is_home(self, t: Territory) -> bool:
        return _HOME_DEPARTEMENT in (t.key, *self.ancestors(t.key))


def packaged_gazetteer_dir() -> Path:
    """The gazetteer shipped with phare: ``territories.csv`` (INSEE/DGCL, see its LICENSE) and ``aliases.yaml``."""
    return Path(str(resources.files("schemas") / "gazetteer_data"))
