"""User query clean-up shared by the engine adapters."""

from __future__ import annotations

import re

from schemas.territory_levels import territory_keys
from schemas.text import fold

MAX_QUERY_CHARS = 1000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


#: fields a user may name in a query (``title:climat``); any other ``name:`` is read as words
QUERY_FIELDS = ("title", "headings", "body")
_FIELD_PREFIX = re.compile(r"(?<![\w\\])([^\W\d][\w.]*):(\*(?=\s|\)|$))?")


def clean_user_query(text: str) -> str:
    """Strip control characters, bound the length, and keep field syntax to the text fields.

    ``title:*`` (an "exists" query) becomes nothing; ``id:x``, ``year:[…]`` or ``nosuchfield:x``
    lose their colon and are searched as words: no field name typed by a user reaches the engine's
    schema, so none can make it raise. The engines' lenient parsers do the rest.
    """
    text = _CONTROL.sub(" ", text or "")[:MAX_QUERY_CHARS].replace("’", "'")

    def field(match: re.Match[str]) -> str:
        name, exists = match.group(1), match.group(2)
        if exists:
            return " "
        return match.group(0) if name in QUERY_FIELDS else f"{name} "

    return _FIELD_PREFIX.sub(field, text).strip()


_OPERATORS = re.compile(r'"|\b(?:AND|OR|NOT)\b|(?:^|\s)[-+]\w|\w\*|\b(?:' + "|".join(QUERY_FIELDS) + r"):")
_INNER_MARK = re.compile(r"(?<=\w)['-](?=\w)")
_PROSE_PUNCTUATION = re.compile(r"[^\w\s\"()*:+^~-]|(?<!\w):|(?<=\s)-(?=\s)")
_QUOTED = re.compile(r'("[^"]*")')


def has_operators(text: str) -> bool:
    """Whether the user wrote query syntax (quotes, AND/OR/NOT, -word, +word, prefix*, title:…); a
    question with its punctuation and apostrophes is not syntax."""
    return bool(_OPERATORS.search(text))


def parser_text(text: str) -> str:
    """A query with syntax, ready for an engine's parser: outside quotes, apostrophes and hyphens
    inside words split them (``l'eau`` is ``l eau``, not a phrase that must match as such) and prose
    punctuation (``?``, ``,``, a lone ``:``) is dropped."""
    parts = _QUOTED.split(text)
    return "".join(part if part.startswith('"') else _PROSE_PUNCTUATION.sub(" ", _INNER_MARK.sub(" ", part))
                   for part in parts)


def territory_terms(value: str) -> list[str]:
    """Index terms a territory filter matches (see ``schemas.territory_levels.territory_keys``)."""
    return territory_keys(value)


#: French interrogatives (a regex alternation): what opens a question (services/search/ranking.is_question)
#: and what a question's words search leaves out (strip_question_words)
INTERROGATIVES = r"comment|pourquoi|quels?|quelles?|que|qui|où|quand|combien|est-ce"
#: the words that frame a French question rather than say what it is about: interrogatives, subject
#: and possessive pronouns, inverted auxiliaries ("puis-je", "faut-il"); a fixed list, not learnt
_QUESTION_WORDS = re.compile(
    r"(?<![\w'’-])(?:qu['’]est-ce(?![\w'’-])|(?:qu|j|m)['’]|"
    rf"(?:{INTERROGATIVES}|lequel|laquelle|lesquels|lesquelles|quoi|(?:puis|peux|peut|peuvent|dois|doit|doivent|"
    r"faut|ai|a|suis|sont|est|va|vais)-(?:t-)?(?:je|tu|il|elle|on|ils|elles)|je|tu|il|elle|on|ils|elles|mon|ma|mes|me)"
    r"(?![\w'’-]))", re.I)


def strip_question_words(text: str) -> str:
    """A question without the words that only make it one ("comment puis-je signaler un spam ?" →
    "signaler un spam ?"); the text unchanged when nothing else would be left or it holds syntax."""
    if has_operators(text):
        return text
    stripped = re.sub(r"\s{2,}", " ", _QUESTION_WORDS.sub(" ", text)).strip()
    return stripped if any(c.isalnum() for c in stripped) else text


_TOKEN_OR_QUOTED = re.compile(r'"[^"]*"|[^\s()"]+')


def expand_acronyms(text: str, glossary: dict[str, str], weight: float = 1.0) -> str:
    """``PPRI`` → ``(PPRI OR "plan de prévention du risque inondation")``, outside quotes only.

    Matching ignores case for tokens of 3+ letters typed in capitals or as written in the glossary,
    so the word "sage" (wise) is not expanded but "SAGE" is. ``weight`` is what the added form
    weighs against a typed word (``^weight``; 0: no expansion): a full name is several words, and
    at full weight documents repeating it outrank those about the acronym typed.
    """
    if weight <= 0:
        return text
    boost = "" if weight == 1.0 else f"^{weight:g}"
    lookup = {k: v for k, v in glossary.items()}
    lookup.update({k.upper(): v for k, v in glossary.items()})

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.startswith('"') or token.startswith("-"):
            return token
        expansion = lookup.get(token) if token in glossary or token.isupper() else None
        if not expansion:
            return token
        phrase = expansion.replace('"', " ")
        return f'({token} OR "{phrase}"{boost})'

    expanded = _TOKEN_OR_QUOTED.sub(replace, text)
    # and the other way: someone who types the words in full also wants the documents using the acronym
    folded = f" {fold(text)} "
    extra = [acronym for acronym, expansion in glossary.items()
             if len(expansion.split()) > 1 and f" {fold(expansion)} " in folded and acronym not in text]
    return " ".join([expanded, *(f"{a}{boost}" for a in extra)]) if extra else expanded

