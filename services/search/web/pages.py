"""The French web interface, rendered on the server: home, results, document, page text, the review
queue; and, for key holders (HTTP Basic, the key as password), the upload, correction and removal
forms, each with its CSRF token.

No ``from __future__ import annotations`` here: FastAPI must resolve the routes' local ``Depends``."""

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from schemas.documents import DocState
from schemas.families import RELATION_LABELS
from schemas.library_paths import is_upload
from schemas.search import SearchQuery
from schemas.territory_levels import TerritoryLevel
from services.bootstrap import Container
from services.csrf import FIELD as CSRF_FIELD
from services.curation import CurationError
from services.http_auth import key_required
from services.search.citations import coins, highwire_meta
from services.search.errors import french_validation_message
from services.search.maps import france
from services.search.params import href, search_query
from services.search.views import counts, cross
from services.search.web.curation_form import submitted_bulk, submitted_edit
from services.search.web.view import MAX_PAGE, PER_PAGE, ResultsView, acronyms_in, highlight

_TEMPLATES = Path(__file__).parent / "templates"
_LEVELS = {level.value: level.label for level in TerritoryLevel}
_STATES = {"indexed": "indexés", "failed": "en échec", "duplicate": "doublons", "skipped": "ignorés (trop volumineux)",
           "deleted": "retirés", "queued": "en attente", "extracting": "extraction en cours",
           "analyzing": "analyse en cours", "indexing": "indexation en cours"}
_GONE = "Ce document n'existe pas ou a été retiré du centre de ressources."
DocId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{16}$")]
_ENTITY_KINDS = {"ORG": "Organisations", "PER": "Personnes", "LOC": "Lieux", "MISC": "Autres noms"}


@cache
def templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=str(_TEMPLATES))
    t.env.globals.update(levels=_LEVELS, entity_kinds=_ENTITY_KINDS)
    t.env.filters["highlight"] = highlight
    t.env.filters["filename"] = lambda path: path.rsplit("/", 1)[-1]
    t.env.tests["subtheme_of"] = lambda slug, parent: slug.startswith(parent + "/")
    t.env.filters["thousands"] = lambda n: f"{n:,}".replace(",", "\u202f")
    return t


def render_error(request: Request, status: int, message: str,
                 headers: Mapping[str, str] | None = None) -> HTMLResponse:
    titles = {400: "Requête invalide", 401: "Accès réservé", 404: "Introuvable"}
    return templates().TemplateResponse(request, "error.html", {
        "status": status, "title": titles.get(status, "Erreur"), "message": message}, status_code=status,
        headers=headers)


def _refusal(exc: CurationError | ValidationError) -> tuple[str, int]:
    """A refused correction as the form shows it: the French message and the status."""
    if isinstance(exc, CurationError):
        return str(exc), exc.status
    return french_validation_message(exc.errors()), 422


def pages_router(container: Container) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    service, uploads, tokens = container.search_service, container.uploads, container.csrf
    labels = service.labels
    base = container.settings.base_url
    signed_in = key_required(container.api_keys)  # the browser asks for the key (HTTP Basic)
    writer = key_required(container.api_keys, tokens)  # and a write carries the form's token

    @router.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        everything = service.search(SearchQuery(limit=0))
        return templates().TemplateResponse(request, "home.html", {
            "total": everything.total, "facets": everything.facets,
            "trees": service.facet_trees(everything.facets), "latest": service.latest(8),
            "view": ResultsView(SearchQuery(), labels)})

    @router.get("/recherche", response_class=HTMLResponse)
    def results(request: Request, query: Annotated[SearchQuery, Depends(search_query)],
                page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1) -> HTMLResponse:
        result = service.search(query.model_copy(update={"limit": PER_PAGE, "offset": (page - 1) * PER_PAGE,
                                                         "group_families": True}))
        view = ResultsView(query, labels, page=page, total=result.total)
        return templates().TemplateResponse(request, "results.html", {
            "query": query, "result": result, "trees": service.facet_trees(result.facets), "view": view,
            "acronyms": acronyms_in(query.text, service.glossary)})

    @router.get("/explorer", response_class=HTMLResponse)
    def explorer(request: Request, query: Annotated[SearchQuery, Depends(search_query)]) -> HTMLResponse:
        base = counts(service, query)
        territories = base.facets.territories
        about = {f.value: f.count for f in territories}
        maps = [{"level": level, "title": title, "map": france(level),
                 "peak": max((about.get(s.key, 0) for s in france(level).shapes), default=0),
                 "search": {s.key: href("/recherche", query.model_copy(update={"territories": [
                     *query.territories, s.key]})) for s in france(level).shapes}}
                for level, title in (("region", "Régions"), ("departement", "Départements"))]
        return templates().TemplateResponse(request, "explorer.html", {
            "maps": maps, "counts": about, "territory_label": labels.territory,
            "listed": sorted((f for f in territories if f.value.split(":")[0] in ("region", "departement", "epci")),
                             key=lambda f: (-f.count, f.label)),
            "query": query, "chips": ResultsView(query, labels).chips(), "back": href("/recherche", query),
            "postures": cross(service, query, "themes", "postures", base=base),
            "territories": cross(service, query, "themes", "territories", "departement", base=base),
            "timeline": cross(service, query, "horizons", "years", base=base),
            "peak": lambda m: max((c.count for row in m.cells.values() for c in row.values()), default=0),
            "heat": lambda n, top: 0 if not n or not top else 1 + min(3, int(4 * n / (top + 1)))})

    @router.get("/documents/{doc_id}", response_class=HTMLResponse)
    def document(request: Request, doc_id: DocId,
                 q: Annotated[str, Query(max_length=1000)] = "") -> HTMLResponse:
        doc = service.show(doc_id)
        if doc is None:
            return render_error(request, 404, _GONE)
        entities: dict[str, list[dict]] = {}
        for e in doc["entities"][:60]:
            entities.setdefault(e["label"], []).append(e)
        names = " ".join(e["text"] for e in doc["entities"])
        return templates().TemplateResponse(request, "document.html", {
            "doc": doc, "q": q, "entities": entities, "similar": service.similar(doc_id, 5),
            "acronyms": acronyms_in(f"{doc['title'] or ''} {names}", service.glossary),
            "view": ResultsView(SearchQuery(), labels),
            "removable": any(is_upload(p) for p in service.catalog.paths_of(doc_id)),
            "about": [t for t in doc["territories"] if t["about"]],
            "mentioned": [t for t in doc["territories"] if not t["about"]][:30],
            "curation": doc["curation"], "history": service.catalog.history(doc_id)[:20],
            "corrected": request.query_params.get("corrige") == "1", "territory_label": labels.territory,
            "theme_label": lambda slug: labels.themes.get(slug, slug),
            "posture_label": lambda slug: labels.postures.get(slug, slug),
            "citation_meta": highwire_meta(doc, f"{base}/api/v1/documents/{doc_id}/file"),
            "coins": coins(doc, f"{base}/documents/{doc_id}"), "relation_labels": RELATION_LABELS})

    @router.get("/a-valider", response_class=HTMLResponse)
    def review(request: Request) -> HTMLResponse:
        return templates().TemplateResponse(request, "review.html", {"documents": container.curation.review(100)})

    @router.get("/etat", response_class=HTMLResponse)
    def library_status(request: Request) -> HTMLResponse:
        catalog = service.catalog
        failed = [(doc, catalog.paths_of(doc.id)) for doc in catalog.by_state(DocState.FAILED, 200)]
        return templates().TemplateResponse(request, "status.html", {
            "counts": catalog.counts(), "failed": failed, "state_labels": _STATES})

    @router.get("/documents/{doc_id}/pages/{number}", response_class=HTMLResponse)
    def page(request: Request, doc_id: DocId,
             number: Annotated[int, PathParam(ge=1, le=100_000)],
             q: Annotated[str, Query(max_length=1000)] = "") -> HTMLResponse:
        doc = service.show(doc_id)
        found = service.page(doc_id, number) if doc else None
        if doc is None or found is None:
            return render_error(request, 404, "Cette page n'existe pas dans ce document.")
        text, page_count = found
        return templates().TemplateResponse(request, "page.html", {
            "doc": doc, "page": text, "page_count": page_count, "q": q})

    @router.get("/deposer", response_class=HTMLResponse)
    def upload_form(request: Request, who: Annotated[str, Depends(signed_in)]) -> HTMLResponse:
        return templates().TemplateResponse(request, "deposit.html", {
            "who": who, "token": tokens.issue(who), "field": CSRF_FIELD, "limits": uploads.limits})

    @router.post("/deposer", response_class=HTMLResponse)
    async def upload(request: Request, who: Annotated[str, Depends(writer)]) -> HTMLResponse:
        container.write_limiter.hit(who)
        accepted = await uploads.receive(request, who)
        return templates().TemplateResponse(request, "deposited.html", {"accepted": accepted}, status_code=202)

    def correction_page(request: Request, doc: dict, who: str, error: str | None = None,
                        status: int = 200) -> HTMLResponse:
        return templates().TemplateResponse(request, "correct.html", {
            "doc": doc, "who": who, "token": tokens.issue(who), "field": CSRF_FIELD, "error": error,
            "fields": doc["curation"], "themes": labels.themes, "postures": labels.postures,
            "producers": labels.producers, "territory_label": labels.territory}, status_code=status)

    @router.get("/documents/{doc_id}/corriger", response_class=HTMLResponse)
    def correction_form(request: Request, doc_id: DocId,
                        who: Annotated[str, Depends(signed_in)]) -> HTMLResponse:
        doc = service.show(doc_id)
        if doc is None:
            return render_error(request, 404, _GONE)
        return correction_page(request, doc, who)

    @router.post("/documents/{doc_id}/corriger", response_class=HTMLResponse)
    async def correct(request: Request, doc_id: DocId,
                      who: Annotated[str, Depends(writer)]) -> Response:
        container.write_limiter.hit(who)
        doc = service.show(doc_id)
        if doc is None:
            return render_error(request, 404, _GONE)
        form = await request.form()
        try:
            edit = submitted_edit(form, form.getlist, doc["curation"], labels.gazetteer)
            container.curation.edit(doc_id, edit, who)
        except (CurationError, ValidationError) as exc:
            message, status = _refusal(exc)
            return correction_page(request, doc, who, message, status=status)
        return RedirectResponse(f"/documents/{doc_id}?corrige=1", status_code=303)

    def bulk_page(request: Request, query: SearchQuery, who: str, status: int = 200,
                  **context: object) -> HTMLResponse:
        return templates().TemplateResponse(request, "bulk.html", {
            "query": query, "who": who, "token": tokens.issue(who), "field": CSRF_FIELD,
            "action": href("/recherche/corriger", query), "back": href("/recherche", query),
            "themes": labels.themes, "postures": labels.postures, "view": ResultsView(query, labels), **context},
            status_code=status)

    @router.get("/recherche/corriger", response_class=HTMLResponse)
    def bulk_form(request: Request, query: Annotated[SearchQuery, Depends(search_query)],
                  who: Annotated[str, Depends(signed_in)]) -> HTMLResponse:
        return bulk_page(request, query, who, count=len(container.curation.matching(query)))

    @router.post("/recherche/corriger", response_class=HTMLResponse)
    async def bulk(request: Request, query: Annotated[SearchQuery, Depends(search_query)],
                   who: Annotated[str, Depends(writer)]) -> HTMLResponse:
        container.write_limiter.hit(who)
        form = await request.form()
        try:
            outcome = container.curation.bulk(submitted_bulk(form, form.getlist, query, labels.gazetteer), who)
        except (CurationError, ValidationError) as exc:
            message, status = _refusal(exc)
            return bulk_page(request, query, who, status, count=len(container.curation.matching(query)),
                             error=message)
        return bulk_page(request, query, who, count=outcome.count, outcome=outcome, form=form)

    @router.get("/documents/{doc_id}/retirer", response_class=HTMLResponse)
    def removal_form(request: Request, doc_id: DocId,
                     who: Annotated[str, Depends(signed_in)]) -> HTMLResponse:
        doc = service.show(doc_id)
        if doc is None:
            return render_error(request, 404, _GONE)
        return templates().TemplateResponse(request, "remove.html", {
            "doc": doc, "who": who, "allowed": uploads.may_remove(doc_id, who), "token": tokens.issue(who),
            "field": CSRF_FIELD})

    @router.post("/documents/{doc_id}/retirer", response_class=HTMLResponse)
    def remove(request: Request, doc_id: DocId,
               who: Annotated[str, Depends(writer)]) -> HTMLResponse:
        container.write_limiter.hit(who)
        status = uploads.remove(doc_id, who)
        return templates().TemplateResponse(request, "removed.html", {"status": status})

    return router
