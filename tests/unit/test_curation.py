"""Corrections, the pure part: what an edit may say, and the values in force over the automatic ones."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from schemas.curation import DocumentEdit, FieldCuration, apply_corrections, in_force, values_of
from schemas.documents import IndexRecord, Page
from schemas.gazetteer import Gazetteer


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


def automatic(gazetteer: Gazetteer) -> IndexRecord:
    return IndexRecord(id="0123456789abcdef", title="Note", title_source="first_line", path="note.txt", format="txt",
                       language="fr", pages=[Page(page=1, text="…")], themes=["eau", "eau/assainissement"],
                       territories=["commune:38185", *gazetteer.ancestors("commune:38185")], scope="locale",
                       postures=["adaptation"], horizons=[2030], year=2021)


def corrected(value: object) -> FieldCuration:
    return FieldCuration(value=value, corrected=True, by="doc", at=1.0)


def test_corrections_replace_whole_fields_and_bring_parents_and_ancestors(gazetteer: Gazetteer) -> None:
    record = apply_corrections(automatic(gazetteer), {
        "themes": corrected(["risques-naturels/inondations"]), "territories": corrected(["departement:38"]),
        "title": corrected("Plan de prévention des inondations"), "postures": corrected([]),
        "year": FieldCuration(value=1999, corrected=False, validated=True)}, gazetteer.ancestors)
    assert record.themes == ["risques-naturels", "risques-naturels/inondations"]
    assert record.territories == sorted({"departement:38", *gazetteer.ancestors("departement:38")})
    assert "commune:38185" not in record.territories and record.scope == "locale"
    assert record.title == "Plan de prévention des inondations" and record.title_source == "curated"
    assert record.postures == [] and record.year == 2021  # validated without a value: the automatic one stands


def test_a_national_correction_makes_the_scope_national(gazetteer: Gazetteer) -> None:
    record = apply_corrections(automatic(gazetteer), {"territories": corrected(["pays:FR"])}, gazetteer.ancestors)
    assert record.territories == ["pays:FR"] and record.scope == "nationale"


def test_values_in_force_read_as_a_documentalist_writes_them(gazetteer: Gazetteer) -> None:
    record = automatic(gazetteer)
    assert values_of(record, gazetteer.ancestors)["territories"] == ["commune:38185"]
    assert values_of(record, gazetteer.ancestors)["themes"] == ["eau/assainissement"]
    fields = in_force(record, {"postures": corrected(["attenuation"])}, gazetteer.ancestors)
    assert fields["postures"] == {"value": ["attenuation"], "corrected": True, "validated": False, "by": "doc",
                                  "at": 1.0}
    assert fields["horizons"]["value"] == [2030] and not fields["horizons"]["corrected"]


@pytest.mark.parametrize("body", [
    {"themes": ["Eau potable"]}, {"territories": ["38"]}, {"horizons": [30]}, {"title": ""},
    {"validated": ["entities"]}, {"summary": "x" * 5001}, {"authors": [""]}, {"entities": ["ADEME"]},
])
def test_malformed_edits_are_refused(body: dict) -> None:
    with pytest.raises(ValidationError):
        DocumentEdit.model_validate(body)


def test_an_edit_says_which_fields_it_sets() -> None:
    edit = DocumentEdit.model_validate({"themes": ["eau"], "year": None, "validated": ["territories"]})
    assert edit.changes() == {"year": None, "themes": ["eau"]}


def test_doubts_name_what_is_uncertain_and_settled_fields_drop_out() -> None:
    from schemas.curation import doubts
    from schemas.documents import Analysis, Evidence, PostureTag, TerritoryTag, ThemeTag

    tied = Analysis(analyzer_version=1, themes=[ThemeTag(slug="eau", label="Eau", score=1.0),
                                                ThemeTag(slug="climat", label="Climat", score=0.95)],
                    territories=[TerritoryTag(code="38185", level="commune", name="Grenoble", about=True, count=2),
                                 TerritoryTag(code="38151", level="commune", name="Échirolles", about=True, count=2)],
                    postures=[PostureTag(slug="adaptation", label="Adaptation", score=1.0,
                                         evidence=[Evidence(page=1, text="…")])])
    assert [(d.field, d.reason) for d in doubts(tied, "cover", {})] == [
        ("themes", "thèmes principaux à égalité"), ("territories", "plusieurs territoires à égalité"),
        ("postures", "posture appuyée sur un seul passage")]
    settled = {"themes": corrected(["eau"]), "postures": FieldCuration(validated=True)}
    assert [d.field for d in doubts(tied, "first_line", settled)] == ["territories", "title"]
    clear = Analysis(analyzer_version=1, themes=[ThemeTag(slug="eau", label="Eau", score=1.0)],
                     territories=[TerritoryTag(code="38185", level="commune", name="Grenoble", about=True, count=5)])
    assert doubts(clear, "properties", {}) == []
