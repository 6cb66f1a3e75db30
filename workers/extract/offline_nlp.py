"""Keep ``unstructured`` offline.

unstructured's text heuristics (sentence counts, capital ratios) call ``_get_nlp()`` in
``unstructured.nlp.tokenize``, which loads ``en_core_web_sm`` and, when it is missing, downloads it
from the internet at run time. Offline, that download fails and ``partition_pdf`` silently returns
no elements. We hand it a blank multi-language pipeline (``xx``) with a rule-based sentencizer
instead: no model file, no download, punctuation-based sentence boundaries, and it builds in 50 ms
where the French tokenizer's exception regexes take 3 s. We always pass ``languages=["fra"]``, so
the English-only checks that need a POS tagger (``contains_verb``) are never reached.
"""

from __future__ import annotations

import os

_installed = False


def install_offline_nlp() -> None:
    """Idempotently route unstructured's NLP helpers to a blank spaCy pipeline with a sentencizer."""
    global _installed
    if _installed:
        return
    os.environ.setdefault("SCARF_NO_ANALYTICS", "true")
    os.environ.setdefault("DO_NOT_TRACK", "true")
    import spacy
    from unstructured.nlp import tokenize

    nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 2_000_000

    def _blank_pipeline() -> spacy.language.Language:
        return nlp

    def _refuse_download() -> None:
        raise RuntimeError("phare is offline: unstructured must not download a spaCy model")

    tokenize._get_nlp = _blank_pipeline  # type: ignore[assignment]
    tokenize._install_spacy_model = _refuse_download
    _installed = True
