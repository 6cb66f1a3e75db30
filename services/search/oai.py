"""OAI-PMH 2.0 (openarchives.org/OAI/openarchivesprotocol.html): library and research portals
harvest the catalogue as Dublin Core (``oai_dc``), the values in force (documentalists' corrections
included).

Records are the indexed documents, datestamped by their last change in the catalog (a correction
re-indexes a document, so harvesters see it again); deleted documents are reported as deleted for as
long as the catalog keeps them (``deletedRecord``: transient). Sets: ``theme`` (``theme:eau``,
sub-themes ``theme:risques-naturels:inondations``), ``territoire`` (``territoire:departement-38``:
everything about the Isère, its communes included) and ``collection`` (the watched folder's
sub-folders). A set selects live documents only: a deleted one is in no set any more. Lists come
100 at a time with a resumption token that carries the whole request (no server state).
"""

from __future__ import annotations

import base64
import mimetypes
import re
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from pydantic import BaseModel, ValidationError

from schemas.documents import DocState
from schemas.search import SearchQuery
from services.ingest.catalog import DocumentRow
from services.search.backends.base import matching_ids
from services.search.service import SearchService

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
for _prefix, _uri in (("", OAI), ("oai_dc", OAI_DC), ("dc", DC), ("xsi", XSI)):
    ET.register_namespace(_prefix, _uri)

MEDIA_TYPE = "text/xml; charset=utf-8"
_ARGUMENTS: dict[str, tuple[set[str], set[str]]] = {  # verb: (required, optional)
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_SPEC_CHARS = re.compile(r"[^A-Za-z0-9\-_.!~*'()]+")


class OaiError(Exception):
    """A protocol error: its code (``badArgument``…) and a French explanation."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class _Token(BaseModel):
    """Everything a list request needs to go on: the request itself and where the last page ended."""

    verb: str
    prefix: str
    since: float | None = None
    until: float | None = None
    set: str | None = None
    after: tuple[float, str]
    cursor: int


def _stamp(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _time(value: str, end: bool) -> float:
    """A ``from``/``until`` date (day or second granularity) as a timestamp; a day ``until`` is its end."""
    formats = (("%Y-%m-%d", 86_399.999_999) if _DAY.match(value) else
               ("%Y-%m-%dT%H:%M:%SZ", 0.999_999) if _SECOND.match(value) else None)
    try:
        if formats is None:
            raise ValueError(value)
        moment = datetime.strptime(value, formats[0]).replace(tzinfo=UTC).timestamp()
    except ValueError as exc:
        raise OaiError("badArgument", f"date invalide : {value!r} (AAAA-MM-JJ ou AAAA-MM-JJThh:mm:ssZ)") from exc
    return moment + formats[1] if end else moment


def spec_segment(value: str) -> str:
    """A collection's folder name as a setSpec segment (the characters the protocol allows)."""
    return _SPEC_CHARS.sub("_", value).strip("_") or "_"


class OaiRepository:
    def __init__(self, service: SearchService, base_url: str, admin_email: str,
                 name: str = "phare — centre de ressources de l'Atelier des futurs", page_size: int = 100) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.admin_email = admin_email
        self.name = name
        self.page_size = page_size
        self.namespace = urlsplit(self.base_url).netloc or "phare"
        self._verbs: dict[str, Callable[[dict[str, str]], ET.Element]] = {
            "Identify": self._identify, "ListMetadataFormats": self._list_metadata_formats,
            "ListSets": self._list_sets, "GetRecord": self._get_record,
            "ListIdentifiers": self._list_identifiers, "ListRecords": self._list_records}

    # -- the protocol ----------------------------------------------------------------------------
    def respond(self, pairs: Sequence[tuple[str, str]]) -> bytes:
        """The XML answer to one request (its arguments as given, repeated ones included)."""
        root = ET.Element(f"{{{OAI}}}OAI-PMH", {
            f"{{{XSI}}}schemaLocation": f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"})
        ET.SubElement(root, f"{{{OAI}}}responseDate").text = _stamp(time.time())
        request = ET.SubElement(root, f"{{{OAI}}}request")
        request.text = f"{self.base_url}/oai"
        try:
            verb, args = self._checked(pairs)
            request.attrib.update({"verb": verb, **args})
            root.append(self._verbs[verb](args))
        except OaiError as exc:
            if exc.code in ("badVerb", "badArgument"):
                request.attrib.clear()  # the protocol: no attributes echoed for a request it cannot read
            error = ET.SubElement(root, f"{{{OAI}}}error", {"code": exc.code})
            error.text = str(exc)
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)

    @staticmethod
    def _checked(pairs: Sequence[tuple[str, str]]) -> tuple[str, dict[str, str]]:
        verbs = [v for k, v in pairs if k == "verb"]
        if len(verbs) != 1 or verbs[0] not in _ARGUMENTS:
            raise OaiError("badVerb", "verbe absent, répété ou inconnu (Identify, ListMetadataFormats, ListSets, "
                                      "GetRecord, ListIdentifiers, ListRecords)")
        verb = verbs[0]
        names = [k for k, _ in pairs if k != "verb"]
        if len(names) != len(set(names)):
            raise OaiError("badArgument", "argument répété")
        args = {k: v for k, v in pairs if k != "verb"}
        required, optional = _ARGUMENTS[verb]
        unknown = set(args) - required - optional
        if unknown:
            raise OaiError("badArgument", f"argument(s) non permis pour {verb} : {', '.join(sorted(unknown))}")
        if "resumptionToken" in args:
            if len(args) > 1:
                raise OaiError("badArgument", "resumptionToken s'emploie seul")
        elif required - set(args):
            raise OaiError("badArgument", f"argument(s) requis : {', '.join(sorted(required - set(args)))}")
        return verb, args

    def _identify(self, args: dict[str, str]) -> ET.Element:
        out = ET.Element(f"{{{OAI}}}Identify")
        earliest = self.service.catalog.earliest_change()
        for tag, text in (("repositoryName", self.name), ("baseURL", f"{self.base_url}/oai"),
                          ("protocolVersion", "2.0"), ("adminEmail", self.admin_email),
                          ("earliestDatestamp", _stamp(earliest if earliest is not None else time.time())),
                          ("deletedRecord", "transient"), ("granularity", "YYYY-MM-DDThh:mm:ssZ")):
            ET.SubElement(out, f"{{{OAI}}}{tag}").text = text
        return out

    def _list_metadata_formats(self, args: dict[str, str]) -> ET.Element:
        if "identifier" in args:
            self._row(args["identifier"])
        out = ET.Element(f"{{{OAI}}}ListMetadataFormats")
        fmt = ET.SubElement(out, f"{{{OAI}}}metadataFormat")
        for tag, text in (("metadataPrefix", "oai_dc"), ("schema", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"),
                          ("metadataNamespace", OAI_DC)):
            ET.SubElement(fmt, f"{{{OAI}}}{tag}").text = text
        return out

    def _list_sets(self, args: dict[str, str]) -> ET.Element:
        if "resumptionToken" in args:
            raise OaiError("badResumptionToken", "la liste des ensembles tient en une réponse : aucun jeton attendu")
        out = ET.Element(f"{{{OAI}}}ListSets")
        for spec, name in self.sets().items():
            node = ET.SubElement(out, f"{{{OAI}}}set")
            ET.SubElement(node, f"{{{OAI}}}setSpec").text = spec
            ET.SubElement(node, f"{{{OAI}}}setName").text = name
        return out

    def _get_record(self, args: dict[str, str]) -> ET.Element:
        self._format(args["metadataPrefix"])
        out = ET.Element(f"{{{OAI}}}GetRecord")
        out.append(self._record(self._row(args["identifier"])))
        return out

    def _list_identifiers(self, args: dict[str, str]) -> ET.Element:
        return self._list("ListIdentifiers", args)

    def _list_records(self, args: dict[str, str]) -> ET.Element:
        return self._list("ListRecords", args)

    # -- lists -----------------------------------------------------------------------------------
    def _list(self, verb: str, args: dict[str, str]) -> ET.Element:
        token = self._resumed(verb, args["resumptionToken"]) if "resumptionToken" in args else self._started(verb, args)
        ids = self._members(token.set) if token.set else None
        # total: the whole list's size, counted from its start whatever page this is
        rows, total = self.service.catalog.harvest(token.since, token.until, token.after if token.cursor else None,
                                                   self.page_size, ids)
        if not rows:
            raise OaiError("noRecordsMatch", "aucun enregistrement ne correspond à cette demande")
        out = ET.Element(f"{{{OAI}}}{verb}")
        for row in rows:
            out.append(self._record(row) if verb == "ListRecords" else self._header(row))
        seen = token.cursor + len(rows)
        if token.cursor or seen < total:
            node = ET.SubElement(out, f"{{{OAI}}}resumptionToken",
                                 {"completeListSize": str(total), "cursor": str(token.cursor)})
            if seen < total:
                last = rows[-1]
                following = token.model_copy(update={"after": (last.updated_at, last.id), "cursor": seen})
                node.text = base64.urlsafe_b64encode(following.model_dump_json().encode()).decode()
        return out

    def _started(self, verb: str, args: dict[str, str]) -> _Token:
        self._format(args["metadataPrefix"])
        since = _time(args["from"], end=False) if "from" in args else None
        until = _time(args["until"], end=True) if "until" in args else None
        if "from" in args and "until" in args and len(args["from"]) != len(args["until"]):
            raise OaiError("badArgument", "from et until doivent avoir la même granularité")
        if since is not None and until is not None and since > until:
            raise OaiError("badArgument", "from est postérieur à until")
        if "set" in args and args["set"] not in self.sets():
            raise OaiError("badArgument", f"ensemble inconnu : {args['set']} (voir ListSets)")
        return _Token(verb=verb, prefix=args["metadataPrefix"], since=since, until=until, set=args.get("set"),
                      after=(0.0, ""), cursor=0)

    @staticmethod
    def _resumed(verb: str, raw: str) -> _Token:
        try:
            token = _Token.model_validate_json(base64.urlsafe_b64decode(raw.encode("ascii")))
        except (ValueError, ValidationError, UnicodeError) as exc:
            raise OaiError("badResumptionToken", "jeton de reprise illisible") from exc
        if token.verb != verb or token.cursor <= 0:
            raise OaiError("badResumptionToken", "jeton de reprise d'une autre demande")
        return token

    # -- sets ------------------------------------------------------------------------------------
    def sets(self) -> dict[str, str]:
        """setSpec → setName, for the themes of the thesaurus and the territories and collections in use."""
        labels = self.service.labels
        facets = self.service.search(SearchQuery(limit=0)).facets
        out = {"theme": "Thèmes"}
        out.update({f"theme:{slug.replace('/', ':')}": f"Thème : {label}" for slug, label in labels.themes.items()})
        out["territoire"] = "Territoires"
        out.update({f"territoire:{f.value.replace(':', '-')}": f"Territoire : {labels.territory(f.value)}"
                    for f in facets.territories})
        if facets.collections:
            out["collection"] = "Collections"
            for path in self._collection_paths(f.value for f in facets.collections):
                out[self._collection_spec(path)] = f"Collection : {path}"
        return out

    @staticmethod
    def _collection_paths(collections: Iterable[str]) -> list[str]:
        """Every collection in use and each of its parents ("etudes/climat" brings "etudes")."""
        paths = {"/".join(c.split("/")[:i]) for c in collections if c for i in range(1, c.count("/") + 2)}
        return sorted(paths)

    @staticmethod
    def _collection_spec(path: str) -> str:
        return "collection:" + ":".join(spec_segment(s) for s in path.split("/"))

    def _members(self, spec: str) -> list[str]:
        """The live documents of a set (a known setSpec)."""
        kind, _, rest = spec.partition(":")
        if kind == "theme":
            query = SearchQuery(themes=[rest.replace(":", "/")] if rest else list(self.service.labels.themes))
        elif kind == "territoire":
            query = SearchQuery(territories=[rest.replace("-", ":", 1)] if rest else [])
        else:  # a collection and its sub-collections
            used = [f.value for f in self.service.search(SearchQuery(limit=0)).facets.collections if f.value]
            chosen = [c for c in used if spec in {self._collection_spec(p) for p in self._collection_paths([c])}]
            if not chosen:
                return []
            query = SearchQuery(collections=chosen)
        return matching_ids(self.service.backend, query)

    # -- records ---------------------------------------------------------------------------------
    def identifier(self, doc_id: str) -> str:
        return f"oai:{self.namespace}:{doc_id}"

    def _row(self, identifier: str) -> DocumentRow:
        prefix = f"oai:{self.namespace}:"
        row = self.service.catalog.get(identifier[len(prefix):]) if identifier.startswith(prefix) else None
        if row is None or row.state not in (DocState.INDEXED, DocState.DELETED):
            raise OaiError("idDoesNotExist", f"identifiant inconnu de ce dépôt : {identifier}")
        return row

    @staticmethod
    def _format(prefix: str) -> None:
        if prefix != "oai_dc":
            raise OaiError("cannotDisseminateFormat", f"format non diffusé : {prefix} (seul oai_dc l'est)")

    def _header(self, row: DocumentRow, doc: dict[str, Any] | None = None) -> ET.Element:
        deleted = row.state == DocState.DELETED
        header = ET.Element(f"{{{OAI}}}header", {"status": "deleted"} if deleted else {})
        ET.SubElement(header, f"{{{OAI}}}identifier").text = self.identifier(row.id)
        ET.SubElement(header, f"{{{OAI}}}datestamp").text = _stamp(row.updated_at)
        doc = doc if doc is not None or deleted else self.service.show(row.id)
        for spec in self._specs_of(doc) if doc else []:
            ET.SubElement(header, f"{{{OAI}}}setSpec").text = spec
        return header

    def _specs_of(self, doc: dict[str, Any]) -> list[str]:
        curation = doc["curation"]
        themes = curation["themes"]["value"] or []
        specs = ["theme"] * bool(themes) + sorted({f"theme:{t.split('/')[0]}" for t in themes}
                                                    | {f"theme:{t.replace('/', ':')}" for t in themes})
        territories = curation["territories"]["value"] or []
        specs += ["territoire"] * bool(territories) + [f"territoire:{k.replace(':', '-')}" for k in territories]
        if collection := curation["collection"]["value"]:
            specs += ["collection"] + [self._collection_spec(p) for p in self._collection_paths([collection])]
        return specs

    def _record(self, row: DocumentRow) -> ET.Element:
        record = ET.Element(f"{{{OAI}}}record")
        doc = None if row.state == DocState.DELETED else self.service.show(row.id)
        record.append(self._header(row, doc))
        if doc is not None:
            ET.SubElement(record, f"{{{OAI}}}metadata").append(self._dublin_core(doc))
        return record

    def _dublin_core(self, doc: dict[str, Any]) -> ET.Element:
        dc = ET.Element(f"{{{OAI_DC}}}dc", {
            f"{{{XSI}}}schemaLocation": f"{OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"})
        labels, curation = self.service.labels, doc["curation"]

        def add(tag: str, values: Iterable[object]) -> None:
            for value in values:
                if value not in (None, ""):
                    ET.SubElement(dc, f"{{{DC}}}{tag}").text = str(value)

        add("title", [doc["title"]])
        add("creator", doc.get("authors") or [])
        add("subject", [labels.themes.get(t, t) for t in curation["themes"]["value"] or []])
        add("subject", [labels.postures.get(p, p) for p in curation["postures"]["value"] or []])
        add("description", [doc.get("summary")])
        add("publisher", [doc["producer"]["label"] if doc.get("producer") else None])
        add("date", [doc.get("year")])
        add("type", ["Text"])
        add("format", [mimetypes.guess_type(f"x.{doc.get('format') or ''}")[0]])
        page, original = f"{self.base_url}/documents/{doc['id']}", f"{self.base_url}/api/v1/documents/{doc['id']}/file"
        add("identifier", [page, original])
        add("language", [doc.get("language")])
        add("coverage", [labels.gazetteer.label(k) for k in curation["territories"]["value"] or []])
        add("coverage", [f"horizon {y}" for y in curation["horizons"]["value"] or []])
        return dc
