"""HTTP read side: the JSON API under /api/v1 and the French web pages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.templating import Jinja2Templates
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from schemas.search import SearchHit, SearchQuery, SearchResult, Suggestion
from services.bootstrap import Container
from services.search.health import metrics_registry, readiness

_TEMPLATES = Path(__file__).parent / "web" / "templates"


def create_app(container: Container) -> FastAPI:
    app = FastAPI(title="phare", version="0.1.0",
                  description="Centre de ressources de l'Atelier des futurs : recherche documentaire en français.")
    templates = Jinja2Templates(directory=str(_TEMPLATES))
    service = container.search_service

    def build_query(q: str, theme: list[str], territory: list[str], format: list[str], language: list[str],
                    year_min: int | None, year_max: int | None, limit: int, offset: int) -> SearchQuery:
        return SearchQuery(text=q, themes=theme, territories=territory, formats=format, languages=language,
                           year_min=year_min, year_max=year_max, limit=limit, offset=offset)

    @app.get("/healthz", tags=["exploitation"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    registry = metrics_registry(container)

    @app.get("/readyz", tags=["exploitation"])
    def readyz() -> JSONResponse:
        checks = readiness(container)
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ok" if ready else "indisponible", "checks": checks},
                            status_code=200 if ready else 503)

    @app.get("/metrics", tags=["exploitation"], response_class=PlainTextResponse)
    def metrics() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(registry).decode(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/api/v1/search", response_model=SearchResult, tags=["recherche"])
    def search(
        q: Annotated[str, Query(max_length=1000, description="Texte recherché (syntaxe tolérante)")] = "",
        theme: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI reads the default
        territory: Annotated[list[str], Query(description="Code INSEE/SIREN, ou niveau:code")] = [],  # noqa: B006
        format: Annotated[list[str], Query()] = [],  # noqa: B006, A002
        language: Annotated[list[str], Query()] = [],  # noqa: B006
        producer: Annotated[list[str], Query(description="organisme producteur (slug)")] = [],  # noqa: B006
        year_min: int | None = None,
        year_max: int | None = None,
        limit: Annotated[int, Query(ge=0, le=100)] = 10,
        offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
        sort: Annotated[Literal["relevance", "date"],
                        Query(description="pertinence ou date (récents d'abord)")] = "relevance",
    ) -> SearchResult:
        query = build_query(q, theme, territory, format, language, year_min, year_max, limit, offset)
        return service.search(query.model_copy(update={"producers": producer, "sort": sort}))

    @app.get("/api/v1/suggest", response_model=list[Suggestion], tags=["recherche"])
    def suggest(q: Annotated[str, Query(max_length=200, description="début de saisie")] = "",
                limit: Annotated[int, Query(ge=1, le=20)] = 8) -> list[Suggestion]:
        return service.suggest(q, limit)

    @app.get("/api/v1/documents/{doc_id}/similar", response_model=list[SearchHit], tags=["documents"])
    def similar(doc_id: str, limit: Annotated[int, Query(ge=1, le=20)] = 5) -> list[SearchHit]:
        if service.catalog.get(doc_id) is None:
            raise HTTPException(status_code=404, detail="document introuvable")
        return service.similar(doc_id, limit)

    @app.get("/api/v1/documents/{doc_id}", tags=["documents"])
    def document(doc_id: str, text: bool = False) -> dict[str, Any]:
        found = service.show(doc_id, with_text=text)
        if found is None:
            raise HTTPException(status_code=404, detail="document introuvable")
        return found

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request, q: str = "", theme: str = "", territory: str = "") -> HTMLResponse:
        query = SearchQuery(text=q, themes=[theme] if theme else [], territories=[territory] if territory else [],
                            limit=20)
        result = service.search(query)
        return templates.TemplateResponse(request, "search.html",
                                          {"q": q, "theme": theme, "territory": territory, "result": result})

    return app
