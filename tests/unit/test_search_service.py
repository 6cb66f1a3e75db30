"""The read model shared by CLI and API: acronym expansion and facet labels, on a real tantivy index."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.gazetteer import Gazetteer
from schemas.reference import load_glossary
from schemas.search import SearchQuery
from services.ingest.blobs import ArtifactStore
from services.ingest.catalog import Catalog
from services.search.backends.tantivy_backend import TantivyBackend
from services.search.query import expand_acronyms, strip_question_words
from services.search.ranking import DEFAULT, Ranking
from services.search.service import Labels, SearchService
from tests.integration.contract.search_backend import record
from workers.analyze.taxonomy import Taxonomy


@pytest.fixture
def service(tmp_path: Path) -> SearchService:
    backend = TantivyBackend(None)
    backend.upsert([
        record("ppri", "Note de présentation", "Le plan de prévention du risque inondation de la Romanche.",
               themes=["risques-naturels", "risques-naturels/inondations"],
               territories=["departement:38", "region:84", "pays:FR"]),
        record("zan", "Sobriété foncière", "Trajectoire vers le zéro artificialisation nette.",
               themes=["sols-foncier"]),
        record("plu", "Révision", "Le PLU de Vif est révisé.", themes=["urbanisme-planification"]),
    ])
    catalog = Catalog(f"sqlite:///{tmp_path / 'c.db'}")
    catalog.create_schema()
    labels = Labels(Taxonomy.load("themes").labels, Gazetteer.load())
    return SearchService(backend, catalog, ArtifactStore(tmp_path / "a"), labels, load_glossary())


@pytest.mark.parametrize(("query", "expected"), [("PPRI", ["ppri"]), ("ZAN", ["zan"]), ("PPRI Romanche", ["ppri"])])
def test_acronyms_find_their_expansion(service: SearchService, query: str, expected: list[str]) -> None:
    assert [h.id for h in service.search(SearchQuery(text=query)).hits] == expected


def test_words_in_full_also_find_the_acronym(service: SearchService) -> None:
    assert service.search(SearchQuery(text="plan local d'urbanisme")).hits[0].id == "plu"


def test_lowercase_words_are_not_taken_for_acronyms() -> None:
    glossary = load_glossary()
    assert expand_acronyms("sage", glossary) == "sage"
    assert expand_acronyms('"le PLU" -ZAN', glossary) == '"le PLU" -ZAN'
    assert expand_acronyms("PLUi", glossary) == '(PLUi OR "plan local d\'urbanisme intercommunal")'


def test_an_expansion_weighs_what_the_ranking_says() -> None:
    glossary = load_glossary()
    assert expand_acronyms("PLUi", glossary, 0.3) == '(PLUi OR "plan local d\'urbanisme intercommunal"^0.3)'
    assert expand_acronyms("plan local d'urbanisme", glossary, 0.3).endswith(" PLU^0.3")
    assert expand_acronyms("PLUi", glossary, 0.0) == "PLUi"  # off


def test_facets_carry_french_labels(service: SearchService) -> None:
    facets = service.search(SearchQuery()).facets
    assert {f.value: f.label for f in facets.themes}["risques-naturels"] == "Risques naturels"
    assert {f.value: f.label for f in facets.territories}["departement:38"] == "Isère (département)"


def test_facet_trees_nest_subthemes_and_territories(service: SearchService) -> None:
    trees = service.facet_trees(service.search(SearchQuery()).facets)
    risks = next(n for n in trees.themes if n.value == "risques-naturels")
    assert [(c.value, c.label, c.count) for c in risks.children] == [
        ("risques-naturels/inondations", "Inondations", 1)]
    assert [n.value for n in trees.territories] == ["region:84"]  # the country is every document's: left out
    assert [c.value for c in trees.territories[0].children] == ["departement:38"]


def test_suggest_mixes_themes_territories_and_titles(service: SearchService) -> None:
    kinds = {(s.kind, s.value or s.text) for s in service.suggest("sob")}
    assert ("title", "Sobriété foncière") in kinds
    territories = service.suggest("échiro")
    assert territories[0].kind == "territory" and territories[0].value == "commune:38151"
    assert service.suggest("risq")[0] == service.suggest("risq")[0].model_copy(
        update={"kind": "theme", "value": "risques-naturels"})
    assert service.suggest("x") == []


def test_territories_are_suggested_by_name_or_code_alone(service: SearchService) -> None:
    """The correction form searches the gazetteer as one types: names, INSEE codes, nothing else."""
    assert {s.kind for s in service.suggest("sob", kind="territory")} <= {"territory"}
    by_code = [s.value for s in service.suggest("38151", kind="territory")]
    assert by_code == ["commune:38151"]
    assert "departement:73" in [s.value for s in service.suggest("73", limit=20, kind="territory")]
    assert "departement:73" in [s.value for s in service.suggest("Savoie", kind="territory")]



def test_a_bare_territory_code_is_named_at_every_level_it_exists() -> None:
    """``?territory=84`` filters région 84 and département 84 alike: its chip names both, not a guess."""
    from schemas.gazetteer import Gazetteer
    from schemas.search import SearchQuery
    from services.search.service import Labels
    from services.search.web.view import ResultsView

    view = ResultsView(SearchQuery(), Labels({}, Gazetteer.load()))
    assert view.label("territories", "84") == "Auvergne-Rhône-Alpes (région) ou Vaucluse (département)"
    assert view.label("territories", "FR") == "France (pays)"
    assert view.label("territories", "departement:84") == "Vaucluse (département)"
    assert view.label("places", "INT") == "International (hors de France)"


@pytest.mark.parametrize(("question", "words"), [
    ("comment puis-je signaler un spam ?", "signaler un spam ?"),
    ("Qu’est-ce que l’imperméabilisation des sols ?", "l’imperméabilisation des sols ?"),
    ("qu'est-ce qu'un PLU", "un PLU"),
    ("où trouver le PLU de Grenoble", "trouver le PLU de Grenoble"),
    ("Quelle est la stratégie du Grand Est ?", "est la stratégie du Grand Est ?"),  # the région stays
    ("comment ?", "comment ?"),  # nothing else: kept whole
    ('"comment" faire', '"comment" faire'),  # syntax: as typed
])
def test_a_questions_framing_words_leave_the_word_search(question: str, words: str) -> None:
    assert strip_question_words(question) == words


def test_the_word_search_of_a_question_and_of_keywords(service: SearchService) -> None:
    """A framing word that a document happens to hold ("comment") no longer outranks the subject."""
    service.backend.upsert([record("guide", "Guide", "Comment faire ? Comment lire ? Comment choisir ? Comment ?")])
    assert [h.id for h in service.search(SearchQuery(text="comment réviser le PLU ?")).hits] == ["plu"]
    assert Ranking(strip_questions=False).words_of("comment réviser le PLU ?") == "comment réviser le PLU ?"
    assert DEFAULT.words_of("PPRI Grenoble") == "PPRI Grenoble"  # keywords as typed


def test_labels_load_the_gazetteer_once_in_the_background() -> None:
    """A server answers while the gazetteer loads (``preload``); readers during the load wait for that
    load, not for a second one."""
    import threading
    import time

    loads: list[float] = []

    def load() -> Gazetteer:
        loads.append(time.monotonic())
        time.sleep(1.0)
        return Gazetteer.load()

    labels = Labels({}, load)
    started = time.monotonic()
    labels.preload()
    assert time.monotonic() - started < 0.5  # preload does not block its caller (the load takes 1 s and more)
    readers = [threading.Thread(target=lambda: labels.territory("departement:38")) for _ in range(3)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert len(loads) == 1
    assert labels.territory("departement:38") == "Isère (département)"
