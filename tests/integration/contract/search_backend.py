"""The SearchBackend contract. Each engine adapter subclasses it and provides the ``backend`` fixture."""

from __future__ import annotations

import pytest

from schemas.documents import IndexRecord, Page
from schemas.search import SearchQuery
from services.search.backends.base import SearchBackend


def record(doc_id: str, title: str, *pages: str, **fields: object) -> IndexRecord:
    base = {"path": f"/inbox/{doc_id}.pdf", "format": "pdf", "language": "fr"}
    base.update(fields)
    return IndexRecord(id=doc_id, title=title, pages=[Page(page=i + 1, text=t) for i, t in enumerate(pages)], **base)


LIBRARY = [
    record("erc", "Guide ERC : l'imperméabilisation des sols",
           "Introduction générale.", "Les sols imperméabilisés aggravent les inondations.",
           themes=["sols-foncier", "eau"], territories=["commune:38151", "epci:200040715", "departement:38",
                                                         "region:84", "pays:FR"], year=2024,
           postures=["adaptation"], collection="guides", added_at=300.0),
    record("friches", "Standard CNIG Friches", "Le recyclage des friches industrielles en Isère.",
           themes=["sols-foncier"], territories=["departement:38", "region:84", "pays:FR"], year=2022,
           format="docx", producer="cnig", collection="standards/cnig", added_at=100.0),
    record("climat", "Plan climat", "La neutralité carbone à l'horizon 2050 et l'adaptation du territoire.",
           themes=["climat"], territories=["departement:69", "region:84", "pays:FR"], year=2020, language="en",
           postures=["attenuation", "adaptation"], horizons=[2030, 2050], added_at=200.0),
    record("xss", "<script>alert(1)</script> titre", "Un texte <img src=x onerror=alert(1)> sur les inondations."),
]


class SearchBackendContract:
    """Behaviour every engine must show. ``backend`` yields an empty, writable backend."""

    @pytest.fixture
    def backend(self) -> SearchBackend:
        raise NotImplementedError

    @pytest.fixture
    def library(self, backend: SearchBackend) -> SearchBackend:
        backend.upsert(LIBRARY)
        return backend

    def ids(self, backend: SearchBackend, text: str = "", **filters: object) -> list[str]:
        return [h.id for h in backend.search(SearchQuery(text=text, **filters)).hits]

    def test_upsert_is_idempotent_by_id(self, library: SearchBackend) -> None:
        library.upsert([LIBRARY[0], LIBRARY[0]])
        assert library.count() == len(LIBRARY)
        assert self.ids(library, "imperméabilisation") == ["erc"]

    def test_upsert_replaces_content(self, library: SearchBackend) -> None:
        library.upsert([record("friches", "Standard CNIG Friches", "Un autre texte sur les paysages.")])
        assert "friches" not in self.ids(library, "recyclage")
        assert self.ids(library, "paysages") == ["friches"]

    def test_get_round_trips_pages(self, library: SearchBackend) -> None:
        got = library.get("erc")
        assert got is not None and got.pages == LIBRARY[0].pages and got.themes == LIBRARY[0].themes
        assert library.get("absent") is None

    def test_delete(self, library: SearchBackend) -> None:
        library.delete(["erc", "absent"])
        assert library.count() == len(LIBRARY) - 1 and library.get("erc") is None

    @pytest.mark.parametrize(("query", "expected"), [
        ("inondation", {"erc", "xss"}),            # stemming: inondations
        ("impermeabilisation", {"erc"}),           # accents
        ("IMPERMÉABILISÉS", {"erc"}),              # case + stemming
        ("l'imperméabilisation", {"erc"}),         # elision
        ("recyclage friche", {"friches"}),
        ('"neutralité carbone"', {"climat"}),      # phrase
    ])
    def test_french_analysis(self, library: SearchBackend, query: str, expected: set[str]) -> None:
        assert set(self.ids(library, query)) == expected

    @pytest.mark.parametrize("question", [
        "Qu'est-ce que l'imperméabilisation des sols ?",
        "Qu’est-ce que l’imperméabilisation des sols ?",  # typographic apostrophes
        "comment éviter l'imperméabilisation : quelles règles, quels outils, pour quelle commune ?",
        "imperméabilisation-des-sols",
        "Je cherche un guide qui explique comment les communes peuvent limiter l'imperméabilisation des "
        "sols lorsqu'elles révisent leur document d'urbanisme intercommunal",  # most words absent
    ])
    def test_questions_never_lose_their_hit(self, library: SearchBackend, question: str) -> None:
        assert self.ids(library, question)[0] == "erc"

    def test_a_guessed_title_weighs_less_than_a_given_one(self, backend: SearchBackend) -> None:
        """A plain-text fiche whose first line ("Définition") was taken for its title must not outrank
        the document that calls itself so (seen on public question sets): the first line weighs as a
        name (``Ranking.names`` ≤ ``Ranking.title``), the given title as a title."""
        body = "Le registre recense les traitements de données et leur finalité."
        backend.upsert([record("devine", "Définition", f"Définition\n{body}", title_source="first_line"),
                        record("donne", "Définition du registre", f"Définition du registre\n{body}",
                               title_source="properties")])
        assert self.ids(backend, "définition") == ["donne", "devine"]
        assert backend.get("devine").headings == [] and backend.get("devine").title == "Définition"

    def test_a_file_name_is_searched_apart_from_section_titles(self, backend: SearchBackend) -> None:
        """People search with the words documentalists name files with; a section title of a long
        report ("Hydroliennes") is another field, weighed apart (names vs headings, ranking.py)."""
        body = "Le conseil a débattu des équipements du Drac."
        backend.upsert([record("nomme", "Compte rendu", body, path="/inbox/hydroliennes_drac.pdf"),
                        record("section", "Compte rendu du conseil", f"Hydroliennes\n{body}",
                               headings=["Hydroliennes"])])
        assert set(self.ids(backend, "hydroliennes")) == {"nomme", "section"}
        assert backend.get("nomme").headings == [] and backend.get("section").headings == ["Hydroliennes"]

    def test_stop_words_alone_do_not_match_everything(self, library: SearchBackend) -> None:
        assert self.ids(library, "les des") == []

    @pytest.mark.parametrize("query", ["(((", "title:", "a AND", "*", "x" * 10_000, "inond\x00ation", '"', "-", "OR"])
    def test_malformed_queries_never_raise(self, library: SearchBackend, query: str) -> None:
        library.search(SearchQuery(text=query))

    #: every field either engine stores, and one that exists nowhere
    FIELDS = ["id", "title", "headings", "body", "format", "language", "themes", "territories", "postures",
              "collection", "producer", "year", "horizons", "added_at", "page_starts", "record", "pages", "path",
              "nosuchfield"]

    @pytest.mark.parametrize("field", FIELDS)
    @pytest.mark.parametrize("shape", ["{f}:*", "{f}:x*", "{f}:[2000 TO 2020]", "{f}:{{a TO z}}", "{f}:>5",
                                       "{f}:/.*/", "{f}:/[/", "{f}:(a OR", "inondations {f}:* sols", "-{f}:*"])
    def test_field_syntax_never_raises(self, library: SearchBackend, field: str, shape: str) -> None:
        """An outside probe answered 500 on ``q=id:*`` (tantivy: 'Field id is not a fast field')."""
        result = library.search(SearchQuery(text=shape.format(f=field)))
        assert result.total >= 0

    def test_field_syntax_on_text_fields_still_works(self, library: SearchBackend) -> None:
        assert "friches" in self.ids(library, "title:friches recyclage")
        assert set(self.ids(library, "id:*")) <= {r.id for r in LIBRARY}

    def test_filters(self, library: SearchBackend) -> None:
        assert set(self.ids(library, themes=["sols-foncier"])) == {"erc", "friches"}
        assert self.ids(library, formats=["docx"]) == ["friches"]
        assert self.ids(library, languages=["en"]) == ["climat"]
        assert self.ids(library, producers=["cnig"]) == ["friches"]
        assert set(self.ids(library, year_min=2021)) == {"erc", "friches"}
        assert self.ids(library, year_min=2021, year_max=2023) == ["friches"]
        assert set(self.ids(library, postures=["adaptation"])) == {"erc", "climat"}
        assert self.ids(library, postures=["attenuation"]) == ["climat"]
        assert self.ids(library, horizons=[2050]) == ["climat"]
        assert self.ids(library, horizons=[2040]) == []
        assert self.ids(library, collections=["standards/cnig"]) == ["friches"]
        assert set(self.ids(library, collections=["guides", "standards/cnig"])) == {"erc", "friches"}

    def test_excluded_documents_are_left_out_of_hits_counts_and_facets(self, library: SearchBackend) -> None:
        result = library.search(SearchQuery(text="inondations", exclude_ids=["erc"]))
        assert [h.id for h in result.hits] == ["xss"] and result.total == 1
        everything = library.search(SearchQuery(exclude_ids=["erc", "friches"]))
        assert everything.total == len(LIBRARY) - 2
        assert "sols-foncier" not in {f.value for f in everything.facets.themes}

    def test_scope_and_places_cited_in_passing(self, backend: SearchBackend) -> None:
        backend.upsert([record("local", "Plan de Voiron", "Texte.", territories=["commune:38563", "pays:FR"],
                               scope="locale", places=["commune:38185"]),
                        record("national", "Guide national", "Texte.", territories=["pays:FR"], scope="nationale",
                               places=["commune:38185", "commune:75056"])])
        assert self.ids(backend, scopes=["nationale"]) == ["national"]
        assert set(self.ids(backend, places=["commune:38185"])) == {"local", "national"}
        assert self.ids(backend, territories=["commune:38185"]) == []  # cited is not about
        facets = backend.search(SearchQuery()).facets
        assert {f.value: f.count for f in facets.scopes} == {"locale": 1, "nationale": 1}
        assert {f.value: f.count for f in facets.places} == {"commune:38185": 2, "commune:75056": 1}

    def test_a_corrected_record_moves_facets_and_filters_at_once(self, library: SearchBackend) -> None:
        """Curation re-indexes a document with its corrected tags: the next search counts them."""
        corrected = LIBRARY[1].model_copy(update={"themes": ["eau"], "territories": ["departement:73", "region:84",
                                                                                     "pays:FR"], "postures": []})
        library.upsert([corrected])
        facets = library.search(SearchQuery()).facets
        assert {f.value: f.count for f in facets.themes}["sols-foncier"] == 1  # "erc" only, no longer "friches"
        assert {f.value: f.count for f in facets.territories}["departement:73"] == 1
        assert self.ids(library, territories=["departement:73"]) == ["friches"]
        assert "friches" not in self.ids(library, themes=["sols-foncier"])

    def test_authors_and_a_summary_are_searched_and_kept(self, backend: SearchBackend) -> None:
        """A documentalist's summary and authors (curation) find the document; nothing else changes."""
        backend.upsert([record("cr", "Compte rendu", "La séance s'est tenue mardi.", authors=["Camille Dubreuil"],
                               summary="Décisions sur les hydroliennes du Drac."),
                        record("autre", "Autre", "Un texte sur les inondations.")])
        assert self.ids(backend, "hydroliennes") == ["cr"] and self.ids(backend, "Dubreuil") == ["cr"]
        got = backend.get("cr")
        assert got is not None and got.authors == ["Camille Dubreuil"]
        assert got.summary == "Décisions sur les hydroliennes du Drac." and got.headings == []

    def test_territory_filter_at_every_level(self, library: SearchBackend) -> None:
        assert self.ids(library, territories=["38151"]) == ["erc"]
        assert set(self.ids(library, territories=["departement:38"])) == {"erc", "friches"}
        assert set(self.ids(library, territories=["region:84"])) == {"erc", "friches", "climat"}

    def test_facets_roll_territories_up(self, library: SearchBackend) -> None:
        facets = library.search(SearchQuery()).facets
        territories = {f.value: f.count for f in facets.territories}
        assert territories["region:84"] == 3 and territories["departement:38"] == 2
        assert territories["commune:38151"] == 1
        assert {f.value: f.count for f in facets.themes}["sols-foncier"] == 2
        assert {f.value: f.count for f in facets.formats} == {"pdf": 3, "docx": 1}
        assert {f.value: f.count for f in facets.producers} == {"cnig": 1}
        assert {f.value: f.count for f in facets.postures} == {"adaptation": 2, "attenuation": 1}
        assert {f.value: f.count for f in facets.horizons} == {"2030": 1, "2050": 1}
        assert {f.value: f.count for f in facets.collections} == {"guides": 1, "standards/cnig": 1}
        assert {f.value: f.count for f in facets.languages} == {"fr": 3, "en": 1}
        assert {f.value: f.count for f in facets.years} == {"2024": 1, "2022": 1, "2020": 1}

    def test_zero_hits_still_counts_and_facets(self, library: SearchBackend) -> None:
        result = library.search(SearchQuery(themes=["sols-foncier"], limit=0))
        assert result.total == 2 and result.hits == []
        assert {f.value: f.count for f in result.facets.themes}["sols-foncier"] == 2

    def test_facets_follow_the_query(self, library: SearchBackend) -> None:
        facets = library.search(SearchQuery(text="recyclage")).facets
        assert [f.value for f in facets.themes] == ["sols-foncier"]

    def test_snippets_are_escaped_marked_and_paged(self, library: SearchBackend) -> None:
        hits = {h.id: h for h in library.search(SearchQuery(text="inondations")).hits}
        erc = hits["erc"].snippets[0]
        assert erc.page == 2 and "<mark>inondations</mark>" in erc.text
        xss = hits["xss"].snippets[0].text
        assert "<img" not in xss and "&lt;img" in xss
        assert hits["xss"].title.startswith("<script>")  # raw in JSON; templates escape titles

    def test_sort_by_date_newest_first_undated_last(self, library: SearchBackend) -> None:
        assert self.ids(library, sort="date") == ["erc", "friches", "climat", "xss"]
        assert self.ids(library, "inondations", sort="date") == ["erc", "xss"]

    def test_sort_by_addition_latest_first(self, library: SearchBackend) -> None:
        hits = library.search(SearchQuery(sort="added")).hits
        assert [h.id for h in hits][:3] == ["erc", "climat", "friches"]
        assert [h.added_at for h in hits][:3] == [300.0, 200.0, 100.0]

    def test_more_like_this(self, library: SearchBackend) -> None:
        assert [h.id for h in library.similar("erc")] == ["xss"]  # the other text on floods
        assert library.similar("absent") == []

    def test_more_like_this_after_updates(self, library: SearchBackend) -> None:
        """A re-indexed library holds deleted versions of its documents: tantivy's own more_like_this
        panicked there ("44 >= 46" in bm25.rs), so every document page of a re-indexed library
        answered 500. Documents are committed one at a time, as the index worker does."""
        import random

        rng = random.Random(7)
        words = "inondation crue torrent digue risque plan prévention sol friche paysage climat énergie".split()
        notes = [record(f"n{i}", f"Note {i} " + " ".join(rng.sample(words, 3)), " ".join(rng.choices(words, k=200)),
                        " ".join(rng.choices(words, k=100))) for i in range(40)]
        indexed: set[str] = set()
        for _ in range(4):
            for note in rng.sample(notes, 15):
                library.upsert([note])
                indexed.add(note.id)
        for doc in LIBRARY + [n for n in notes if n.id in indexed]:
            similar = [h.id for h in library.similar(doc.id, limit=10)]
            assert doc.id not in similar and len(similar) == len(set(similar))
        assert library.count() == len(LIBRARY) + len(indexed)

    @pytest.mark.parametrize("typed", ["DO_NOT_TRACK", "a AND", "NOT", "OR OR", "(((", "title:", "\x00", "*"])
    def test_suggest_never_raises(self, library: SearchBackend, typed: str) -> None:
        assert isinstance(library.suggest(typed), list)

    def test_suggest_completes_titles(self, library: SearchBackend) -> None:
        assert library.suggest("imperm") == ["Guide ERC : l'imperméabilisation des sols"]
        assert library.suggest("Standard CN") == ["Standard CNIG Friches"]
        assert library.suggest("zzz") == [] and library.suggest("((") == []

    def test_a_huge_keyword_never_rejects_a_document(self, library: SearchBackend) -> None:
        library.upsert([record("huge", "Très long", "Texte ordinaire.", collection="x" * 40_000,
                               themes=["t" * 10_000])])
        assert library.get("huge") is not None and self.ids(library, "ordinaire") == ["huge"]

    def test_pagination(self, library: SearchBackend) -> None:
        first = self.ids(library, limit=2)
        second = self.ids(library, limit=2, offset=2)
        assert len(first) == 2 and len(second) == 2 and not set(first) & set(second)
        assert library.search(SearchQuery(limit=1)).total == len(LIBRARY)
