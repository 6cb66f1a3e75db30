"""Embedded search with tantivy: French analysis, facets by aggregation, page-aware snippets.

One process writes (the index worker); any number read. The writer is opened lazily on the first
upsert, so the API and the CLI never take the index's writer lock.
"""

from __future__ import annotations

import bisect
import json
import logging
import re
import threading
from collections.abc import Sequence
from pathlib import Path

import tantivy
from tantivy import Filter, TextAnalyzerBuilder, Tokenizer

from schemas.documents import IndexRecord, Page
from schemas.search import (
    FACET_FIELDS,
    KEYWORD_FILTERS,
    Facets,
    FacetValue,
    SearchHit,
    SearchQuery,
    SearchResult,
    Snippet,
)
from schemas.text import fold
from services.search.query import clean_user_query, has_operators, parser_text, territory_terms
from services.search.ranking import DEFAULT, Ranking

log = logging.getLogger(__name__)

#: bump on any schema change: a new version starts an empty index next to the old one, and the
#: reconciler re-indexes every catalogued document into it (services/ingest/reconcile.py)
SCHEMA_VERSION = 5  # 3: title_rank, the title only where the document gives it; 4: scope, places; 5: names
_TEXT_FIELDS = ("title", "title_rank", "names", "headings", "body")
#: ranking weight name (services/search/ranking.py) -> the field it weighs; ``title`` itself holds every
#: shown title (suggestions, similar documents, ``title:`` typed by a user)
_RANKED = {"title": "title_rank", "names": "names", "headings": "headings", "body": "body"}
_KEYWORDS = ("format", "language", "themes", "territories", "postures", "collection", "producer", "scope", "places")
_PAGE_SEP = "\n\n"
_WRITER_HEAP = 64 * 1024 * 1024
_SNIPPET_CHARS = 220
_PHRASE_SLOP = 3
_PLAIN_WORDS = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_FACET_SIZE = 50
_SIMILAR_CHARS = 2000
_SIMILAR_TERMS = 60
_FACET_SIZES = {"territories": 300, "places": 100}  # every level at once: the territory tree is built from them


def french_analyzer() -> tantivy.TextAnalyzer:
    """Elision and punctuation split by the tokenizer; then lowercase, stop words, accents, stems."""
    return (
        TextAnalyzerBuilder(Tokenizer.simple())
        .filter(Filter.remove_long(60))
        .filter(Filter.lowercase())
        .filter(Filter.stopword("french"))
        .filter(Filter.ascii_fold())
        .filter(Filter.stemmer("french"))
        .build()
    )


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in _TEXT_FIELDS:
        sb.add_text_field(name, stored=name in ("title", "body"), tokenizer_name="fr")
    for name in _KEYWORDS:
        sb.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
    sb.add_integer_field("year", stored=False, indexed=True, fast=True)
    sb.add_integer_field("horizons", stored=False, indexed=True, fast=True)
    sb.add_float_field("added_at", stored=False, indexed=True, fast=True)
    sb.add_integer_field("page_starts", stored=True)
    sb.add_bytes_field("record", stored=True, indexed=False)
    return sb.build()


class TantivyBackend:
    """SearchBackend on a tantivy index in ``path`` (or in memory when ``path`` is None)."""

    def __init__(self, path: Path | None, boosts: dict[str, float] | None = None,
                 proximity_boost: float | None = None, ranking: Ranking = DEFAULT) -> None:
        """``ranking``: the weights of ``services/search/ranking.py``; ``boosts`` (text field → weight in
        the query) and ``proximity_boost`` (the query's words found together, 0: off) override it."""
        self.boosts = boosts or ranking.boosts  # keyed by ranking weight names (title, names, headings, body)
        self.proximity_boost = ranking.proximity if proximity_boost is None else proximity_boost
        self.schema = _schema()
        if path is not None:
            path = path / f"v{SCHEMA_VERSION}"
            path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(path) if path else None, reuse=True)
        self._analyzer = french_analyzer()
        self.index.register_tokenizer("fr", self._analyzer)
        self._writer: tantivy.IndexWriter | None = None
        self._lock = threading.Lock()

    # -- writes ---------------------------------------------------------------------------------
    def _get_writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self.index.writer(_WRITER_HEAP, 1)
        return self._writer

    def upsert(self, records: Sequence[IndexRecord]) -> int:
        with self._lock:
            writer = self._get_writer()
            for record in records:
                writer.delete_documents_by_term("id", record.id)
                writer.add_document(self._to_doc(record))
            writer.commit()
        self.index.reload()
        return len(records)

    def delete(self, doc_ids: Sequence[str]) -> int:
        with self._lock:
            writer = self._get_writer()
            for doc_id in doc_ids:
                writer.delete_documents_by_term("id", doc_id)
            writer.commit()
        self.index.reload()
        return len(doc_ids)

    def close(self) -> None:
        with self._lock:
            self._writer = None  # dropping the writer releases the lock file

    def _to_doc(self, r: IndexRecord) -> tantivy.Document:
        starts, offset, texts = [], 0, []
        for page in r.pages:
            starts.append(offset)
            texts.append(page.text)
            offset += len(page.text) + len(_PAGE_SEP)
        meta = r.model_dump(exclude={"pages"})
        meta["page_numbers"] = [p.page for p in r.pages]
        doc = tantivy.Document(
            id=r.id, title=r.title, title_rank=r.searched_title, names=r.searched_names or [""],
            headings=r.headings or [""],
            body=_PAGE_SEP.join(texts),
            format=r.format, language=r.language, themes=r.themes, territories=r.territories,
            postures=r.postures, collection=r.collection, producer=r.producer, added_at=r.added_at,
            scope=r.scope, places=r.places,
            page_starts=starts,
            record=json.dumps(meta).encode(),
        )
        if r.year is not None:
            doc.add_integer("year", r.year)
        for h in r.horizons:
            doc.add_integer("horizons", h)
        return doc

    # -- reads ----------------------------------------------------------------------------------
    def count(self) -> int:
        self.index.reload()
        return self.index.searcher().num_docs

    def get(self, doc_id: str) -> IndexRecord | None:
        self.index.reload()
        searcher = self.index.searcher()
        found = searcher.search(tantivy.Query.term_query(self.schema, "id", doc_id), 1).hits
        if not found:
            return None
        return self._record(searcher.doc(found[0][1]))

    def _record(self, doc: tantivy.Document) -> IndexRecord:
        meta = json.loads(bytes(doc["record"][0]))
        body = doc["body"][0]
        starts = doc["page_starts"]
        ends = [s - len(_PAGE_SEP) for s in starts[1:]] + [len(body)]
        pages = [Page(page=n, text=body[s:e]) for n, s, e in zip(meta.pop("page_numbers"), starts, ends, strict=True)]
        return IndexRecord(pages=pages, **meta)

    def _text_query(self, text: str) -> tantivy.Query | None:
        """None for an empty query (match all); an empty query when only stop words were typed.

        Plain words (a question, with its punctuation and apostrophes) become one clause per analysed
        word, any of which may match: BM25 ranks the documents that hold most of them, rarest first, so
        a long question never loses a hit for a word it lacks. Query syntax goes to tantivy's parser."""
        cleaned = clean_user_query(text)
        if not cleaned:
            return None
        if has_operators(cleaned):
            query, _errors = self.index.parse_query_lenient(parser_text(cleaned), list(self._field_boosts),
                                                            field_boosts=self._field_boosts)
            return query
        terms = list(dict.fromkeys(self._analyzer.analyze(cleaned)))
        if not terms:
            return tantivy.Query.empty_query()
        words = [(tantivy.Occur.Should, self._any_field(term)) for term in terms]
        plain = _PLAIN_WORDS.findall(cleaned)
        if self.proximity_boost and len(terms) > 1:
            # the words close together, in order: a plain query's best matches are phrases
            phrase, _ = self.index.parse_query_lenient(f'"{" ".join(plain)}"~{_PHRASE_SLOP}',
                                                       list(self._field_boosts), field_boosts=self._field_boosts)
            words.append((tantivy.Occur.Should, tantivy.Query.boost_query(phrase, self.proximity_boost)))
        return tantivy.Query.boolean_query(words)

    def _any_field(self, term: str) -> tantivy.Query:
        """One analysed word in every text field, each field's score weighted by its boost."""
        return tantivy.Query.boolean_query([
            (tantivy.Occur.Should, tantivy.Query.boost_query(tantivy.Query.term_query(self.schema, field, term), boost))
            for field, boost in self._field_boosts.items() if boost > 0])

    @property
    def _field_boosts(self) -> dict[str, float]:
        return {_RANKED.get(name, name): boost for name, boost in self.boosts.items()}

    def _filters(self, q: SearchQuery) -> list[tantivy.Query]:
        s, out = self.schema, []

        def any_of(field: str, values: list[str]) -> None:
            if values:
                out.append(tantivy.Query.term_set_query(s, field, values))

        for attribute, field in KEYWORD_FILTERS.items():
            any_of(field, getattr(q, attribute))
        if q.horizons:
            out.append(tantivy.Query.boolean_query([
                (tantivy.Occur.Should, tantivy.Query.term_query(s, "horizons", year)) for year in q.horizons]))
        for territory in q.territories:  # several territories: each must match (drill-down)
            out.append(tantivy.Query.term_set_query(s, "territories", territory_terms(territory)))
        if q.year_min is not None or q.year_max is not None:
            out.append(tantivy.Query.range_query(s, "year", tantivy.FieldType.Integer,
                                                 q.year_min if q.year_min is not None else 0,
                                                 q.year_max if q.year_max is not None else 9999))
        return out

    def search(self, q: SearchQuery) -> SearchResult:
        self.index.reload()
        searcher = self.index.searcher()
        try:
            return self._search(searcher, q, self._text_query(q.text))
        except ValueError:  # the engine refused the query's syntax: search its plain words instead
            log.warning("query syntax refused by tantivy, searched as plain words: %r", q.text[:200])
            words = " ".join(f'"{w}"' for w in _PLAIN_WORDS.findall(clean_user_query(q.text)))
            return self._search(searcher, q, self._text_query(words) if words else tantivy.Query.empty_query())

    def _search(self, searcher: tantivy.Searcher, q: SearchQuery, text_query: tantivy.Query | None) -> SearchResult:
        clauses = [(tantivy.Occur.Must, text_query or tantivy.Query.all_query())]
        clauses += [(tantivy.Occur.Must, f) for f in self._filters(q)]
        if q.exclude_ids:
            clauses.append((tantivy.Occur.MustNot, tantivy.Query.term_set_query(self.schema, "id", q.exclude_ids)))
        if q.only_ids is not None:
            clauses.append((tantivy.Occur.Must, tantivy.Query.term_set_query(self.schema, "id", q.only_ids)))
        query = tantivy.Query.boolean_query(clauses)
        limit = max(1, q.limit)  # tantivy panics on 0; a count-and-facets query asks for 0 hits
        if q.sort != "relevance":
            result = searcher.search(query, limit, count=True, offset=q.offset,
                                     order_by_field="year" if q.sort == "date" else "added_at",
                                     order=tantivy.Order.Desc)
        else:
            result = searcher.search(query, limit, count=True, offset=q.offset)
        snippets = (tantivy.SnippetGenerator.create(searcher, text_query, self.schema, "body")
                    if text_query and q.snippets else None)
        if snippets is not None:
            snippets.set_max_num_chars(_SNIPPET_CHARS)
        # sorted by date, the order key is the year, not a relevance score
        hits = [self._hit(searcher.doc(addr), key if q.sort == "relevance" else 0.0, snippets)
                for key, addr in result.hits[:q.limit]]
        return SearchResult(total=result.count, hits=hits, facets=self._facets(searcher, query))

    def similar(self, doc_id: str, limit: int = 5) -> list[SearchHit]:
        """Documents sharing the most distinctive words of this one's title and opening text (BM25 weighs
        them). Not tantivy's ``more_like_this``: it panics ("37 >= 38") once the index holds deleted
        versions of documents, i.e. after any update."""
        self.index.reload()
        searcher = self.index.searcher()
        found = searcher.search(tantivy.Query.term_query(self.schema, "id", doc_id), 1).hits
        if not found:
            return []
        doc = searcher.doc(found[0][1])
        opening = f"{doc['title'][0]} {doc['body'][0][:_SIMILAR_CHARS]}"
        words = list(dict.fromkeys(w.lower() for w in _PLAIN_WORDS.findall(opening) if len(w) >= 4))
        terms = [w for w in words if self._analyzer.analyze(w)][:_SIMILAR_TERMS]
        if not terms:
            return []
        like, _ = self.index.parse_query_lenient(" ".join(f'"{t}"' for t in terms), ["title", "body"])
        query = tantivy.Query.boolean_query([
            (tantivy.Occur.Must, like),
            (tantivy.Occur.MustNot, tantivy.Query.term_query(self.schema, "id", doc_id)),
        ])
        return [self._hit(searcher.doc(addr), score, None) for score, addr in searcher.search(query, limit).hits]

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        words = _PLAIN_WORDS.findall(clean_user_query(prefix))
        if not words:
            return []
        self.index.reload()
        searcher = self.index.searcher()
        folded_last = fold(words[-1]).split()[-1] if fold(words[-1]) else words[-1].lower()
        clauses = [(tantivy.Occur.Must, self._in_title(words[:-1]))] if words[:-1] else []
        last = tantivy.Query.boolean_query([
            (tantivy.Occur.Should, tantivy.Query.regex_query(self.schema, "title", re.escape(folded_last) + ".*")),
            (tantivy.Occur.Should, self._in_title(words[-1:])),
        ])
        query = tantivy.Query.boolean_query([*clauses, (tantivy.Occur.Must, last)])
        titles: list[str] = []
        for _, addr in searcher.search(query, limit * 3).hits:
            title = searcher.doc(addr)["title"][0]
            if title not in titles:
                titles.append(title)
        return titles[:limit]

    def _in_title(self, words: list[str]) -> tantivy.Query:
        """Words looked for in titles, each quoted: a typed "NOT" or "OR" is a word, not an operator."""
        return self.index.parse_query_lenient(" ".join(f'"{w}"' for w in words), ["title"])[0]

    def _hit(self, doc: tantivy.Document, score: float, generator: tantivy.SnippetGenerator | None) -> SearchHit:
        meta = json.loads(bytes(doc["record"][0]))
        out = SearchHit(id=meta["id"], title=meta["title"], path=meta["path"], score=round(float(score), 4),
                        format=meta["format"], year=meta.get("year"), added_at=meta.get("added_at", 0.0))
        if generator is not None:
            snippet = generator.snippet_from_doc(doc)
            html = snippet.to_html().replace("<b>", "<mark>").replace("</b>", "</mark>")
            if html:
                offset = snippet.fragment_range().start
                if snippet.highlighted():
                    offset += snippet.highlighted()[0].start  # the page of the first hit, not of the fragment
                index = max(0, bisect.bisect_right(doc["page_starts"], offset) - 1)
                out.snippets.append(Snippet(text=html.replace(_PAGE_SEP, " "), page=meta["page_numbers"][index]))
        return out

    def _facets(self, searcher: tantivy.Searcher, query: tantivy.Query) -> Facets:
        aggs = {name: {"terms": {"field": field, "size": _FACET_SIZES.get(name, _FACET_SIZE)}}
                for name, field in FACET_FIELDS.items()}
        raw = searcher.aggregate(query, aggs)

        def values(name: str) -> list[FacetValue]:
            buckets = raw.get(name, {}).get("buckets", [])
            return [FacetValue(value=_key(b["key"]), label=_key(b["key"]), count=b["doc_count"])
                    for b in buckets if _key(b["key"])]

        return Facets(**{name: values(name) for name in FACET_FIELDS})


def _key(value: object) -> str:
    """Bucket keys of integer fast fields come back as floats (2050.0)."""
    return str(int(value)) if isinstance(value, float) else str(value)
