"""The family page of a document (``/documents/{id}/famille``): a documentalist takes it out of its
family or puts it in another's, with the key (HTTP Basic, as the other forms).

No ``from __future__ import annotations`` here: FastAPI must resolve the routes' local ``Depends``."""

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from schemas.families import RELATION_LABELS
from services.bootstrap import Container
from services.csrf import FIELD as CSRF_FIELD
from services.http_auth import key_required
from services.search.web.pages import render_error, templates

_DocId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{16}$")]
_ID = re.compile(r"([0-9a-f]{16})\s*/?\s*$")
_GONE = "Ce document n'existe pas ou a été retiré."


def family_pages(container: Container) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    signed_in = key_required(container.api_keys)
    writer = key_required(container.api_keys, container.csrf)
    service, tokens = container.search_service, container.csrf

    def page(request: Request, doc: dict, who: str, error: str | None = None, status: int = 200) -> HTMLResponse:
        return templates().TemplateResponse(request, "family.html", {
            "doc": doc, "who": who, "token": tokens.issue(who), "field": CSRF_FIELD, "error": error,
            "relation_labels": RELATION_LABELS}, status_code=status)

    @router.get("/documents/{doc_id}/famille", response_class=HTMLResponse)
    def family(request: Request, doc_id: _DocId, who: Annotated[str, Depends(signed_in)]) -> HTMLResponse:
        doc = service.show(doc_id)
        return page(request, doc, who) if doc is not None else render_error(request, 404, _GONE)

    @router.post("/documents/{doc_id}/famille/sortir", response_class=HTMLResponse)
    def leave(request: Request, doc_id: _DocId, who: Annotated[str, Depends(writer)]) -> Response:
        container.write_limiter.hit(who)
        if service.visible(doc_id) is None:
            return render_error(request, 404, _GONE)
        container.families.split(doc_id)
        return RedirectResponse(f"/documents/{doc_id}#h-famille", status_code=303)

    @router.post("/documents/{doc_id}/famille/rattacher", response_class=HTMLResponse)
    async def join(request: Request, doc_id: _DocId, who: Annotated[str, Depends(writer)]) -> Response:
        container.write_limiter.hit(who)
        doc = service.show(doc_id)
        if doc is None:
            return render_error(request, 404, _GONE)
        form = await request.form()
        found = _ID.search(str(form.get("with", "")))
        other = found.group(1) if found else ""
        relation = str(form.get("relation", "version"))
        if not other or other == doc_id or service.visible(other) is None:
            return page(request, doc, who, "autre document introuvable : donnez son identifiant ou l'adresse de sa "
                                           "fiche", 422)
        if relation not in ("version", "same-content", "summary", "full"):
            return page(request, doc, who, "relation inconnue", 422)
        container.families.merge(doc_id, other, relation)
        return RedirectResponse(f"/documents/{doc_id}#h-famille", status_code=303)

    return router
