"""The veille page (``/veille``): a signed-in user's saved searches and subscriptions, made from any
results page, renamed and deleted with the key (HTTP Basic, as the other forms).

No ``from __future__ import annotations`` here: FastAPI must resolve the routes' local ``Depends``."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from schemas.search import SearchQuery
from schemas.subscriptions import SubscriptionRequest
from services.bootstrap import Container
from services.csrf import FIELD as CSRF_FIELD
from services.http_auth import key_required
from services.search.errors import french_validation_message
from services.search.params import href, params_of, search_query
from services.search.web.pages import templates
from services.search.web.view import ResultsView
from services.veille.subscriptions import SubscriptionError

_NOTICES = {"enregistree": "Recherche enregistrée.", "renommee": "Recherche renommée.",
            "supprimee": "Recherche supprimée."}


def veille_pages(container: Container) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    signed_in = key_required(container.api_keys)
    writer = key_required(container.api_keys, container.csrf)
    tokens, labels = container.csrf, container.search_service.labels

    def page(request: Request, query: SearchQuery, who: str, error: str | None = None,
             status: int = 200) -> HTMLResponse:
        subscriptions = container.subscriptions
        view = ResultsView(query, labels)
        saved = [{"item": s, "links": subscriptions.links(s),
                  "sent": datetime.fromtimestamp(s.last_sent_at).strftime("%d/%m/%Y à %H:%M") if s.last_sent_at
                  else None} for s in subscriptions.of(who)]
        chips = view.chips()
        return templates().TemplateResponse(request, "veille.html", {
            "who": who, "token": tokens.issue(who), "field": CSRF_FIELD, "query": query, "chips": chips,
            "suggested_name": query.text or ", ".join(c.label for c in chips) or "Toutes les nouveautés",
            "create_action": href("/veille", query), "saved": saved, "error": error,
            "notice": _NOTICES.get(request.query_params.get("fait", ""))}, status_code=status)

    @router.get("/veille", response_class=HTMLResponse)
    def veille(request: Request, query: Annotated[SearchQuery, Depends(search_query)],
               who: Annotated[str, Depends(signed_in)]) -> HTMLResponse:
        return page(request, query, who)

    @router.post("/veille", response_class=HTMLResponse)
    async def create(request: Request, query: Annotated[SearchQuery, Depends(search_query)],
                     who: Annotated[str, Depends(writer)]) -> Response:
        container.write_limiter.hit(who)
        form = await request.form()
        try:
            request_body = SubscriptionRequest(name=str(form.get("name", "")).strip(), params=params_of(query),
                                               email=str(form.get("email", "")).strip() or None,
                                               frequency=str(form.get("frequency", "")) or None)  # type: ignore[arg-type]
            container.subscriptions.create(who, request_body)
        except ValidationError as exc:
            return page(request, query, who, french_validation_message(exc.errors()), 422)
        except SubscriptionError as exc:
            return page(request, query, who, str(exc), exc.status)
        return RedirectResponse("/veille?fait=enregistree", status_code=303)

    @router.post("/veille/{subscription_id}/renommer", response_class=HTMLResponse)
    async def rename(request: Request, subscription_id: Annotated[int, PathParam(ge=1)],
                     who: Annotated[str, Depends(writer)]) -> Response:
        container.write_limiter.hit(who)
        name = str((await request.form()).get("name", "")).strip()
        try:
            if not name or len(name) > 200:
                raise SubscriptionError("un nom de 1 à 200 caractères, s'il vous plaît")
            container.subscriptions.rename(subscription_id, who, name)
        except SubscriptionError as exc:
            return page(request, SearchQuery(), who, str(exc), exc.status)
        return RedirectResponse("/veille?fait=renommee", status_code=303)

    @router.post("/veille/{subscription_id}/supprimer", response_class=HTMLResponse)
    async def remove(request: Request, subscription_id: Annotated[int, PathParam(ge=1)],
                     who: Annotated[str, Depends(writer)]) -> Response:
        container.write_limiter.hit(who)
        try:
            container.subscriptions.remove(subscription_id, who)
        except SubscriptionError as exc:
            return page(request, SearchQuery(), who, str(exc), exc.status)
        return RedirectResponse("/veille?fait=supprimee", status_code=303)

    return router
