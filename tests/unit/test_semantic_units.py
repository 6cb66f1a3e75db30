"""Semantic search, the pure parts: what is embedded (cards and passages) and how rankings are fused."""

from __future__ import annotations

from schemas.documents import Extraction, Page
from services.search.ranking import DEFAULT, Ranking, is_question, rrf, zscore_sum
from services.semantic.vectors import document_score
from workers.embed.units import WHOLE_WORDS, WINDOW_STEP, WINDOW_WORDS, embedding_title, units


def extraction(*pages: str) -> Extraction:
    return Extraction(extractor_version=4, format="pdf", mime_type="application/pdf", page_count=len(pages),
                      pages=[Page(page=i + 1, text=t) for i, t in enumerate(pages)])


def test_a_short_text_is_embedded_whole_as_its_own_card() -> None:
    found = units("Fiche", [], extraction("Le registre des traitements recense les finalités."))
    assert len(found) == 1 and found[0].page == 0 and found[0].text.startswith("Fiche\nLe registre")


def test_a_short_text_is_also_embedded_in_overlapping_windows_with_their_pages() -> None:
    first = " ".join(f"un{i}" for i in range(70))
    second = " ".join(f"deux{i}" for i in range(80))
    found = units("Fiche", [], extraction(first, second))
    card, windows = found[0], found[1:]
    assert card.page == 0 and card.text == f"Fiche\n{first} {second}"
    assert [w.text.split()[0] for w in windows] == ["un0", "un30", "un60", "deux20"]
    assert [w.page for w in windows] == [1, 1, 1, 2]
    assert all(len(w.text.split()) == WINDOW_WORDS for w in windows[:-1])
    assert windows[-1].text.split()[-1] == "deux79"  # the end of the text is covered
    assert WINDOW_STEP < WINDOW_WORDS  # windows overlap: a sentence is never only cut in two
    assert len(units("Fiche", [], extraction(" ".join(["mot"] * WINDOW_WORDS)))) == 1  # one window: the card


def test_a_documents_closeness_is_its_best_unit_drawn_toward_its_card() -> None:
    assert document_score([0.2, 0.9, 0.5], 0.0) == 0.9
    assert document_score([0.2, 0.9, 0.5], 1.0) == 0.2
    assert document_score([0.2, 0.9, 0.5], 0.5) == 0.55
    assert document_score([0.8], 0.5) == 0.8  # embedded whole: its card is all there is


def test_a_long_text_gets_a_card_and_passages_spread_over_it() -> None:
    pages = [" ".join(f"mot{p}x{i}" for i in range(400)) for p in range(30)]
    found = units("Rapport", ["Introduction au rapport", "Conclusions"], extraction(*pages), words=100, limit=10)
    card, passages = found[0], found[1:]
    assert card.page == 0 and card.text.startswith("Rapport\nIntroduction au rapport\nConclusions\nmot0x0")
    assert len(passages) == 10 and all(len(p.text.split()) == 100 for p in passages)
    assert passages[0].page == 1 and passages[-1].page >= 27  # from the first page to the last
    assert sum(len(u.text.split()) for u in found) < 10 * 100 + 200  # the cost is bounded
    assert len(" ".join(pages).split()) > WHOLE_WORDS


def test_codes_are_not_embedded_as_titles() -> None:
    assert embedding_title("cnil 0000", "filename") == ""
    assert embedding_title("SKM C287", "filename") == ""
    assert embedding_title("plan vélo Voiron", "filename") == "plan vélo Voiron"
    assert embedding_title("Zoom10", "cover") == "Zoom10"


def test_questions_are_told_from_keywords() -> None:
    assert is_question("Que faire contre les spams ?") and is_question("comment réduire l'artificialisation")
    assert is_question("je cherche le plan climat de la métropole grenobloise")
    assert not is_question("PPRI Grenoble") and not is_question("imperméabilisation des sols")


def test_fusions() -> None:
    words, dense = [("a", 9.0), ("b", 5.0), ("c", 1.0)], [("c", 0.9), ("d", 0.8), ("a", 0.2)]
    assert zscore_sum(words, dense, 0.0)[:3] == ["a", "b", "c"]
    assert zscore_sum(words, dense, 10.0)[0] == "c"
    assert set(zscore_sum(words, dense, 1.0)) == {"a", "b", "c", "d"}
    assert rrf(["a", "b"], ["b", "c"], 1.0, 60)[0] == "b"
    assert Ranking(fusion="rrf").fuse(words, dense, "x")[0] in {"a", "c"}
    assert DEFAULT.fuse([], [], "x") == []
