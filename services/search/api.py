"""The JSON API under /api/v1: search, facets, documents, files, pages, citations, feed."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel

from schemas.search import FacetTrees, SearchHit, SearchQuery, SearchResult, Suggestion, SuggestionKind
from services.search.citations import CSL_MEDIA_TYPE, RIS_MEDIA_TYPE, to_csl_json, to_ris
from services.search.feeds import ATOM_MEDIA_TYPE, atom_feed
from services.search.params import href, search_query
from services.search.service import SearchService
from services.search.views import Matrix, cross

DocId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$", description="identifiant du document (16 chiffres hexa)",
                            examples=["3f2a9c0d1b4e5f67"])]
CitationFormat = Annotated[Literal["ris", "csl-json"], Query(description="`ris` ou `csl-json`")]
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "document introuvable"}}


class PageText(BaseModel):
    page: int
    page_count: int
    text: str


def _missing() -> HTTPException:
    return HTTPException(status_code=404, detail="document introuvable")


def api_router(service: SearchService, base_url: str) -> APIRouter:
    """``base_url``: where readers reach phare (``Settings.base_url``), for absolute links; never the
    request's ``Host`` header, which the sender chooses."""
    router = APIRouter(prefix="/api/v1")

    @router.get("/search", response_model=SearchResult, tags=["recherche"], summary="Rechercher")
    def search(query: Annotated[SearchQuery, Depends(search_query)],
               limit: Annotated[int, Query(ge=0, le=100, description="résultats par page")] = 10,
               offset: Annotated[int, Query(ge=0, le=10_000, description="rang du premier résultat")] = 0,
               ) -> SearchResult:
        return service.search(query.model_copy(update={"limit": limit, "offset": offset}))

    @router.get("/facets", response_model=FacetTrees, tags=["recherche"],
                summary="Arbres de facettes (thèmes ; territoires région → département → EPCI → commune)")
    def facets(query: Annotated[SearchQuery, Depends(search_query)]) -> FacetTrees:
        return service.facet_trees(service.search(query.model_copy(update={"limit": 0})).facets)

    @router.get("/search.atom", tags=["recherche"], summary="Flux Atom d'une recherche (alerte)",
                response_class=Response, responses={200: {"content": {ATOM_MEDIA_TYPE: {}}}})
    def feed(query: Annotated[SearchQuery, Depends(search_query)]) -> Response:
        result = service.search(query.model_copy(update={"sort": "added", "limit": 50, "offset": 0}))
        title = f"phare — {query.text}" if query.text else "phare — derniers documents"
        body = atom_feed(result, title, base_url + href("/api/v1/search.atom", query),
                         base_url + href("/recherche", query), base_url + "/documents/{id}")
        return Response(body, media_type=ATOM_MEDIA_TYPE)

    @router.get("/views/matrix", response_model=Matrix, tags=["exploration"],
                summary="Matrice : thèmes × postures, thèmes × territoires… sur une recherche")
    def matrix(query: Annotated[SearchQuery, Depends(search_query)],
               rows: Annotated[Literal["themes", "horizons"], Query(description="lignes")] = "themes",
               columns: Annotated[Literal["postures", "territories", "years"], Query(
                   description="colonnes")] = "postures",
               level: Annotated[Literal["region", "departement", "epci", "commune"], Query(
                   description="niveau des territoires en colonnes")] = "departement") -> Matrix:
        return cross(service, query, rows, columns, level)

    @router.get("/views/timeline", response_model=Matrix, tags=["exploration"],
                summary="Frise des horizons : années visées × années de publication, sur une recherche")
    def timeline(query: Annotated[SearchQuery, Depends(search_query)]) -> Matrix:
        return cross(service, query, "horizons", "years")

    @router.get("/suggest", response_model=list[Suggestion], tags=["recherche"], summary="Suggestions de saisie")
    def suggest(q: Annotated[str, Query(max_length=200, description="début de saisie (nom, ou code INSEE "
                                                             "d'un territoire)")] = "",
                limit: Annotated[int, Query(ge=1, le=20)] = 8,
                kind: Annotated[SuggestionKind | None, Query(description="seulement ce genre")] = None,
                ) -> list[Suggestion]:
        return service.suggest(q, limit, kind)

    @router.get("/latest", response_model=list[SearchHit], tags=["recherche"], summary="Derniers documents ajoutés")
    def latest(limit: Annotated[int, Query(ge=1, le=50)] = 10) -> list[SearchHit]:
        return service.latest(limit)

    @router.get("/glossary", tags=["recherche"], summary="Sigles des politiques publiques et leur développé")
    def glossary() -> dict[str, str]:
        return service.glossary

    @router.get("/documents/{doc_id}", tags=["documents"], summary="Fiche d'un document", responses=_NOT_FOUND)
    def document(doc_id: DocId, text: Annotated[bool, Query(description="inclure le texte des pages")] = False,
                 ) -> dict[str, Any]:
        found = service.show(doc_id, with_text=text)
        if found is None:
            raise _missing()
        return found

    @router.get("/documents/{doc_id}/file", tags=["documents"], summary="Fichier original",
                response_class=FileResponse, responses=_NOT_FOUND)
    def original(doc_id: DocId, inline: Annotated[bool, Query(
            description="afficher dans le navigateur (un PDF s'ouvre à la page de `#page=N`) au lieu de "
                        "télécharger")] = False) -> FileResponse:
        stored = service.original(doc_id)
        if stored is None:
            raise _missing()
        # inline only for PDFs: an HTML original shown inline would run in phare's origin
        shown_inline = inline and stored.media_type == "application/pdf"
        return FileResponse(stored.path, media_type=stored.media_type, filename=stored.filename,
                            content_disposition_type="inline" if shown_inline else "attachment",
                            headers={"X-Content-Type-Options": "nosniff",
                                     "Content-Security-Policy": "sandbox; frame-ancestors 'none'"})

    @router.get("/documents/{doc_id}/pages/{number}", response_model=PageText, tags=["documents"],
                summary="Texte d'une page", responses={404: {"description": "document ou page introuvable"}})
    def page(doc_id: DocId, number: Annotated[int, Path(ge=1, le=100_000)]) -> PageText:
        found = service.page(doc_id, number)
        if found is None:
            raise HTTPException(status_code=404, detail="page introuvable")
        return PageText(page=found[0].page, page_count=found[1], text=found[0].text)

    @router.get("/documents/{doc_id}/similar", response_model=list[SearchHit], tags=["documents"],
                summary="Documents similaires", responses=_NOT_FOUND)
    def similar(doc_id: DocId, limit: Annotated[int, Query(ge=1, le=20)] = 5) -> list[SearchHit]:
        if service.visible(doc_id) is None:
            raise _missing()
        return service.similar(doc_id, limit)

    @router.get("/documents/{doc_id}/citation", tags=["documents"], summary="Citation (RIS ou CSL-JSON)",
                response_class=Response, responses={**_NOT_FOUND, 200: {"content": {RIS_MEDIA_TYPE: {},
                                                                                  CSL_MEDIA_TYPE: {}}}})
    def citation(doc_id: DocId, format: CitationFormat = "ris") -> Response:  # noqa: A002
        found = service.show(doc_id)
        if found is None:
            raise _missing()
        url = f"{base_url}/documents/{doc_id}"
        if format == "ris":
            return Response(to_ris(found, url), media_type=RIS_MEDIA_TYPE, headers={
                "Content-Disposition": f'attachment; filename="{doc_id}.ris"'})
        return JSONResponse(to_csl_json(found, url), media_type=CSL_MEDIA_TYPE, headers={
            "Content-Disposition": f'attachment; filename="{doc_id}.json"'})

    return router
