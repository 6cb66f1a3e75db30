"""Resemblance of documents: signatures, LSH bands, and the relation of two alike texts."""

from __future__ import annotations

import random

import pytest

from schemas.documents import Page
from workers.analyze.resemblance import MIN_SHARED, jaccard, keys, minhash, relation, signature
from workers.families import closest

WORDS = ("aménagement territoire commune risque inondation crue digue quartier mobilité transport vélo tramway "
         "logement habitat foncier sol artificialisation climat énergie chaleur eau rivière nappe forêt "
         "paysage agriculture alimentation emploi économie santé air bruit déchet réseau données carte plan "
         "schéma orientation objectif action programme étude diagnostic enjeu scénario horizon trajectoire").split()


def paragraphs(seed: int, n: int, words: int = 60) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(words)) for _ in range(n)]


def pages(texts: list[str]) -> list[Page]:
    return [Page(page=1, text="\n\n".join(texts))]


@pytest.fixture(scope="module")
def report() -> list[str]:
    return paragraphs(1, 40)


def test_same_text_other_format_is_the_same_content(report: list[str]) -> None:
    a, b = signature(pages(report)), signature(pages(["Version en texte brut.", *report]))
    assert a is not None and b is not None and len(a.minhash) == 128
    assert relation(b, a) == ("same-content", pytest.approx(jaccard(a, b))) and jaccard(a, b) >= 0.85
    assert len(set(keys(a)) & set(keys(b))) >= 100  # they meet in the catalog's lookup


def test_a_summary_a_version_and_a_stranger(report: list[str]) -> None:
    full = signature(pages(report))
    summary = signature(pages(report[5:11]))
    version = signature(pages(report[:26] + paragraphs(2, 14)))
    stranger = signature(pages(paragraphs(3, 40)))
    assert full and summary and version and stranger
    assert relation(summary, full)[0] == "summary" and relation(full, summary)[0] == "summarised-by"
    assert len(set(keys(summary)) & set(keys(full))) >= MIN_SHARED  # found, though little alike
    assert len(set(keys(stranger)) & set(keys(full))) < MIN_SHARED
    found = relation(version, full)
    assert found is not None and found[0] == "version" and 0.45 <= found[1] < 0.85
    assert relation(stranger, full) is None
    assert closest(version, {"full": full, "stranger": stranger})[:2] == ("full", "version")


def test_signatures_are_datasketch_s_value_for_value() -> None:
    """Signatures already in catalogs were made by datasketch: the numpy computation must give the
    same 128 values (datasketch stays a test dependency for this comparison)."""
    from datasketch import MinHash

    rng = random.Random(3)
    for size in (1, 2, 57, 3000):
        items = [" ".join(rng.choice(WORDS) for _ in range(5)).encode() + bytes([rng.randrange(256)])
                 for _ in range(size)]
        reference = MinHash(num_perm=128, seed=7)
        reference.update_batch(items)
        assert minhash(items).tolist() == reference.hashvalues.tolist()
    assert minhash([b"a"], seed=8).tolist() != minhash([b"a"]).tolist()


def test_too_short_a_text_has_no_signature() -> None:
    assert signature([Page(page=1, text="Compte rendu de la séance du 3 mars.")]) is None


def test_a_reworded_summary_is_known_by_its_title(report: list[str]) -> None:
    """A summary that rewords its report shares no passage with it, but keeps its title and says so."""
    full = signature(pages(report), "Éviter, réduire et compenser l'imperméabilisation des sols")
    reworded = signature(pages(paragraphs(4, 6)), "Éviter, réduire et compenser l'imperméabilisation des sols – résumé")
    namesake = signature(pages(paragraphs(5, 6)), "Éviter, réduire et compenser l'imperméabilisation des sols")
    assert full and reworded and namesake and jaccard(full, reworded) < 0.1
    assert relation(reworded, full)[0] == "summary" and relation(full, reworded)[0] == "summarised-by"
    assert relation(namesake, full) is None  # the same title without "résumé": not said to be a summary
