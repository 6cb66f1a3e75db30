"""Relevance on every set phare knows, against plain BM25, with weights chosen by cross-validation.

Run: .venv/bin/python bench/relevance.py [--sets corpus,cnil,extra] [--folds 5] [--no-dense] [--separate]

Sets (each a collection and its queries, graded 2 = what is sought, 1 = useful too):
- ``corpus``: ../shared/data/corpus, the 40 queries of ``bench/relevance/queries.yaml``;
- ``cnil``: ../shared/data/ir-dev/cnil, 512 public questions over 496 short fiches (plain text);
- ``extra``: corpus + ../shared/data/corpus-extra, ``bench/relevance/questions-extra.yaml``.

All sets' documents form one library (a file two sets share is one document), as in a resource
centre where short fiches sit beside long reports; each set's questions are asked of all of it and
graded on its own documents (``--separate``: each set alone, as before 2026-12-06).

Every document goes through phare's own extraction and index record (title and its source, file
name and section titles, pages); semantic vectors through phare's own units and encoder. Systems:
- ``bm25``: plain BM25 on the text alone (French stemming, accents folded, stop words), each word
  of the query one optional clause: the anchor every phare change must not lose to;
- ``words``: phare's word search (field weights, proximity, acronyms);
- ``dense``: semantic search alone (e5 vectors; a document's best unit, drawn toward its card);
- ``hybrid``: words and dense fused (standard scores or reciprocal ranks, weight by kind of query).

Weights are chosen by K-fold cross-validation over queries: for each fold, among the grid points
that do not lose to BM25 on any set and any measure (nDCG@10, MRR@10, Recall@10) over the other
folds (if there are any), the one with the best mean nDCG@10 over the sets' other folds is scored
on this fold; the table shows these held-out scores only. The choice on all queries (what
``services/search/ranking.py`` should hold) is printed last. Extractions and vectors are cached in
``bench/.cache`` (keyed by content and version).
The last line is JSON.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import math
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
CACHE = ROOT / "bench" / ".cache"
sys.path.insert(0, str(ROOT))

from schemas.documents import Extraction, IndexRecord, file_name_words  # noqa: E402
from schemas.reference import load_glossary  # noqa: E402
from schemas.search import SearchQuery  # noqa: E402
from services.search.backends.tantivy_backend import TantivyBackend  # noqa: E402
from services.search.query import expand_acronyms  # noqa: E402
from services.search.ranking import DEFAULT, Ranking  # noqa: E402
from services.semantic.vectors import document_score  # noqa: E402
from workers.embed.units import embedding_headings, embedding_title, units  # noqa: E402
from workers.extract.errors import ExtractionError  # noqa: E402
from workers.extract.extractor import EXTRACTOR_VERSION, TextExtractor  # noqa: E402
from workers.records import card_headings, record_headings  # noqa: E402

K = 10
DEPTH = 100  # candidates each side brings to the fusion
#: proximity 0.5 never won a fold (2026-12); it stays a Ranking weight, off
GRID_WORDS = {"title": [0.5, 1.0, 2.0, 3.0], "names": [0.3, 0.7, 1.0, 1.5], "headings": [0.0, 0.1, 0.3],
              "proximity": [0.0], "expansion": [0.0, 0.3, 1.0], "strip_questions": [False, True]}
GRID_CARD = (0.0, 0.33, 0.5, 0.67)  # a document's semantic closeness: best unit drawn toward its card
GRID_FUSION = [*(("zscore", kw, q, 0, c) for kw in (0.0, 0.25, 0.5, 1.0, 1.5, 2.0)
                 for q in (0.5, 1.0, 1.5, 2.0, 3.0, 4.0) for c in GRID_CARD),
               *(("rrf", kw, q, k, c) for kw in (0.0, 0.5, 1.0, 2.0) for q in (1.0, 2.0, 3.0) for k in (10, 30, 60)
                 for c in GRID_CARD)]
Scored = list[tuple[str, float]]


@dataclass
class Query:
    text: str
    grades: dict[str, int]


@dataclass
class EvalSet:
    name: str
    files: dict[str, Path]  # key -> file
    queries: list[Query]
    records: list[IndexRecord] = field(default_factory=list)
    extractions: dict[str, Extraction] = field(default_factory=dict)


# -- sets ----------------------------------------------------------------------------------------
def _manifest(root: Path, prefix: str = "") -> dict[str, Path]:
    with (root / "manifest.csv").open(encoding="utf-8") as fh:
        return {prefix + r["file"]: root / r["file"] for r in csv.DictReader(fh)}


def load_sets(names: list[str]) -> list[EvalSet]:
    out = []
    if "corpus" in names:
        raw = yaml.safe_load((ROOT / "bench" / "relevance" / "queries.yaml").read_text(encoding="utf-8"))
        out.append(EvalSet("corpus", _manifest(DATA / "corpus"), [Query(q["query"], q["relevant"]) for q in raw]))
    if "cnil" in names:
        folder = DATA / "ir-dev" / "cnil"
        files = {p.name: p for p in sorted((folder / "fiches").glob("*.txt"))}
        with (folder / "questions.jsonl").open(encoding="utf-8") as fh:
            queries = [Query(q["question"], {q["file"]: 1}) for q in map(json.loads, fh)]
        out.append(EvalSet("cnil", files, queries))
    if "extra" in names:
        raw = yaml.safe_load((ROOT / "bench" / "relevance" / "questions-extra.yaml").read_text(encoding="utf-8"))
        files = {**_manifest(DATA / "corpus", "corpus/"), **_manifest(DATA / "corpus-extra", "extra/")}
        out.append(EvalSet("extra", files, [Query(q["query"], q["relevant"]) for q in raw]))
    return out


# -- documents as phare indexes them --------------------------------------------------------------
def extract(path: Path, extractor: TextExtractor) -> Extraction | None:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    cached = CACHE / "extract" / f"{digest}-v{EXTRACTOR_VERSION}.json"
    if cached.exists():
        return Extraction.model_validate_json(cached.read_bytes())
    try:
        extraction = extractor.run(path, path.name)
    except ExtractionError:
        return None
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(extraction.model_dump_json(), encoding="utf-8")
    return extraction


def place_of(path: Path) -> str:
    """A file's place under ../shared/data: what documents and grades are keyed by once prepared."""
    return path.resolve().relative_to(DATA.resolve()).as_posix()


def prepare(s: EvalSet, extractor: TextExtractor) -> None:
    """Extract the set's files; documents and grades are then keyed by the file's place under
    ../shared/data (``place_of``), so that a file two sets share is one document of the library."""
    places = {key: place_of(path) for key, path in s.files.items()}
    for key, path in s.files.items():
        e = extract(path, extractor)
        if e is None:
            continue
        place = places[key]
        s.extractions[place] = e
        s.records.append(IndexRecord(
            id=hashlib.sha1(place.encode()).hexdigest()[:16], title=e.title or file_name_words(path.name),
            title_source=e.shown_title_source, path=place, format=e.format,
            language=e.language, year=e.year, pages=e.pages, headings=record_headings(e)))
    for q in s.queries:
        q.grades = {places[key]: grade for key, grade in q.grades.items()}


def library_of(sets: list[EvalSet]) -> EvalSet:
    """Every set's documents in one library, as a resource centre holds them: each set's questions are
    asked of all of them (short fiches beside long reports: what favours one length shows)."""
    library = EvalSet("bibliothèque", {}, [])
    for s in sets:
        for r in s.records:
            if r.path not in library.extractions:
                library.records.append(r)
                library.extractions[r.path] = s.extractions[r.path]
    return library


class Vectors:
    """Unit vectors per document and query vectors, through phare's encoder, cached on disk."""

    def __init__(self) -> None:
        from services.semantic.encoder import E5Encoder

        self.encoder = E5Encoder(threads=2)
        self.folder = CACHE / "vectors" / self.encoder.fingerprint
        self.folder.mkdir(parents=True, exist_ok=True)

    def _cached(self, kind: str, texts: list[str]) -> np.ndarray:
        key = hashlib.sha256((kind + "\x00" + "\x01".join(texts)).encode()).hexdigest()
        path = self.folder / f"{key}.npy"
        if path.exists():
            return np.load(path)
        vectors = (self.encoder.passages(texts) if kind == "passage"
                   else np.stack([self.encoder.query(t) for t in texts]))
        np.save(path, vectors)
        return vectors

    def documents(self, s: EvalSet) -> tuple[np.ndarray, list[str], list[int]]:
        """Every unit's vector (each document's units together, its card first), the documents in
        order and where each one's units start."""
        matrix, paths, starts = [], [], [0]
        for r in s.records:
            extraction = s.extractions[r.path]
            found = units(embedding_title(r.title, r.title_source),
                          embedding_headings(card_headings(extraction, r.path)), extraction)
            matrix.append(self._cached("passage", [u.text for u in found]))
            paths.append(r.path)
            starts.append(starts[-1] + len(found))
        return np.concatenate(matrix), paths, starts[:-1]

    def queries(self, s: EvalSet) -> np.ndarray:
        return self._cached("query", [q.text for q in s.queries])


# -- metrics -------------------------------------------------------------------------------------
def ndcg(ranked: list[str], grades: dict[str, int]) -> float:
    dcg = sum((2 ** grades.get(p, 0) - 1) / math.log2(i + 2) for i, p in enumerate(ranked[:K]))
    ideal = sorted(grades.values(), reverse=True)[:K]
    return dcg / sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))


def mrr(ranked: list[str], grades: dict[str, int]) -> float:
    return next((1 / (i + 1) for i, p in enumerate(ranked[:K]) if grades.get(p, 0) > 0), 0.0)


def recall(ranked: list[str], grades: dict[str, int]) -> float:
    relevant = {p for p, g in grades.items() if g > 0}
    return len(relevant & set(ranked[:K])) / len(relevant)


def scores(rankings: list[list[str]], queries: list[Query]) -> dict[str, float]:
    n = len(queries)
    return {"ndcg@10": round(sum(ndcg(r, q.grades) for r, q in zip(rankings, queries, strict=True)) / n, 4),
            "mrr@10": round(sum(mrr(r, q.grades) for r, q in zip(rankings, queries, strict=True)) / n, 4),
            "recall@10": round(sum(recall(r, q.grades) for r, q in zip(rankings, queries, strict=True)) / n, 4)}


# -- systems -------------------------------------------------------------------------------------
def word_rankings(backend: TantivyBackend, queries: list[Query], expand: float, strip: bool = False) -> list[Scored]:
    """Each query's documents by the word engine; ``expand``: weight of acronym expansions (0: none);
    ``strip``: a question's framing words left out (Ranking.strip_questions)."""
    glossary = load_glossary() if expand else {}
    ranking = Ranking(strip_questions=strip)
    out = []
    for q in queries:
        text = ranking.words_of(q.text)
        text = expand_acronyms(text, glossary, expand) if expand else text
        hits = backend.search(SearchQuery(text=text, limit=DEPTH, snippets=False)).hits
        out.append([(h.path, h.score) for h in hits])
    return out


def dense_rankings(unit_vectors: np.ndarray, paths: list[str], starts: list[int], query_vectors: np.ndarray,
                   card_weight: float) -> list[Scored]:
    """Each query's documents by ``document_score`` over all their units (as the vector stores score
    them, exactly), best first, at most DEPTH."""
    ends = [*starts[1:], len(unit_vectors)]
    out = []
    for row in (query_vectors @ unit_vectors.T).tolist():
        scored = [document_score(row[a:b], card_weight) for a, b in zip(starts, ends, strict=True)]
        out.append(sorted(zip(paths, scored, strict=True), key=lambda p: -p[1])[:DEPTH])
    return out


def floor_quantile(unit_vectors: np.ndarray, paths: list[str], starts: list[int], query_vectors: np.ndarray,
                   queries: list[Query], card_weight: float, share: float = 0.1) -> float:
    """The semantic closeness under which ``share`` of the queries' relevant documents fall: what
    ``Ranking.dense_floor`` (a document found by meaning alone) would cost in recall."""
    ends = [*starts[1:], len(unit_vectors)]
    where = {p: (a, b) for p, a, b in zip(paths, starts, ends, strict=True)}
    closeness = []
    for q, row in zip(queries, (query_vectors @ unit_vectors.T).tolist(), strict=True):
        closeness += [document_score(row[slice(*where[p])], card_weight) for p in q.grades if p in where]
    return float(np.quantile(closeness, share)) if closeness else 0.0


def ids(ranked: Scored) -> list[str]:
    return [d for d, _ in ranked]


def folds(n: int, k: int, seed: int) -> list[int]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    fold_of = [0] * n
    for rank, i in enumerate(order):
        fold_of[i] = rank % k
    return fold_of


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", default="corpus,cnil,extra")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-dense", action="store_true")
    parser.add_argument("--separate", action="store_true", help="each set's questions asked of its own documents "
                        "only (by default, all sets' documents are one library)")
    args = parser.parse_args()
    started = time.monotonic()
    sets = load_sets(args.sets.split(","))
    extractor = TextExtractor()
    for s in sets:
        prepare(s, extractor)
        print(f"{s.name}: {len(s.records)} documents, {len(s.queries)} requêtes", file=sys.stderr)

    library = library_of(sets) if not args.separate else None
    if library is not None:
        print(f"une bibliothèque : {len(library.records)} documents", file=sys.stderr)

    # every system's ranking of every query, computed once per grid point
    words: dict[tuple, dict[str, list[Scored]]] = {}
    baseline: dict[str, list[Scored]] = {}
    dense: dict[tuple[str, float], list[Scored]] = {}  # (set, card weight) -> rankings
    floors: dict[str, float] = {}  # set -> closeness of its relevant documents, 10th percentile
    vectors = None if args.no_dense else Vectors()
    held_by: dict[str, tuple[TantivyBackend, TantivyBackend, tuple | None]] = {}  # library -> its engines, vectors
    for s in sets:
        held = library or s
        if held.name not in held_by:  # one library: indexed and embedded once for every set
            plain, backend = TantivyBackend(None, boosts={"body": 1.0}, proximity_boost=0), TantivyBackend(None)
            plain.upsert(held.records)
            backend.upsert(held.records)
            held_by[held.name] = (plain, backend, vectors.documents(held) if vectors is not None else None)
        plain, backend, units_of = held_by[held.name]
        baseline[s.name] = word_rankings(plain, s.queries, expand=0.0)
        for point in itertools.product(*GRID_WORDS.values()):
            title, names, headings, proximity, expansion, strip = point
            if names >= title:  # a name or a guessed title weighs less than a title the document gives
                continue
            backend.boosts = {"title": title, "names": names, "headings": headings, "body": 1.0}
            backend.proximity_boost = proximity
            words.setdefault(point, {})[s.name] = word_rankings(backend, s.queries, expand=expansion, strip=strip)
        if vectors is not None and units_of is not None:
            t0 = time.monotonic()
            unit_vectors, paths, starts = units_of
            for card in GRID_CARD:
                dense[s.name, card] = dense_rankings(unit_vectors, paths, starts, vectors.queries(s), card)
            floors[s.name] = floor_quantile(unit_vectors, paths, starts, vectors.queries(s), s.queries,
                                            DEFAULT.card_weight)
            print(f"{s.name}: {len(unit_vectors)} vecteurs ({time.monotonic() - t0:.0f} s)", file=sys.stderr)

    words_only = ("zscore", 0.0, 0.0, 0, 0.0)
    fusion_points = GRID_FUSION if dense else [words_only]
    queries_of = {s.name: s.queries for s in sets}

    def ranking(point: tuple, fusion: tuple) -> Ranking:
        return Ranking(title=point[0], names=point[1], headings=point[2], proximity=point[3], expansion=point[4],
                       strip_questions=point[5], fusion=fusion[0], dense_keywords=fusion[1],
                       dense_questions=fusion[2], rrf_k=fusion[3] or 60, card_weight=fusion[4])

    def system(point: tuple, fusion: tuple, name: str) -> list[list[str]]:
        ranked = words[point][name]
        if not dense or (fusion[1] == 0 and fusion[2] == 0):
            return [ids(r) for r in ranked]
        mix = ranking(point, fusion)
        return [mix.fuse(w, mix.admitted(w, d), q.text)
                for w, d, q in zip(ranked, dense[name, fusion[4]], queries_of[name], strict=True)]

    def means(ranked: list[list[str]], s: EvalSet, keep: list[bool]) -> tuple[float, float, float]:
        """Mean nDCG@10, MRR@10 and Recall@10 over the kept queries."""
        chosen = [(r, q) for r, q, k in zip(ranked, s.queries, keep, strict=True) if k]
        n = max(1, len(chosen))
        return (sum(ndcg(r, q.grades) for r, q in chosen) / n, sum(mrr(r, q.grades) for r, q in chosen) / n,
                sum(recall(r, q.grades) for r, q in chosen) / n)

    anchor = {s.name: [ids(r) for r in baseline[s.name]] for s in sets}

    def objective(point: tuple, fusion: tuple, keep: dict[str, list[bool]]) -> tuple[bool, float]:
        """First whether the choice holds against BM25 on every set and every measure (the rule),
        then the mean nDCG@10."""
        ours = {s.name: means(system(point, fusion, s.name), s, keep[s.name]) for s in sets}
        holds = all(a >= b for s in sets
                    for a, b in zip(ours[s.name], means(anchor[s.name], s, keep[s.name]), strict=True))
        return holds, sum(m[0] for m in ours.values()) / len(sets)

    def best(keep: dict[str, list[bool]], with_dense: bool) -> tuple[tuple, tuple]:
        point = max(words, key=lambda p: objective(p, words_only, keep))
        if not with_dense:
            return point, words_only
        fusion = max(fusion_points, key=lambda f: objective(point, f, keep))
        return point, fusion

    fold_of = {s.name: folds(len(s.queries), args.folds, seed=7) for s in sets}
    held_out: dict[str, dict[str, list[list[str]]]] = {
        "words": {s.name: [[] for _ in s.queries] for s in sets},
        "hybrid": {s.name: [[] for _ in s.queries] for s in sets}}
    for f in range(args.folds):
        train = {s.name: [fold_of[s.name][i] != f for i in range(len(s.queries))] for s in sets}
        for label, with_dense in (("words", False), ("hybrid", bool(dense))):
            point, fusion = best(train, with_dense)
            for s in sets:
                ranked = system(point, fusion, s.name)
                for i in range(len(s.queries)):
                    if fold_of[s.name][i] == f:
                        held_out[label][s.name][i] = ranked[i]

    everything = {s.name: [True] * len(s.queries) for s in sets}
    final_point, final_fusion = best(everything, bool(dense))
    chosen = ranking(final_point, final_fusion)
    shipped = (DEFAULT.title, DEFAULT.names, DEFAULT.headings, DEFAULT.proximity, DEFAULT.expansion,
               DEFAULT.strip_questions)
    shipped_fusion = (DEFAULT.fusion, DEFAULT.dense_keywords, DEFAULT.dense_questions, DEFAULT.rrf_k,
                      DEFAULT.card_weight)

    report: dict[str, dict[str, dict[str, float]]] = {}
    print(f"\n{'ensemble':8} {'système':28} {'nDCG@10':>8} {'MRR@10':>8} {'R@10':>8}")
    for s in sets:
        rows = {"bm25 (texte seul)": [ids(r) for r in baseline[s.name]],
                "phare mots (validation croisée)": held_out["words"][s.name]}
        if dense:
            rows["sémantique seule (meilleure unité)"] = [ids(r) for r in dense[s.name, 0.0]]
            rows["sémantique seule (réglage livré)"] = [ids(r) for r in dense[s.name, DEFAULT.card_weight]]
            rows["phare hybride (validation croisée)"] = held_out["hybrid"][s.name]
            rows["phare hybride (réglages livrés)"] = system(shipped, shipped_fusion, s.name)
        rows["phare mots (réglages livrés)"] = system(shipped, words_only, s.name) if shipped in words else []
        report[s.name] = {}
        for label, ranked in rows.items():
            if not ranked:
                continue
            m = scores(ranked, s.queries)
            report[s.name][label] = m
            print(f"{s.name:8} {label:34} {m['ndcg@10']:8.3f} {m['mrr@10']:8.3f} {m['recall@10']:8.3f}")
    print(f"\nchoix sur toutes les requêtes : {chosen}")
    if floors:
        print("plancher sémantique : 9 documents pertinents sur 10 au-dessus de "
              + ", ".join(f"{v:.3f} ({k})" for k, v in floors.items())
              + f" ; livré {DEFAULT.dense_floor} (carte {DEFAULT.card_weight})")
    if chosen != DEFAULT:
        print(f"  (services/search/ranking.py livre {DEFAULT})")
    losses = [f"{s.name}: {label} ({measure})" for s in sets for label, m in report[s.name].items()
              if label.startswith("phare") and "croisée" in label
              for measure in ("ndcg@10", "mrr@10", "recall@10")
              if m[measure] < report[s.name]["bm25 (texte seul)"][measure]]
    print("phare perd contre BM25 : " + ("; ".join(losses) if losses else "jamais"))
    print(f"({time.monotonic() - started:.0f} s)")
    print(json.dumps({"sets": report, "chosen": chosen.__dict__, "shipped": DEFAULT.__dict__,
                      "loses_to_bm25": losses}, ensure_ascii=False))


if __name__ == "__main__":
    main()
