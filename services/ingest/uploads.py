"""Uploads and deletions made over HTTP (JSON API and web pages alike), with their owners and limits.

An upload is copied to a file named by phare, registered under ``upload:/<token>/<safe name>`` as
the key's, then the copy is dropped (the blob store keeps the original). A deletion removes the
key's own uploads of a document (any upload with an administration key); when no path holds the
document any more it is gone at once from every read, and its original and artifacts are erased.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from schemas.documents import DocState
from schemas.files import megabytes
from schemas.library_paths import is_upload, safe_filename, shown_path, upload_key
from services.api_keys import ApiKeys
from services.ingest.catalog import Catalog
from services.ingest.intake import Intake
from services.ingest.multipart import read_upload_form

MAX_FILES = 100


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


class Uploads:
    def __init__(self, catalog: Catalog, intake: Intake, keys: ApiKeys, uploads_dir: Path, inbox: Path,
                 max_file_bytes: int, max_request_bytes: int) -> None:
        self.catalog = catalog
        self.intake = intake
        self.keys = keys
        self.uploads_dir = uploads_dir
        self.inbox = str(inbox.resolve())
        self.max_file_bytes = max_file_bytes
        self.max_request_bytes = max_request_bytes

    @property
    def limits(self) -> str:
        """The limits in words, as the API documentation and the upload page state them."""
        return (f"au plus {MAX_FILES} fichiers et {megabytes(self.max_request_bytes)} par envoi, "
                f"{megabytes(self.max_file_bytes)} par fichier")

    def status(self, doc_id: str) -> Status:
        doc = self.catalog.get(doc_id)
        if doc is None:
            raise HTTPException(status_code=404, detail="document introuvable")
        return Status(id=doc.id, state=doc.state, reason=doc.reason, title=doc.title, attempts=doc.attempts,
                      paths=[shown_path(p, self.inbox) for p in self.catalog.paths_of(doc.id)],
                      updated_at=doc.updated_at)

    async def receive(self, request: Request, who: str) -> list[Accepted]:
        """Every file of the multipart field ``files``, stored and registered as ``who``'s."""
        form = await read_upload_form(request, self.max_file_bytes, self.max_request_bytes, MAX_FILES)
        try:
            files = [v for k, v in form.multi_items() if k == "files" and isinstance(v, UploadFile)]
            if not files:
                raise HTTPException(status_code=422, detail="aucun fichier : envoyez-les dans le champ « files »")
            return [await run_in_threadpool(self._store, upload_file, who) for upload_file in files]
        finally:
            await form.close()

    def _store(self, upload_file: UploadFile, who: str) -> Accepted:
        name = safe_filename(upload_file.filename or "", "document")
        token = uuid.uuid4().hex
        self.uploads_dir.mkdir(parents=True, exist_ok=True)
        temporary = self.uploads_dir / f"{token}.part"
        try:
            with temporary.open("wb") as out:
                shutil.copyfileobj(upload_file.file, out, length=2**20)
            submitted = self.intake.submit(temporary, key=upload_key(token, name), owner=who)
        finally:
            temporary.unlink(missing_ok=True)
        [path_status] = self.catalog.path_status([submitted.path])
        return Accepted(id=submitted.doc_id, name=name, state=path_status.state, reason=path_status.reason,
                        status_url=f"/api/v1/documents/{submitted.doc_id}/status")

    def may_remove(self, doc_id: str, who: str) -> bool:
        """Whether ``who`` may remove this document (it uploaded it, or holds an administration key)."""
        owners = self.catalog.owners_of(doc_id).values()
        return bool(owners) and (self.keys.is_admin(who) or who in owners)

    def remove(self, doc_id: str, who: str) -> Status:
        """Forget the uploads of ``doc_id`` that ``who`` may remove; the document's status after."""
        doc = self.catalog.get(doc_id)
        if doc is None or doc.state == DocState.DELETED:
            raise HTTPException(status_code=404, detail="document introuvable")
        owners = self.catalog.owners_of(doc_id)
        if any(not is_upload(p) and Path(p).is_file() for p in owners):
            raise HTTPException(status_code=409, detail="ce document est un fichier du dossier surveillé : "
                                                        "retirez-le du dossier pour le retirer de la bibliothèque")
        admin = self.keys.is_admin(who)
        removable = [p for p, owner in owners.items() if admin or owner == who]
        if not removable:
            raise HTTPException(status_code=403, detail="ce document a été déposé avec une autre clé : seule "
                                                        "celle-ci ou une clé d'administration peut le retirer")
        for path in removable:
            self.intake.remove(path, purge=True)
        return self.status(doc_id)
