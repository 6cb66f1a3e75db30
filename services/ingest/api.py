"""The write side over HTTP: uploads, deletions, document status and the list by state (failures).

No ``from __future__ import annotations`` here: FastAPI must resolve the routes' local ``Depends``."""


from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from schemas.curation import BulkEdit, Change, DocumentEdit
from schemas.documents import DocState
from schemas.families import Merge
from services.bootstrap import Container
from services.curation import Bulk, CurationError, ToReview
from services.http_auth import key_required
from services.ingest.uploads import Accepted, Status

_DocId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{16}$", description="identifiant du document")]


class Edited(BaseModel):
    """What a correction changed, and every curated field as it now stands."""

    changes: list[Change]
    curation: dict[str, dict[str, Any]]


def ingest_router(container: Container, read_guard: list[Any]) -> APIRouter:
    router = APIRouter(prefix="/api/v1")
    uploads = container.uploads
    writer = key_required(container.api_keys, container.csrf)
    limiter = container.write_limiter

    @router.post("/documents", status_code=202, response_model=list[Accepted], tags=["dépôt"],
                 summary="Déposer un ou plusieurs fichiers (clé d'API)",
                 description=f"Limites : {uploads.limits}. Un fichier au-delà de la limite fait refuser l'envoi "
                             "(413, le fichier nommé) ; rien n'en est gardé.",
                 responses={401: {"description": "clé manquante"}, 403: {"description": "appel d'un autre site"},
                            413: {"description": "fichier ou envoi trop volumineux"},
                            429: {"description": "trop d'envois"}},
                 openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                     "type": "object", "required": ["files"], "properties": {"files": {
                         "type": "array", "items": {"type": "string", "format": "binary"}}}}}}}})
    async def upload(request: Request, who: Annotated[str, Depends(writer)]) -> JSONResponse:
        limiter.hit(who)
        accepted = await uploads.receive(request, who)
        return JSONResponse([a.model_dump() for a in accepted], status_code=202)

    @router.get("/documents/{doc_id}/status", response_model=Status, tags=["dépôt"], dependencies=read_guard,
                summary="État de traitement d'un document", responses={404: {"description": "introuvable"}})
    def status(doc_id: _DocId) -> Status:
        return uploads.status(doc_id)

    @router.delete("/documents/{doc_id}", response_model=Status, status_code=202, tags=["dépôt"],
                   summary="Retirer un document déposé (clé qui l'a déposé, ou clé d'administration)",
                   description="Le document disparaît à l'instant de la recherche, des fiches, pages, fichiers "
                               "et listes de similaires ; son original et ses extraits sont effacés.",
                   responses={401: {"description": "clé manquante"}, 403: {"description": "déposé par une autre clé"},
                              404: {"description": "introuvable"},
                              409: {"description": "le fichier est dans le dossier surveillé"}})
    def delete(doc_id: _DocId, who: Annotated[str, Depends(writer)]) -> Status:
        limiter.hit(who)
        return uploads.remove(doc_id, who)

    @router.patch("/documents/{doc_id}", response_model=Edited, tags=["catalogage"],
                  summary="Corriger ou valider les étiquettes d'un document (clé d'API)",
                  description="Chaque champ nommé reçoit sa nouvelle valeur entière (ex. `{\"themes\": [\"eau\", "
                              "\"risques-naturels/inondations\"], \"territories\": [\"departement:38\"]}`) ; "
                              "`validated` liste les champs confirmés. Les corrections priment sur les étiquettes "
                              "automatiques, survivent aux ré-indexations, et la recherche les montre aussitôt "
                              "le document ré-indexé (quelques secondes).",
                  responses={401: {"description": "clé manquante"}, 403: {"description": "appel d'un autre site"},
                             404: {"description": "introuvable"},
                             422: {"description": "champ ou identifiant inconnu"}})
    def correct(doc_id: _DocId, body: DocumentEdit, who: Annotated[str, Depends(writer)]) -> Edited:
        limiter.hit(who)
        try:
            changes = container.curation.edit(doc_id, body, who)
        except CurationError as exc:
            raise HTTPException(status_code=exc.status, detail=str(exc)) from exc
        return Edited(changes=changes, curation=container.curation.in_force(doc_id))

    @router.post("/corrections", response_model=Bulk, tags=["catalogage"],
                 summary="Ajouter ou retirer des étiquettes sur plusieurs documents (clé d'API)",
                 description="Sur les documents nommés (`ids`) ou sur tous ceux que trouve une recherche "
                             "(`query` : ses mots et ses filtres, ex. `{\"text\": \"crues\", \"themes\": "
                             "[\"eau\"]}`). Sans `\"confirm\": true`, rien ne change : la réponse dit combien "
                             "de documents seraient touchés. Chaque changement entre dans l'historique du document.",
                 responses={401: {"description": "clé manquante"}, 403: {"description": "appel d'un autre site"},
                            422: {"description": "identifiant inconnu"}})
    def correct_many(body: BulkEdit, who: Annotated[str, Depends(writer)]) -> Bulk:
        limiter.hit(who)
        if (body.ids is None) == (body.query is None):
            raise HTTPException(status_code=422, detail="donnez soit `ids`, soit `query`")
        try:
            return container.curation.bulk(body, who)
        except CurationError as exc:
            raise HTTPException(status_code=exc.status, detail=str(exc)) from exc

    def live(doc_id: str) -> None:
        if container.search_service.visible(doc_id) is None:
            raise HTTPException(status_code=404, detail="document introuvable")

    _family_responses: dict[int | str, dict[str, Any]] = {
        401: {"description": "clé manquante"}, 403: {"description": "appel d'un autre site"},
        404: {"description": "document introuvable"}, 422: {"description": "demande invalide"}}

    @router.post("/documents/{doc_id}/family", tags=["catalogage"], responses=_family_responses,
                 summary="Mettre le document dans la famille d'un autre (clé d'API)",
                 description="`{\"with\": \"<id>\", \"relation\": \"version\"}` (ou `same-content`, `summary`, "
                             "`full`) : phare ne le déplacera plus de lui-même.")
    def merge(doc_id: _DocId, body: Merge, who: Annotated[str, Depends(writer)]) -> dict[str, Any] | None:
        limiter.hit(who)
        live(doc_id)
        live(body.with_)
        if body.with_ == doc_id:
            raise HTTPException(status_code=422, detail="un document ne rejoint pas sa propre famille")
        container.families.merge(doc_id, body.with_, body.relation)
        return container.search_service.family(doc_id)

    @router.delete("/documents/{doc_id}/family", tags=["catalogage"], responses=_family_responses,
                   summary="Sortir le document de sa famille (clé d'API)",
                   description="Il n'y sera plus remis automatiquement.")
    def split(doc_id: _DocId, who: Annotated[str, Depends(writer)]) -> dict[str, Any] | None:
        limiter.hit(who)
        live(doc_id)
        container.families.split(doc_id)
        return container.search_service.family(doc_id)

    @router.get("/review", response_model=list[ToReview], tags=["catalogage"], dependencies=read_guard,
                summary="Documents à valider, les plus incertains d'abord",
                description="Documents indexés dont les étiquettes ne sont ni corrigées ni validées, avec les "
                            "raisons du doute (aucun thème, thèmes ou territoires à égalité, titre deviné…).")
    def review(limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[ToReview]:
        return container.curation.review(limit)

    @router.get("/documents/{doc_id}/history", response_model=list[Change], tags=["catalogage"],
                dependencies=read_guard, summary="Historique des corrections d'un document",
                responses={404: {"description": "introuvable"}})
    def history(doc_id: _DocId) -> list[Change]:
        try:
            return container.curation.history(doc_id)
        except CurationError as exc:
            raise HTTPException(status_code=exc.status, detail=str(exc)) from exc

    @router.get("/documents", response_model=list[Status], tags=["dépôt"], dependencies=read_guard,
                summary="Documents par état (ex. les échecs et leurs raisons)")
    def by_state(state: Annotated[DocState, Query(description="`failed`, `queued`, `indexed`…")] = DocState.FAILED,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[Status]:
        return [uploads.status(doc.id) for doc in container.catalog.by_state(state, limit)]

    return router
