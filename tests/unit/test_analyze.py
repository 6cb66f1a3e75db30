"""Analysis pieces on small French texts: territories, horizons, taxonomies, entity clean-up."""

from __future__ import annotations

import pytest

from schemas.documents import Entity, Extraction, Page, TerritoryTag
from schemas.gazetteer import Gazetteer
from workers.analyze.analyzer import Analyzer
from workers.analyze.entities import EntityRecognizer, clean_entity, name_bearing
from workers.analyze.horizons import find_horizons
from workers.analyze.taxonomy import Taxonomy
from workers.analyze.territories import TerritoryTagger


@pytest.fixture(scope="module")
def tagger() -> TerritoryTagger:
    return TerritoryTagger(Gazetteer.load())


def codes(tags) -> dict[str, str]:  # noqa: ANN001
    return {f"{t.level}:{t.code}": t.name for t in tags}


@pytest.mark.parametrize(("text", "key"), [
    ("Les habitants de Saint-Martin-d'Hères", "commune:38421"),
    ("Les habitants de St Martin d'Hères", "commune:38421"),
    ("à Saint Martin d’Hères", "commune:38421"),
    ("Le Pont-de-Claix et sa gare", "commune:38317"),
    ("un projet de la Métro", "epci:200040715"),
    ("Grenoble-Alpes Métropole", "epci:200040715"),
    ("l'Agglomération grenobloise", "epci:200040715"),
    ("le département de l'Isère", "departement:38"),
    ("la région Auvergne-Rhône-Alpes", "region:84"),
    ("en AURA", "region:84"),
])
def test_territory_names_and_aliases(tagger: TerritoryTagger, text: str, key: str) -> None:
    assert key in codes(tagger.run([Page(page=1, text=text)]))


def test_common_words_are_not_communes(tagger: TerritoryTagger) -> None:
    found = codes(tagger.run([Page(page=1, text="Un débat vif sur le bourg et la place du marché.")]))
    assert found == {}
    shouted = codes(tagger.run([Page(page=1, text="OUTIL DE CALCUL A L'ECHELLE EPCI")]))
    assert "commune:08149" not in shouted  # L'Échelle (Ardennes), 300 inhabitants


def test_about_and_roll_up(tagger: TerritoryTagger) -> None:
    tags = tagger.run([Page(page=3, text="Échirolles rénove ses écoles. Lyon est citée une fois.")],
                      title="Diagnostic de la ville d'Échirolles")
    by_key = {f"{t.level}:{t.code}": t for t in tags}
    echirolles = by_key["commune:38151"]
    assert echirolles.about and not by_key["commune:69123"].about
    assert echirolles.ancestors == ["epci:200040715", "departement:38", "region:84", "pays:FR"]
    assert echirolles.evidence[0].page == 3 and "Échirolles" in echirolles.evidence[0].text


def test_horizons_are_future_targets_not_past_years() -> None:
    pages = [Page(page=1, text="En 2015, les émissions étaient fortes. À l'horizon 2050, neutralité carbone ; "
                               "d'ici 2030, baisse de 40 %. Données de 2019.")]
    assert [h.year for h in find_horizons(pages, publication_year=2022)] == [2030, 2050]


def test_theme_scores_have_evidence() -> None:
    themes = Taxonomy.load("themes")
    assert len(themes.concepts) == 20
    scores = themes.score([Page(page=2, text="Le recyclage des friches limite l'artificialisation des sols.")])
    assert scores[0].slug == "sols-foncier" and scores[0].evidence[0].page == 2


def test_personal_data_is_a_digital_and_data_theme() -> None:
    text = "Le RGPD encadre les données personnelles : la CNIL veille à la protection des données et à la vie privée."
    assert Taxonomy.load("themes").score([Page(page=1, text=text)])[0].slug == "numerique-donnees"


@pytest.mark.parametrize(("text", "not_theme"), [
    ("Le recouvrement des créances alimentaires impayées relève de la CAF.", "agriculture-alimentation"),
    ("L'EPCI exploite les rôles de taxes foncières et de taxe d'habitation.", "sols-foncier"),
    ("Votre banque peut vous demander d'apprécier votre patrimoine.", "culture-patrimoine"),
    ("La consultation du fichier est réservée aux agents habilités.", "gouvernance-participation"),
    ("L'hébergement de données de santé exige un agrément.", "habitat-logement"),
    ("La prévention des risques d'impayés justifie la consultation du FCC.", "risques-naturels"),
    ("En cas de coupure d'alimentation électrique, les maires informent les administrés.", "agriculture-alimentation"),
])
def test_words_used_in_another_sense_are_not_themes(text: str, not_theme: str) -> None:
    """Read on the CNIL fiches (out of the field): a keyword inside a phrase of another domain."""
    assert not_theme not in {c.slug for c in Taxonomy.load("themes").score([Page(page=1, text=text)])}


@pytest.mark.parametrize(("text", "theme"), [
    ("Extinction de l'éclairage public la nuit : moins d'électricité consommée, en kWh.", "energie"),
    ("Un délestage du réseau est possible cet hiver : chauffage et pompes à chaleur.", "energie"),
    ("Le Parc naturel régional et la réserve naturelle protègent les aires protégées.", "biodiversite"),
    ("Plan climat-air-énergie : émissions de polluants, PM10 et oxydes d'azote.", "air"),
    ("The plan cuts energy use: renewable energy, energy efficiency and energy poverty.", "energie"),
])
def test_common_words_of_a_domain_make_its_theme(text: str, theme: str) -> None:
    """Vocabulary missing on documents of half A: electricity, public lighting, nature parks,
    air pollutants, and English documents' words."""
    assert Taxonomy.load("themes").score([Page(page=1, text=text)])[0].slug == theme


def test_words_of_a_web_address_are_not_themes() -> None:
    themes = Taxonomy.load("themes")
    text = "Le réseau de chaleur : https://agirpourlatransition.ademe.fr/entreprises/aides-financieres/emploi"
    assert [t.slug for t in themes.score([Page(page=1, text=text)])] == ["energie"]


def markdown_note(title: str, text: str, language: str = "fr") -> Extraction:
    return Extraction(extractor_version=4, format="md", mime_type="text/markdown", language=language, page_count=1,
                      title=title, pages=[Page(page=1, text=text)])


def test_a_theme_beside_the_main_one_needs_more_than_one_mention() -> None:
    extraction = markdown_note("Appel à projets réseaux de chaleur",
                               "Les réseaux de chaleur ne sont pas réservés aux grandes villes. Votre collectivité "
                               "couvre une population inférieure à 50 000 habitants ? Le réseau de chaleur et la "
                               "chaufferie biomasse sont financés.")
    assert [t.slug for t in Analyzer(EntityRecognizer()).run(extraction).themes if "/" not in t.slug] == ["energie"]


@pytest.mark.parametrize(("raw", "clean"), [("n’", None), ("L", None), ("JANVIER 2024", None), ("12", None),
                                             ("  Grenoble-Alpes Métropole ", "Grenoble-Alpes Métropole"),
                                             ("ADEME", "ADEME")])
def test_entity_cleaning(raw: str, clean: str | None) -> None:
    assert clean_entity(raw) == clean


def test_only_segments_that_can_hold_a_name_reach_the_recognizer() -> None:
    text = "les sols sont imperméabilisés. Il faut agir\nLa Métropole de Grenoble agit! rien ici"
    assert name_bearing(text).split("\n") == ["La Métropole de Grenoble agit!"]


def test_shouted_headings_and_generic_bodies_are_not_entities() -> None:
    page = Page(page=1, text="Voir la partie ACTEURS : les acteurs du territoire et la Direction Régionale "
                             "travaillent avec le Cerema et la Direction Régionale. "
                             "Les acteurs locaux rencontrent Pascal Lagrabe.")
    names = {e.text for e in EntityRecognizer().run([page])}
    assert "ACTEURS" not in names and "Direction Régionale" not in names
    assert "Pascal Lagrabe" in names


def test_subthemes_only_under_a_retained_theme() -> None:
    extraction = Extraction(extractor_version=1, format="pdf", mime_type="application/pdf", language="fr",
                            title="Plan de prévention du risque inondation", page_count=1,
                            pages=[Page(page=1, text="Le PPRI encadre les crues et les zones inondables. Les "
                                                     "inondations et la submersion menacent ; une crue centennale. "
                                                     "Le vélo n'est cité qu'une fois.")])
    slugs = [t.slug for t in Analyzer(EntityRecognizer()).run(extraction).themes]
    assert slugs[0] == "risques-naturels" and "risques-naturels/inondations" in slugs
    assert not any(s.startswith("mobilites") for s in slugs)
    assert Taxonomy.load("themes").labels["risques-naturels/inondations"] == "Inondations"


def test_full_analysis_with_spacy() -> None:
    extraction = Extraction(extractor_version=1, format="pdf", mime_type="application/pdf", language="fr",
                            title="Plan climat de Grenoble-Alpes Métropole", page_count=1, year=2023,
                            pages=[Page(page=1, text="L'ADEME et la Métropole de Grenoble présentent le plan "
                                                     "climat. À l'horizon 2050, la neutralité carbone et la "
                                                     "réduction des émissions de gaz à effet de serre à "
                                                     "Échirolles.")])
    analysis = Analyzer(EntityRecognizer()).run(extraction)
    assert analysis.themes[0].slug == "climat"
    assert any(e.text == "ADEME" for e in analysis.entities)
    assert [h.year for h in analysis.horizons] == [2050]
    assert "attenuation" in {p.slug for p in analysis.postures}
    assert any(t.code == "200040715" and t.about for t in analysis.territories)
    assert analysis.producer is not None and analysis.producer.slug == "ademe"


TOP_THEMES = ["climat", "energie", "air", "eau", "risques-naturels", "biodiversite", "paysage", "sols-foncier",
              "urbanisme-planification", "habitat-logement", "mobilites", "economie-emploi",
              "economie-circulaire-dechets", "agriculture-alimentation", "sante", "numerique-donnees",
              "gouvernance-participation", "demographie-societe", "tourisme-montagne", "culture-patrimoine"]


def test_theme_taxonomy_is_the_agreed_top_level_linked_to_thesauri() -> None:
    themes = Taxonomy.load("themes")
    assert [c.slug for c in themes.concepts] == TOP_THEMES
    for concept in themes.concepts:
        assert concept.uris, concept.slug
        assert all(u.startswith(("http://www.eionet.europa.eu/gemet/concept/", "http://eurovoc.europa.eu/"))
                   for u in concept.uris)


def test_theme_uris_exist_in_the_thesauri() -> None:
    from tests.support import CORPUS

    thesauri = CORPUS.parent / "themes"
    if not thesauri.exists():
        pytest.skip("../shared/data/themes absent")
    gemet = (thesauri / "gemet" / "gemet-fr.rdf").read_text(encoding="utf-8")
    eurovoc = (thesauri / "eurovoc" / "eurovoc.yaml").read_text(encoding="utf-8")
    for concept in Taxonomy.load("themes").concepts:
        for uri in concept.uris:
            if "gemet" in uri:
                assert f'rdf:about="{uri}"' in gemet, uri
            else:
                assert f"\n  {uri.rsplit('/', 1)[1]}:\n" in eurovoc, uri


def test_signature_lines_addresses_and_affiliations_are_not_subjects(tagger: TerritoryTagger) -> None:
    pages = [Page(page=1, text="Rapport\nRouen, le 29 mai 2020\nUniversité de Tours\n41000 Blois"),
             Page(page=2, text="Le bassin versant de la Scie en Seine-Maritime. La Seine-Maritime agit."),
             Page(page=3, text="La Seine-Maritime et ses communes littorales.")]
    about = {f"{t.level}:{t.code}" for t in tagger.run(pages) if t.about}
    assert about == {"departement:76"}


def test_places_in_a_title_signature_or_affiliation_are_not_subjects(tagger: TerritoryTagger) -> None:
    pages = [Page(page=1, text="Université François Rabelais Tours\nRésumé. Une méthode de requêtes."),
             Page(page=2, text="Les requêtes sont évaluées sur des données de ventes.")]
    assert not any(t.about for t in tagger.run(pages, title="Université François Rabelais Tours"))
    assert not any(t.about for t in tagger.run(pages, title="Rouen, le 29 mai 2029"))


def test_a_prefect_names_the_departement_an_act_applies_to(tagger: TerritoryTagger) -> None:
    page = Page(page=1, text="PRÉFET DE LA SEINE-MARITIME\nArrêté prescrivant le plan de prévention. Seine-Maritime.")
    assert {f"{t.level}:{t.code}" for t in tagger.run([page]) if t.about} == {"departement:76"}


def test_a_document_citing_many_places_evenly_is_about_none(tagger: TerritoryTagger) -> None:
    cities = ["Amiens", "Lyon", "Marseille", "Toulouse", "Nantes", "Rennes", "Dijon", "Brest", "Limoges",
              "Reims", "Tours", "Orléans"]
    pages = [Page(page=n + 1, text=f"{city} recycle une friche. À {city}, le projet avance. "
                                   f"{cities[(n + 1) % len(cities)]} aussi.") for n, city in enumerate(cities)]
    assert not any(t.about for t in tagger.run(pages))


def test_landmarks_weigh_less_than_the_subject(tagger: TerritoryTagger) -> None:
    text = ("Agnac est à l'est de Marmande. Une route permet de relier Marmande à Bergerac. La commune est "
            "entre Marmande et Bergerac, à 20 km de Marmande.")
    about = {t.name for t in tagger.run([Page(page=1, text=text)]) if t.about}
    assert "Marmande" not in about


def test_participants_employers_and_institution_names_are_not_subjects(tagger: TerritoryTagger) -> None:
    minutes = [Page(page=1, text="Composition du groupe : Stanislas Besson DDT 38 – adjoint ; Véronique Janès "
                                 "DDT38 – chargée d'études ; Delphine Loison DDT 38 – cheffe de projet."),
               Page(page=2, text="Le groupe relit le standard. Stanislas Besson DDT 38 présente les données."),
               Page(page=3, text="Fin de la réunion.")]
    assert {f"{t.level}:{t.code}" for t in tagger.run(minutes) if t.about} == set()
    water = [Page(page=1, text="Les opérateurs du réseau d'eau."),
             Page(page=2, text="Eau de Paris répond. Eau de Paris investit."),
             Page(page=3, text="Eau de Paris modernise. Eau de Paris publie.")]
    assert {f"{t.level}:{t.code}" for t in tagger.run(water) if t.about} == set()


def test_small_communes_are_found_where_the_text_calls_them_communes(tagger: TerritoryTagger) -> None:
    text = "Les communes d'Agnac, Peyrière, Puysserampion et Roumagne (Lot-et-Garonne)."
    named = tagger.run([Page(page=1, text=text)])
    assert {"Agnac", "Peyrière", "Puysserampion", "Roumagne"} <= {t.name for t in named}
    bare = tagger.run([Page(page=1, text="Agnac est un prénom. Peyrière aussi, dit-on.")])
    assert not {"Agnac", "Peyrière"} & {t.name for t in bare}


@pytest.mark.parametrize("text", ["Deux anciens habitants de Couthenans ont laissé une ardoise.",
                                  "La mairie de Couthenans sera fermée.", "Le maire de Couthenans a signé."])
def test_a_small_commune_is_found_where_the_text_names_its_inhabitants_or_mayor(tagger: TerritoryTagger,
                                                                                text: str) -> None:
    """Seen on council minutes: the village is named once, as its inhabitants' ("habitants de Couthenans")."""
    assert "commune:70184" in codes(tagger.run([Page(page=1, text=text)]))
    assert "commune:70184" not in codes(tagger.run([Page(page=1, text="Couthenans, dit-on.")]))


def test_a_small_commune_the_text_calls_a_commune_is_that_commune_throughout(tagger: TerritoryTagger) -> None:
    """Seen on a mayor's new-year speech: Audierne (3,700 inhabitants) named ten times, but only the
    title's "maire d'Audierne" counted, so Bretagne, cited thrice in passing, was taken as a subject."""
    pages = [Page(page=1, text="Vœux du maire d'Audierne\nLe port d'Audierne se porte bien. Audierne garde son "
                               "école. La pêche en Bretagne et le Comité régional des pêches de Bretagne. Audierne "
                               "rénove son église ; Audierne compte 3 764 habitants. Audierne vote son budget.")]
    tags = {f"{t.level}:{t.code}": t for t in tagger.run(pages, title="Vœux du maire d'Audierne")}
    assert tags["commune:29003"].count >= 4
    assert {k for k, t in tags.items() if t.about} == {"commune:29003"}
    assert tags["region:53"].count == 2
    alone = tagger.run([Page(page=1, text="Audierne garde son école. Audierne rénove son église.")])
    assert "commune:29003" not in codes(alone)  # never called a commune: a word like any other


def test_a_compound_commune_name_is_a_name_and_so_is_its_first_word_after_it(tagger: TerritoryTagger) -> None:
    """Lambres-lez-Douai (under 5,000 inhabitants) is no common word; the text then says "Lambres"."""
    pages = [Page(page=1, text="Révision du PLU de Lambres-lez-Douai. Le PLU de Lambres ne permet pas la bretelle ; "
                               "l'échangeur de Lambres déclasse deux hectares de bois.")]
    lambres = {f"{t.level}:{t.code}": t for t in tagger.run(pages)}["commune:59329"]
    assert lambres.count == 3 and lambres.about
    assert "commune:62490" not in codes(tagger.run(pages))  # Lambres (Pas-de-Calais)
    assert codes(tagger.run([Page(page=1, text="Le PLU de Lambres ne permet pas la bretelle.")])) == {}
    castle = [Page(page=1, text="Château-Thierry rénove son école. Le Château de Versailles prête ses jardins.")]
    assert {t.count for t in tagger.run(castle) if t.code == "02168"} == {1}  # a common word, not the commune


def test_a_place_followed_by_a_comma_is_not_a_list(tagger: TerritoryTagger) -> None:
    """A prefect's one-paragraph letter names its département once, in an apposition."""
    note = [Page(page=1, text="Le département de la Haute-Saône, comme l'ensemble du territoire national, doit faire "
                              "face à un risque de rupture d'approvisionnement énergétique.")]
    assert {f"{t.level}:{t.code}" for t in tagger.run(note) if t.about} == {"departement:70"}
    signed = [Page(page=1, text="Vesoul, le {5 NOV. 2022\nMesdames et Messieurs les maires, le délestage est prévu.")]
    assert not any(t.about for t in tagger.run(signed) if t.code == "70550")  # an OCR'd date line: a signature


def test_a_long_single_page_document_has_its_opening_as_a_cover(tagger: TerritoryTagger) -> None:
    """A DOCX groupement of communes: each named again and again at the top, a landmark town cited
    more often further down, and many other places, none standing out."""
    opening = ("Groupement de commandes entre les communes d'Agnac, Peyrière et Puysserampion. Élaboration des "
               "plans locaux d'urbanisme des communes d'Agnac, Peyrière et Puysserampion.\n")
    filler = "Le diagnostic agricole et paysager sera conduit avec les habitants. " * 700
    others = " ".join(f"La route mène vers {c}." for c in ("Bergerac", "Eymet", "Duras", "Lauzun", "Seyches",
                                                          "Cambes", "Lavergne", "Roumagne", "Allemans-du-Dropt"))
    body = " ".join(f"{c} : la commune d'{c} a voté." for c in ("Agnac", "Peyrière", "Puysserampion") * 4)
    text = opening + filler + others + " " + body + " Marmande est à 20 km. " * 2
    about = {t.name for t in tagger.run([Page(page=1, text=text)]) if t.about}
    assert about == {"Agnac", "Peyrière", "Puysserampion"}


def test_theme_keywords_take_their_plural_but_acronyms_do_not() -> None:
    themes = Taxonomy.load("themes")
    heat = {c.slug for c in themes.score([Page(page=1, text="Les réseaux de chaleur se développent en Bretagne.")])}
    assert "energie" in heat
    more = {c.slug for c in themes.score([Page(page=1, text="De plus en plus de visiteurs, plus que jamais.")])}
    assert "urbanisme-planification" not in more


def test_a_departement_named_for_its_river_counts_where_the_text_says_so(tagger: TerritoryTagger) -> None:
    study = [Page(page=1, text="ÉTUDE SUR LE LOGEMENT ÉTUDIANT EN SARTHE\nDépartement de la Sarthe"),
             Page(page=2, text="La Sarthe compte 566 993 habitants. Les étudiants restent dans la Sarthe.")]
    sarthe = {f"{t.level}:{t.code}": t for t in tagger.run(study)}["departement:72"]
    assert sarthe.about and sarthe.count >= 3
    river = [Page(page=1, text="La Sarthe déborde au printemps ; la Loire aussi.")]
    assert codes(tagger.run(river)) == {}


def test_a_lower_case_word_is_not_an_accented_commune(tagger: TerritoryTagger) -> None:
    table = [Page(page=1, text="Organisme | Page | Ligne | Commentaire")]
    assert "commune:44082" not in codes(tagger.run(table))  # Ligné (Loire-Atlantique)
    assert "commune:44082" in codes(tagger.run([Page(page=1, text="La commune de Ligné vote son budget.")]))


def test_a_short_word_in_capitals_amid_text_is_an_acronym(tagger: TerritoryTagger) -> None:
    """Seen on public CNIL fiches: "effectuer une PIA" made 55 of them about Pia (Pyrénées-Orientales)."""
    assert "commune:66141" not in codes(tagger.run([Page(page=1, text="Vous devez effectuer une PIA avant tout.")]))
    assert "commune:64445" in codes(tagger.run([Page(page=1, text="MAIRIE DE PAU\nLe conseil se réunit.")]))
    assert "commune:64445" in codes(tagger.run([Page(page=1, text="La ville de Pau agit. Le plan de PAU.")]))


def test_addresses_glued_to_their_street_are_addresses(tagger: TerritoryTagger) -> None:
    text = "Écrivez au Ministère de l'intérieur, Place Beauvau75800 PARIS. Ou à la CNIL, TSA 80715 PARIS CEDEX 07."
    assert not [t for t in tagger.run([Page(page=1, text=text)]) if t.about and t.code in ("75", "75056")]


def test_a_short_note_listing_places_once_each_is_about_none(tagger: TerritoryTagger) -> None:
    """A national network's note names the towns of its meetings once each: examples, not a subject."""
    note = [Page(page=1, text="Le réseau rassemble 60 communes. Ses membres étaient aux Rencontres nationales à "
                              "Melle (79) en 2023, à Vaour (81) en 2024, puis à Poitiers en 2025.")]
    assert not any(t.about for t in tagger.run(note))
    twice = [Page(page=1, text="Le réseau est né à Poitiers. Ses Rencontres nationales ont eu lieu à Melle (79) "
                               "et à Poitiers.")]
    assert {f"{t.level}:{t.code}" for t in tagger.run(twice) if t.about} == {"commune:86194"}


def test_a_short_note_is_about_the_place_it_names(tagger: TerritoryTagger) -> None:
    """Two paragraphs name their subject once, its region once as context: the smaller place wins."""
    note = [Page(page=1, text="Votre commune est concernée par le PCET de la région Rhône-Alpes. "
                              "Le Grésivaudan mène une politique tournée vers la transition.")]
    assert {f"{t.level}:{t.code}" for t in tagger.run(note) if t.about} == {"epci:200018166"}
    title = tagger.run([Page(page=1, text="Extinction de l'éclairage public à Couthenans\nL'équipe municipale "
                                          "organise l'extinction de l'éclairage.")],
                       title="Extinction de l'éclairage public à Couthenans")
    assert {f"{t.level}:{t.code}" for t in title if t.about} == {"commune:70184"}


def test_places_in_a_bibliography_are_not_subjects(tagger: TerritoryTagger) -> None:
    pages = [Page(page=1, text="Méthode de calcul des indicateurs de rafraîchissement urbain."),
             Page(page=2, text="Le coefficient est calculé par îlot à partir de l'orthophoto."),
             Page(page=3, text="Références :\nCoefficient par îlot sur Chambéry. Biodiversité par îlot sur Chambéry. "
                               "Ruissellement par îlot sur Chambéry. Rapport sur Chambéry.")]
    assert not any(t.about for t in tagger.run(pages))


def test_common_words_shouted_in_headings_are_not_names() -> None:
    pages = [Page(page=1, text="Article 2. LES ACTEURS DU DISPOSITIF\nLe programme est animé par l'ADEME avec le "
                               "BRGM.\nPartenaires : BRGM CEREMA INERIS\n2.| ÉVOLUTION DE L'EMPLOI\nLe taux d'emploi "
                               "progresse à Lyon. Le CEREMA et l'INERIS publient des données.")]
    names = {e.text for e in EntityRecognizer().run(pages)}
    assert not {"ACTEURS", "EMPLOI"} & names
    assert {"ADEME", "BRGM", "CEREMA", "INERIS"} <= names


def test_words_glued_after_a_name_and_actions_are_not_names() -> None:
    from workers.analyze.entities import _action_phrase, _strip_trailing_common

    common = {"validation", "création", "urbanisme"}
    assert _strip_trailing_common("Gilles Cébélieu Validation", common, person=True) == "Gilles Cébélieu"
    assert _strip_trailing_common("Plan Local d'Urbanisme", common) == "Plan Local d'Urbanisme"
    assert _strip_trailing_common("Jean Validation", common, person=True) == "Jean Validation"  # two words stay
    assert _action_phrase("Définir la vision") and _action_phrase("Développer les mobilités douces")
    assert not _action_phrase("Construire Ensemble") and not _action_phrase("Définir")


@pytest.mark.parametrize(("sentence", "years"), [
    ("L'objectif de zéro artificialisation nette en 2050 s'impose aux SCoT.", [2050]),
    ("Il faut diviser par deux la consommation d'espaces d'ici 2031.", [2031]),
    ("La méthode porte sur la trajectoire à l'horizon 2030.", [2030]),
    ("Le PCAET vise à réduire de 40 % les émissions en 2030.", [2030]),
    ("Les communes doivent se conformer à cette obligation d'ici 2027.", [2027]),
    ("Le SCoT 2030 de la grande région de Grenoble.", [2030]),
    ("Pour la réduction des émissions, les données couvrent la période 2015-2030.", [2030]),
    ("La loi Climat et résilience de 2021 a été votée en 2021.", []),  # past years, a law's year
    ("En 2019, le conseil a voté le budget ; en 2026, il recrutera.", []),  # dates, not targets
    ("Rapport publié en 2024 sur les 33 réseaux.", []),
    # a sentence wrapped by a PDF's line breaks is still one sentence
    ("Elle engage à réduire de moitié le rythme de consommation des espaces\nnaturels sur les dix prochaines "
     "années (2031).", [2031]),
    ("Les éco-gestes permettront de réduire la consommation durant l'hiver 2025-2026.", []),  # a season
    # a goal introduces the next year named: a later deadline of the same sentence is not a target
    ("Les objectifs seront intégrés dans les SRADDET d'ici 2025, ensuite déclinés dans les SCoT en 2026.", [2025]),
    ("Objectifs : moins 40 % en 2030, moins 50 % en 2040 et moins 60 % en 2050.", [2030, 2040, 2050]),
    # a goal in any verb form, a period written "entre … et …", a plan named for its period
    ("Les émissions seront réduites de 40 % en 2030 par rapport à 1990.", [2030]),
    ("La consommation d'énergie baissera de 20 % entre 2012 et 2035.", [2035]),
    ("La part du vélo doit passer de 3 % à 10 % en 2030.", [2030]),
    ("La France s'est engagée à être neutre en carbone en 2050.", [2050]),
    ("Le PCAET 2024-2030 fixe les actions du territoire.", [2030]),
    ("Le Plan Vélo 2030 double le réseau cyclable.", [2030]),
    ("Le PCAET 2020-2026 puis celui de 2026-2032 ont été votés.", [2026]),  # a period's start is no horizon
    # a scenario in the conditional: what could or should be by then
    ("Selon Negawatt, nous pourrions en 2050 reposer uniquement sur les énergies renouvelables.", [2050]),
    ("La population devrait compter 50 000 habitants en 2040.", [2040]),
    ("Un territoire couvert à 100 % par les énergies renouvelables en 2050.", [2050]),  # any share aimed at
])
def test_target_years_without_the_word_horizon(sentence: str, years: list[int]) -> None:
    assert [h.year for h in find_horizons([Page(page=1, text=sentence)], publication_year=2024)] == years


def test_a_posture_named_in_passing_is_not_addressed() -> None:
    """A press release, a label's rules, a commitment letter: one word, a law's or a programme's name."""
    filler = "Le fonds soutient le recyclage des friches et la sobriété foncière des communes. " * 40
    passing = Extraction(extractor_version=4, format="pdf", mime_type="application/pdf", language="fr", page_count=2,
                         title="Fonds friches : 100 millions d'euros supplémentaires",
                         pages=[Page(page=1, text=filler + "La loi Climat et résilience fixe le cadre."),
                                Page(page=2, text=filler + "Le ministère de la Transition écologique instruit les "
                                                           "dossiers du programme Territoire engagé transition "
                                                           "écologique, gage de résilience.")])
    assert {p.slug for p in Analyzer(EntityRecognizer()).run(passing).postures} == set()
    argued = passing.model_copy(update={"title": "Stratégie de résilience du territoire face aux crues"})
    assert {p.slug for p in Analyzer(EntityRecognizer()).run(argued).postures} == {"resilience"}


def test_a_territory_s_vulnerability_is_adaptation_a_software_s_is_not() -> None:
    """A PCAET's vulnerability diagnosis is where adaptation starts, even when the word "adaptation"
    is never argued; the vulnerabilities an IT security note patches are another matter."""
    def postures(title: str, text: str) -> set[str]:
        extraction = Extraction(extractor_version=4, format="md", mime_type="text/markdown", language="fr",
                                page_count=1, title=title, pages=[Page(page=1, text=text)])
        return {p.slug for p in Analyzer(EntityRecognizer()).run(extraction).postures}

    filler = "Les participants ont échangé sur les priorités du territoire et les actions à mener. " * 20
    heading = "Ateliers : vulnérabilité et préservation de la ressource en eau"
    assert "adaptation" in postures(heading, f"{heading}\n{filler}")
    assert "adaptation" in postures("Compte rendu d'atelier", filler + (
        "La vulnérabilité du territoire aux inondations progresse. " * 4))
    assert "adaptation" not in postures("Mettre à jour ses serveurs", filler + (
        "Corrigez les vulnérabilités informatiques signalées ; une vulnérabilité critique est exploitée. " * 4))


@pytest.mark.parametrize(("text", "key"), [
    ("Le SCoT du Pays du Mans est en révision.", "commune:72181"),  # "Le Mans"
    ("Une réunion publique au Pont-de-Claix.", "commune:38317"),  # "Le Pont-de-Claix"
    ("La plage des Sables-d'Olonne.", "commune:85194"),  # "Les Sables-d'Olonne"
])
def test_a_commune_named_with_its_article_after_de_or_a(tagger: TerritoryTagger, text: str, key: str) -> None:
    """French contracts "de Le Mans" to "du Mans": the gazetteer says "Le Mans"."""
    assert key in codes(tagger.run([Page(page=1, text=text)]))


def test_a_small_one_word_commune_is_not_read_after_a_contracted_article(tagger: TerritoryTagger) -> None:
    """"Le Port" (La Réunion) and "Le Robert" (Martinique) are words and names far more often than places."""
    found = codes(tagger.run([Page(page=1, text="La capitainerie du Port et le dictionnaire du Robert.")]))
    assert not {"commune:97407", "commune:97222"} & set(found)


@pytest.mark.parametrize(("text", "key"), [
    ("Dinan Agglomération a élaboré son plan climat ; Dinan Agglomération le met en œuvre.", "epci:200068989"),
    ("La communauté de communes du Grésivaudan mène une politique de transition.", "epci:200018166"),
    ("la communauté de communes du Trièves", "epci:200030658"),
    ("Le Mans Métropole et ses communes", "epci:247200132"),
    ("Le Pays Voironnais adopte son plan climat.", "epci:243800984"),  # "CA du Pays Voironnais"
    ("Les élus de Grand Chambéry votent le budget.", "epci:200069110"),  # "CA du Grand Chambéry"
    ("le magazine de l'agglomération du Douaisis", "epci:200044618"),  # "CA Douaisis Agglo"
    ("l'Agglo de Dinan vote son budget", "epci:200068989"),  # "CA Dinan Agglomération"
    ("Montpellier Métropole vote son budget.", "epci:243400017"),  # "Montpellier Méditerranée Métropole"
    ("Le plan climat de la métropole de Rouen.", "epci:200023414"),  # "Métropole Rouen Normandie"
    ("Le port de la métropole du Havre.", "epci:200084952"),  # "CU Le Havre Seine Métropole"
])
def test_intercommunalities_as_texts_write_them(tagger: TerritoryTagger, text: str, key: str) -> None:
    """The gazetteer says "CA Dinan Agglomération", "CC Le Grésivaudan": texts do not."""
    assert key in codes(tagger.run([Page(page=1, text=text)]))


def test_every_document_has_a_scope() -> None:
    from workers.analyze.territories import with_scope

    national = with_scope([], "fr")
    assert [(t.level, t.code, t.about) for t in national] == [("pays", "FR", True)]
    abroad = with_scope([], "en")
    assert [(t.level, t.code, t.about) for t in abroad] == [("monde", "INT", True)]
    local = [TerritoryTag(code="38185", level="commune", name="Grenoble", about=True, count=4)]
    assert with_scope(local, "fr") == local
    cited = [TerritoryTag(code="76", level="departement", name="Seine-Maritime", about=False, count=1)]
    assert [(t.level, t.about) for t in with_scope(cited, "en")] == [("pays", True), ("departement", False)]


def test_public_bodies_are_found_and_merged_under_their_acronym() -> None:
    from schemas.reference import packaged_taxonomy_dir
    from workers.analyze.bodies import KnownBodies

    bodies = KnownBodies.load(packaged_taxonomy_dir())
    pages = [Page(page=1, text="Le Bureau de recherches géologiques et minières (BRGM) et le Cerema ont travaillé "
                               "avec l'IGN. Le BRGM publie ; la DHUP pilote. Une ademe minuscule n'est pas un sigle.")]
    found = {e.text: e.count for e in bodies.run(pages)}
    assert found == {"BRGM": 3, "CEREMA": 1, "IGN": 1, "DHUP": 1}
    merged = bodies.merge(bodies.run(pages), [Entity(text="Cerema", label="ORG", count=1),
                                              Entity(text="Grenoble", label="LOC", count=2)])
    assert [e.text for e in merged].count("CEREMA") == 1 and "Cerema" not in {e.text for e in merged}


def test_pieces_of_a_known_name_are_not_names() -> None:
    """spaCy splits 'la loi "Informatique et Libertés"' into "Informatique" and "Libertés"."""
    from schemas.reference import packaged_taxonomy_dir
    from workers.analyze.bodies import KnownBodies

    bodies = KnownBodies.load(packaged_taxonomy_dir())
    pages = [Page(page=1, text='La loi "Informatique et Libertés" protège vos données ; saisissez la CNIL.')]
    merged = bodies.merge(bodies.run(pages), [Entity(text="Libertés", label="PER", count=1),
                                              Entity(text="Informatique", label="LOC", count=1),
                                              Entity(text="Grenoble", label="LOC", count=1)])
    assert {e.text for e in merged} == {"Informatique et Libertés", "CNIL", "Grenoble"}


@pytest.mark.parametrize("junk", ["x x x", "Null", "Organisme type", "Rémunération HT", "Cccc", "Cn a", "Vu Dour",
                                  "Territoires di"])
def test_placeholders_and_ocr_shards_are_not_names(junk: str) -> None:
    assert clean_entity(junk) is None


@pytest.mark.parametrize("name", ["IGN", "Le Mans", "Val d'Isère", "Grenoble-Alpes Métropole", "Aix en Provence"])
def test_real_names_survive_the_junk_rules(name: str) -> None:
    assert clean_entity(name) is not None


def test_an_english_document_gets_names_without_a_model() -> None:
    extraction = markdown_note("Climate City Contract",
                               "Grenoble-Alpes Metropole signed the Climate City Contract with the European "
                               "Commission. The European Commission and Grenoble-Alpes Metropole follow the "
                               "NetZeroCities platform; ADEME and NetZeroCities help. Grenoble leads.", "en")
    names = {e.text for e in Analyzer(EntityRecognizer()).run(extraction).entities}
    assert {"European Commission", "ADEME"} <= names and any("Grenoble" in n for n in names)
