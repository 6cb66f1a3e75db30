"""The HTTP application: JSON API, web pages, static assets and operations endpoints, on one container.

Outermost first: security headers on every response, then the refusal of writes sent from another
site, then CORS (closed unless ``PHARE_CORS_ORIGINS``). With ``PHARE_PROTECT_READS`` every route but
``/healthz`` and ``/readyz`` needs a key, the API documentation and ``/metrics`` included. The API
documentation is Swagger UI 5 from the ``fastapi-offline`` package (its static files only): no CDN."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.bootstrap import Container
from services.http_auth import key_required
from services.http_security import CrossSiteWriteGuard, RelativeRedirects, SecurityHeaders
from services.ingest.api import ingest_router
from services.runtime.health import metrics_registry, readiness
from services.search.api import api_router
from services.search.errors import french_validation_message
from services.search.oai import MEDIA_TYPE as OAI_MEDIA_TYPE
from services.search.oai import OaiRepository
from services.search.web.family_pages import family_pages
from services.search.web.pages import pages_router, render_error, templates
from services.veille.api import veille_router
from services.veille.pages import veille_pages

_STATIC = Path(__file__).parent / "web" / "static"


def _swagger_ui_dir() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def create_app(container: Container) -> FastAPI:
    service = container.search_service

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # the gazetteer loads while the server listens, not while the routes are built (one GIL:
        # a second of CPU in a thread then delays the server's start by as much)
        service.labels.preload()
        yield

    app = FastAPI(title="phare", version="0.1.0", docs_url=None, redoc_url=None, openapi_url=None,
                  description="Centre de ressources de l'Atelier des futurs : recherche documentaire en français "
                              "dans les études prospectives du territoire grenoblois.", lifespan=lifespan)
    registry = metrics_registry(container)
    settings = container.settings
    # reads are open unless the collective says otherwise; writes always need a key
    read_guard = [Depends(key_required(container.api_keys))] if settings.protect_reads else []

    @app.get("/healthz", tags=["exploitation"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["exploitation"])
    def readyz() -> JSONResponse:
        checks = readiness(container)
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ok" if ready else "indisponible", "checks": checks},
                            status_code=200 if ready else 503)

    @app.get("/metrics", tags=["exploitation"], response_class=PlainTextResponse, dependencies=read_guard)
    def metrics() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(registry).decode(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/openapi.json", include_in_schema=False, dependencies=read_guard)
    def openapi_document() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse, dependencies=read_guard)
    def api_documentation(request: Request) -> Response:
        return templates().TemplateResponse(request, "apidocs.html", {})

    oai = OaiRepository(service, settings.base_url, settings.admin_email, page_size=settings.oai_page_size)

    @app.api_route("/oai", methods=["GET", "POST"], tags=["interopérabilité"], dependencies=read_guard,
                   summary="OAI-PMH 2.0 (Dublin Core) : moissonnage du catalogue", response_class=Response,
                   responses={200: {"content": {"text/xml": {}}}})
    async def oai_pmh(request: Request) -> Response:
        """Identify, ListMetadataFormats, ListSets, GetRecord, ListIdentifiers, ListRecords (oai_dc),
        en GET ou en POST (formulaire) ; les erreurs sont celles du protocole, dans la réponse XML."""
        form = await request.form() if request.method == "POST" else None
        pairs = list(form.multi_items() if form is not None else request.query_params.multi_items())
        body = await run_in_threadpool(oai.respond, [(k, v) for k, v in pairs if isinstance(v, str)])
        return Response(body, media_type=OAI_MEDIA_TYPE)

    app.include_router(ingest_router(container, read_guard))
    app.include_router(veille_router(container))
    app.include_router(api_router(service, settings.base_url), dependencies=read_guard)
    app.include_router(pages_router(container), dependencies=read_guard)
    app.include_router(veille_pages(container))
    app.include_router(family_pages(container))
    app.mount("/static", StaticFiles(directory=_STATIC), name="static")
    app.mount("/docs/assets", StaticFiles(directory=_swagger_ui_dir()), name="swagger-ui")
    if settings.cors_origins:  # closed by default: no CORS header at all
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET"],
                           allow_headers=["X-API-Key", "Authorization"])
    app.add_middleware(CrossSiteWriteGuard, public_url=settings.public_url, allowed_origins=settings.cors_origins)
    app.add_middleware(RelativeRedirects)
    app.add_middleware(SecurityHeaders)

    def wants_html(request: Request) -> bool:
        return not request.url.path.startswith(("/api/", "/healthz", "/readyz", "/metrics"))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        message = french_validation_message(exc.errors())
        if wants_html(request):
            return render_error(request, 400, message)
        return JSONResponse({"detail": message, "errors": _jsonable(exc.errors())}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = {404: "page introuvable", 405: "méthode non autorisée"}.get(exc.status_code, str(exc.detail)) \
            if exc.detail in ("Not Found", "Method Not Allowed") else str(exc.detail)
        if wants_html(request):
            return render_error(request, exc.status_code, detail, exc.headers)
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)

    def french_openapi() -> dict:
        """The generated document, with validation errors described as phare sends them."""
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schema.setdefault("components", {}).setdefault("schemas", {})["HTTPValidationError"] = (
                FrenchError.model_json_schema())
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = french_openapi  # type: ignore[method-assign]
    return app


class FrenchError(BaseModel):
    """An error as phare answers it: a French sentence, and for invalid parameters where they are."""

    detail: str
    errors: list[dict[str, Any]] = []


def _jsonable(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, object]]:
    """Validation errors without the ``ctx``/``input`` values that may not serialise (exceptions, bytes)."""
    return [{"loc": list(e.get("loc", ())), "type": e.get("type", "")} for e in errors]
