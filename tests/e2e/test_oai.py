"""OAI-PMH 2.0 at /oai: harvested by a real client (sickle), every answer valid against the
protocol's XML schema and Dublin Core's, resumption tokens, sets, dates, errors and deletions."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from sickle import Sickle
from sickle.oaiexceptions import NoRecordsMatch

from schemas.curation import DocumentEdit
from services.bootstrap import Container, build
from services.search.app import create_app
from services.settings import SemanticSettings, Settings
from tests.conftest import empty_redis
from tests.support import FIXTURES, SHARED_REDIS_URL, ingest_and_wait, serving, until, worker_running

pytestmark = pytest.mark.slow
SCHEMAS = FIXTURES / "oai"
NS = {"oai": "http://www.openarchives.org/OAI/2.0/", "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
      "dc": "http://purl.org/dc/elements/1.1/"}


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    """Nine notes in two collections ("etudes/climat": 6, "comptes-rendus": 3), four records a page."""
    root = tmp_path_factory.mktemp("oai")
    inbox = root / "inbox"
    for i in range(9):
        folder = inbox / ("etudes/climat" if i < 6 else "comptes-rendus")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"note-{i}.md").write_text(
            f"# Note {i} sur les mobilités à Échirolles\n\nÀ Échirolles, le tramway et le covoiturage : étude {i} "
            f"des déplacements d'Échirolles à l'horizon 2040.\n", encoding="utf-8")
    with empty_redis(SHARED_REDIS_URL) as url:
        c = build(Settings(data_dir=root / "data", inbox=inbox, redis_url=url, oai_page_size=4,
                           semantic=SemanticSettings(enabled=False)))
        with worker_running(c):
            assert {s for s, _ in ingest_and_wait(c, [inbox]).values()} == {"indexed"}
            yield c
        c.close()


@pytest.fixture(scope="module")
def client(library: Container) -> TestClient:
    return TestClient(create_app(library))


@pytest.fixture(scope="module")
def schemas() -> tuple[etree.XMLSchema, etree.XMLSchema]:
    return (etree.XMLSchema(etree.parse(str(SCHEMAS / "OAI-PMH.xsd"))),
            etree.XMLSchema(etree.parse(str(SCHEMAS / "oai_dc.xsd"))))


def valid(body: bytes, schemas: tuple[etree.XMLSchema, etree.XMLSchema]) -> etree._Element:
    """The parsed answer, once the envelope and each Dublin Core record have passed their schemas."""
    tree = etree.fromstring(body)
    envelope, dublin_core = schemas
    assert envelope.validate(tree), envelope.error_log
    for dc in tree.iterfind(".//oai_dc:dc", NS):
        assert dublin_core.validate(etree.ElementTree(dc)), dublin_core.error_log
    return tree


def ask(client: TestClient, schemas: tuple[etree.XMLSchema, etree.XMLSchema], **params: str) -> etree._Element:
    answer = client.get("/oai", params=params)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/xml")
    return valid(answer.content, schemas)


def error_of(tree: etree._Element) -> str | None:
    error = tree.find("oai:error", NS)
    return None if error is None else error.get("code")


def test_identify_formats_and_sets(client: TestClient, schemas: tuple[etree.XMLSchema, etree.XMLSchema]) -> None:
    identify = ask(client, schemas, verb="Identify")
    assert identify.findtext(".//oai:baseURL", namespaces=NS) == "http://127.0.0.1:8000/oai"
    assert identify.findtext(".//oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext(".//oai:deletedRecord", namespaces=NS) == "transient"
    formats = ask(client, schemas, verb="ListMetadataFormats")
    assert [e.text for e in formats.iterfind(".//oai:metadataPrefix", NS)] == ["oai_dc"]
    specs = {e.text for e in ask(client, schemas, verb="ListSets").iterfind(".//oai:setSpec", NS)}
    assert {"theme", "theme:mobilites", "theme:risques-naturels:inondations", "territoire",
            "territoire:commune-38151", "territoire:departement-38", "collection", "collection:etudes",
            "collection:etudes:climat", "collection:comptes-rendus"} <= specs
    posted = client.post("/oai", data={"verb": "Identify"})  # the protocol allows POST too
    assert valid(posted.content, schemas).find(".//oai:Identify", NS) is not None


def test_a_harvester_gets_every_record_through_resumption_tokens(
        library: Container, schemas: tuple[etree.XMLSchema, etree.XMLSchema]) -> None:
    with serving(create_app(library)) as port:
        sickle = Sickle(f"http://127.0.0.1:{port}/oai")
        records = list(sickle.ListRecords(metadataPrefix="oai_dc"))
        assert len(records) == 9 and len({r.header.identifier for r in records}) == 9
        for record in records:
            [dc] = record.xml.iterfind(".//oai_dc:dc", NS)
            assert schemas[1].validate(etree.ElementTree(dc)), schemas[1].error_log
            assert record.metadata["title"][0].startswith("Note ") and record.metadata["type"] == ["Text"]
            assert record.metadata["identifier"][0].startswith("http://127.0.0.1:8000/documents/")
            assert "Échirolles" in record.metadata["coverage"] and "horizon 2040" in record.metadata["coverage"]
            assert record.header.datestamp.endswith("Z")
        climate = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="collection:etudes"))
        assert len(climate) == 6 and all("collection:etudes:climat" in h.setSpecs for h in climate)
        assert len(list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="collection:comptes-rendus"))) == 3
        assert len(list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="territoire:departement-38"))) == 9
        one = sickle.GetRecord(identifier=records[0].header.identifier, metadataPrefix="oai_dc")
        assert one.metadata["title"] == records[0].metadata["title"]


def test_pages_carry_a_token_and_the_list_size(client: TestClient,
                                               schemas: tuple[etree.XMLSchema, etree.XMLSchema]) -> None:
    first = ask(client, schemas, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.find(".//oai:resumptionToken", NS)
    assert len(first.findall(".//oai:header", NS)) == 4
    assert token.get("completeListSize") == "9" and token.get("cursor") == "0" and token.text
    second = ask(client, schemas, verb="ListIdentifiers", resumptionToken=token.text)
    assert second.find(".//oai:resumptionToken", NS).get("cursor") == "4"
    seen = {e.text for page in (first, second) for e in page.iterfind(".//oai:identifier", NS)}
    assert len(seen) == 8
    last = ask(client, schemas, verb="ListIdentifiers",
               resumptionToken=second.find(".//oai:resumptionToken", NS).text)
    assert len(last.findall(".//oai:header", NS)) == 1 and not last.find(".//oai:resumptionToken", NS).text


def test_dates_select_what_changed(client: TestClient, schemas: tuple[etree.XMLSchema, etree.XMLSchema]) -> None:
    today = datetime.now(UTC).date()
    tomorrow, yesterday = (today + timedelta(days=1)).isoformat(), (today - timedelta(days=1)).isoformat()
    assert error_of(ask(client, schemas, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": tomorrow})) \
        == "noRecordsMatch"
    assert error_of(ask(client, schemas, verb="ListIdentifiers", metadataPrefix="oai_dc", until=yesterday)) \
        == "noRecordsMatch"
    bounded = ask(client, schemas, verb="ListIdentifiers", metadataPrefix="oai_dc",
                  **{"from": yesterday, "until": today.isoformat()})
    assert bounded.find(".//oai:resumptionToken", NS).get("completeListSize") == "9"


@pytest.mark.parametrize(("params", "code"), [
    ({}, "badVerb"),
    ({"verb": "Harvest"}, "badVerb"),
    ({"verb": "Identify", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-13-45"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-01-01", "until": "2026-12-31T00:00:00Z"},
     "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2027-01-01", "until": "2026-01-01"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "theme:inconnu"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "ListRecords", "resumptionToken": "pas-un-jeton"}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
    ({"verb": "GetRecord", "identifier": "oai:ailleurs:123", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
    ({"verb": "ListMetadataFormats", "identifier": "oai:127.0.0.1:8000:0000000000000000"}, "idDoesNotExist"),
])
def test_errors_are_the_protocols(client: TestClient, schemas: tuple[etree.XMLSchema, etree.XMLSchema],
                                  params: dict[str, str], code: str) -> None:
    tree = ask(client, schemas, **params)
    assert error_of(tree) == code and tree.findtext("oai:error", namespaces=NS)
    if code in ("badVerb", "badArgument"):
        assert not tree.find("oai:request", NS).attrib  # an unreadable request is not echoed


def test_a_repeated_argument_is_refused(client: TestClient, schemas: tuple[etree.XMLSchema, etree.XMLSchema]) -> None:
    answer = client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc")
    assert error_of(valid(answer.content, schemas)) == "badArgument"
    answer = client.get("/oai?verb=Identify&verb=Identify")
    assert error_of(valid(answer.content, schemas)) == "badVerb"


def test_corrections_and_deletions_reach_harvesters(library: Container, client: TestClient,
                                                    schemas: tuple[etree.XMLSchema, etree.XMLSchema]) -> None:
    """Runs last: it changes the library. A corrected record gets a new datestamp and its corrected
    values; a deleted one is reported deleted, without metadata, and leaves every set."""
    headers = ask(client, schemas, verb="ListIdentifiers", metadataPrefix="oai_dc").iterfind(".//oai:header", NS)
    identifier = next(headers).findtext("oai:identifier", namespaces=NS)
    doc_id = identifier.rsplit(":", 1)[1]
    time.sleep(1.1)  # datestamps are to the second
    since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    library.curation.edit(doc_id, DocumentEdit(title="Note corrigée", authors=["Camille Dubreuil"]), "doc")
    until(lambda: library.catalog.get(doc_id).state == "indexed", "re-indexed", 30)
    changed = ask(client, schemas, verb="ListRecords", metadataPrefix="oai_dc", **{"from": since})
    assert [e.text for e in changed.iterfind(".//oai:identifier", NS)] == [identifier]
    assert changed.findtext(".//dc:title", namespaces=NS) == "Note corrigée"
    assert changed.findtext(".//dc:creator", namespaces=NS) == "Camille Dubreuil"

    path = library.catalog.paths_of(doc_id)[0]
    assert library.intake.remove(path)
    gone = ask(client, schemas, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    header = gone.find(".//oai:header", NS)
    assert header.get("status") == "deleted" and gone.find(".//oai:metadata", NS) is None
    every = ask(client, schemas, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert every.find(".//oai:resumptionToken", NS).get("completeListSize") == "9"  # still reported, as deleted
    in_set = ask(client, schemas, verb="ListIdentifiers", metadataPrefix="oai_dc", set="territoire:departement-38")
    assert identifier not in {e.text for e in in_set.iterfind(".//oai:identifier", NS)}
    with serving(create_app(library)) as port, pytest.raises(NoRecordsMatch):
        list(Sickle(f"http://127.0.0.1:{port}/oai").ListIdentifiers(metadataPrefix="oai_dc", **{"from": "2100-01-01"}))
