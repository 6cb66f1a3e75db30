"""The write side over HTTP: uploads, deletions, document status and the list by state (failures).

No ``from __future__ import annotations`` here: FastAPI must resolve the routes' local ``Depends``."""


import shutil
import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.datastructures import UploadFile
from starlette.requests import Request as StarletteRequest

from schemas.documents import DocState
from services.bootstrap import Container
from services.http_auth import WriteLimiter, key_required
from services.ingest.intake import UPLOAD_PREFIX
from services.search.service import safe_filename

_MAX_FILES = 100
_DocId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{16}$", description="identifiant du document")]


class Status(BaseModel):
    id: str
    state: str
    reason: str | None = None
    title: str | None = None
    attempts: int = 0
    paths: list[str] = []
    updated_at: float = 0.0


class Accepted(BaseModel):
    id: str
    name: str
    state: str
    reason: str | None = None
    status_url: str


def _too_large(limit: int) -> HTTPException:
    return HTTPException(status_code=413, detail=f"envoi trop volumineux (au plus {limit // 2**20} Mo)")


def ingest_router(container: Container, read_guard: list[Any]) -> APIRouter:
    router = APIRouter(prefix="/api/v1")
    settings, catalog, intake = container.settings, container.catalog, container.intake
    writer = key_required(container.api_keys)
    limiter = WriteLimiter(settings.write_rate)
    limit = container.max_file_bytes + 2**20  # one file at the limit, plus the multipart envelope

    def status_of(doc_id: str) -> Status:
        doc = catalog.get(doc_id)
        if doc is None:
            raise HTTPException(status_code=404, detail="document introuvable")
        return Status(id=doc.id, state=doc.state, reason=doc.reason, title=doc.title, attempts=doc.attempts,
                      paths=[_shown(p) for p in catalog.paths_of(doc.id)], updated_at=doc.updated_at)

    @router.post("/documents", status_code=202, response_model=list[Accepted], tags=["dépôt"],
                 summary="Déposer un ou plusieurs fichiers (clé d'API)",
                 responses={401: {"description": "clé manquante"}, 413: {"description": "envoi trop volumineux"},
                            429: {"description": "trop d'envois"}},
                 openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                     "type": "object", "required": ["files"], "properties": {"files": {
                         "type": "array", "items": {"type": "string", "format": "binary"}}}}}}}})
    async def upload(request: Request, who: Annotated[str, Depends(writer)]) -> JSONResponse:
        limiter.hit(who)
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)  # refused before a byte of the body is read
        received = 0

        async def counted() -> dict[str, Any]:
            nonlocal received
            message = await request.receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise _too_large(limit)
            return message

        form = await StarletteRequest(request.scope, counted).form(max_files=_MAX_FILES, max_fields=10)
        files = [v for k, v in form.multi_items() if k == "files" and isinstance(v, UploadFile)]
        if not files:
            raise HTTPException(status_code=422, detail="aucun fichier : envoyez-les dans le champ « files »")
        accepted = []
        try:
            for upload_file in files:
                accepted.append(await run_in_threadpool(store, upload_file))
        finally:
            await form.close()
        return JSONResponse([a.model_dump() for a in accepted], status_code=202)

    def store(upload_file: UploadFile) -> Accepted:
        """Copy to a file named by us (never by the sender), register it, drop the copy."""
        name = safe_filename(upload_file.filename or "", "document")
        token = uuid.uuid4().hex
        settings.uploads_dir.mkdir(parents=True, exist_ok=True)
        temporary = settings.uploads_dir / f"{token}.part"
        try:
            with temporary.open("wb") as out:
                shutil.copyfileobj(upload_file.file, out, length=2**20)
            submitted = intake.submit(temporary, key=f"{UPLOAD_PREFIX}{token}/{name}")
        finally:
            temporary.unlink(missing_ok=True)
        [path_status] = catalog.path_status([submitted.path])
        return Accepted(id=submitted.doc_id, name=name, state=path_status.state, reason=path_status.reason,
                        status_url=f"/api/v1/documents/{submitted.doc_id}/status")

    @router.get("/documents/{doc_id}/status", response_model=Status, tags=["dépôt"], dependencies=read_guard,
                summary="État de traitement d'un document", responses={404: {"description": "introuvable"}})
    def status(doc_id: _DocId) -> Status:
        return status_of(doc_id)

    @router.delete("/documents/{doc_id}", response_model=Status, status_code=202, tags=["dépôt"],
                   summary="Retirer un document déposé (clé d'API)",
                   responses={401: {"description": "clé manquante"}, 404: {"description": "introuvable"},
                              409: {"description": "le fichier est dans le dossier surveillé"}})
    def delete(doc_id: _DocId, who: Annotated[str, Depends(writer)]) -> Status:
        limiter.hit(who)
        paths = catalog.paths_of(doc_id) if catalog.get(doc_id) else None
        if paths is None:
            raise HTTPException(status_code=404, detail="document introuvable")
        in_folder = [p for p in paths if not p.startswith(UPLOAD_PREFIX) and Path(p).is_file()]
        if in_folder:
            raise HTTPException(status_code=409, detail="ce document est un fichier du dossier surveillé : "
                                                        "retirez-le du dossier pour le retirer de la bibliothèque")
        for p in paths:
            intake.remove(p)
        return status_of(doc_id)

    @router.get("/documents", response_model=list[Status], tags=["dépôt"], dependencies=read_guard,
                summary="Documents par état (ex. les échecs et leurs raisons)")
    def by_state(state: Annotated[DocState, Query(description="`failed`, `queued`, `indexed`…")] = DocState.FAILED,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[Status]:
        return [status_of(doc.id) for doc in catalog.by_state(state, limit)]

    return router


def _shown(path: str) -> str:
    """A path as users see it: an upload by its file name, a folder file by its path."""
    return path.removeprefix(UPLOAD_PREFIX).split("/", 1)[-1] if path.startswith(UPLOAD_PREFIX) else path
