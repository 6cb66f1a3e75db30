"""Saved searches and subscriptions over HTTP (``/api/v1/subscriptions``): each key sees and
changes only its own.

No ``from __future__ import annotations`` here: FastAPI must resolve the routes' local ``Depends``."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response
from fastapi import Path as PathParam

from schemas.subscriptions import Rename, Subscription, SubscriptionRequest
from services.bootstrap import Container
from services.http_auth import key_required
from services.veille.subscriptions import SubscriptionError

_Id = Annotated[int, PathParam(ge=1, description="identifiant de la recherche enregistrée")]


class SavedSearch(Subscription):
    """A saved search with where to run it (``search``) and its Atom feed (``feed``)."""

    search: str
    feed: str


def veille_router(container: Container) -> APIRouter:
    router = APIRouter(prefix="/api/v1/subscriptions", tags=["veille"], responses={
        401: {"description": "clé manquante ou inconnue"}, 403: {"description": "appel d'un autre site"},
        404: {"description": "recherche enregistrée introuvable (ou d'une autre clé)"},
        422: {"description": "demande invalide"}, 429: {"description": "trop d'écritures"}})
    owner = key_required(container.api_keys, container.csrf)
    limiter = container.write_limiter

    def service():  # noqa: ANN202 - built on first use: reading documents does not need it
        return container.subscriptions

    def shown(found: Subscription) -> SavedSearch:
        return SavedSearch(**found.model_dump(), **{k: v for k, v in service().links(found).items()})

    def refused(exc: SubscriptionError) -> HTTPException:
        return HTTPException(status_code=exc.status, detail=str(exc))

    @router.post("", status_code=201, response_model=SavedSearch,
                 summary="Enregistrer une recherche, et recevoir ses nouveautés par courriel (clé d'API)")
    def create(body: SubscriptionRequest, who: Annotated[str, Depends(owner)]) -> SavedSearch:
        limiter.hit(who)
        try:
            return shown(service().create(who, body))
        except SubscriptionError as exc:
            raise refused(exc) from exc

    @router.get("", response_model=list[SavedSearch], summary="Mes recherches enregistrées (clé d'API)")
    def mine(who: Annotated[str, Depends(owner)]) -> list[SavedSearch]:
        return [shown(s) for s in service().of(who)]

    @router.get("/{subscription_id}", response_model=SavedSearch, summary="Une recherche enregistrée (clé d'API)")
    def one(subscription_id: _Id, who: Annotated[str, Depends(owner)]) -> SavedSearch:
        try:
            return shown(service().owned(subscription_id, who))
        except SubscriptionError as exc:
            raise refused(exc) from exc

    @router.patch("/{subscription_id}", response_model=SavedSearch, summary="Renommer (clé d'API)")
    def rename(subscription_id: _Id, body: Rename, who: Annotated[str, Depends(owner)]) -> SavedSearch:
        limiter.hit(who)
        try:
            return shown(service().rename(subscription_id, who, body.name))
        except SubscriptionError as exc:
            raise refused(exc) from exc

    @router.delete("/{subscription_id}", status_code=204, summary="Supprimer (clé d'API)")
    def delete(subscription_id: _Id, who: Annotated[str, Depends(owner)]) -> Response:
        limiter.hit(who)
        try:
            service().remove(subscription_id, who)
        except SubscriptionError as exc:
            raise refused(exc) from exc
        return Response(status_code=204)

    return router
