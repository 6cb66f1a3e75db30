"""Multipart uploads read as they stream in, each file held to the per-file limit, every error in French.

Starlette's parser spools each file to a temporary file (1 MiB in memory, the rest on disk) and caps
neither a file nor the request; this one refuses a request past ``max_request_bytes`` (declared or
counted) and a file past ``max_file_bytes`` the moment either is crossed, naming the file.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from fastapi import HTTPException, Request
from starlette.datastructures import FormData, Headers
from starlette.formparsers import MultiPartException, MultiPartParser

from schemas.files import megabytes

_FRENCH = (  # starlette's messages (starlette/formparsers.py), in the words phare uses
    ("Too many files", "trop de fichiers dans un envoi (au plus {max_files})"),
    ("Too many fields", "trop de champs dans le formulaire"),
    ("Part exceeded maximum size", "un champ du formulaire est trop long (au plus 1 Mo)"),
    ("Content-Disposition", "une partie de l'envoi n'a pas de nom (en-tête Content-Disposition)"),
    ("Missing boundary", "envoi multipart sans délimiteur (paramètre boundary de Content-Type)"),
    ("Invalid multipart", "envoi multipart illisible"),
)


class FileTooLarge(Exception):
    def __init__(self, name: str, limit: int) -> None:
        super().__init__(name)
        self.name, self.limit = name, limit


class _LimitedParser(MultiPartParser):
    """Counts the bytes of each file part as they arrive."""

    def __init__(self, headers: Headers, stream: AsyncGenerator[bytes, None], max_file_bytes: int,
                 max_files: int) -> None:
        super().__init__(headers, stream, max_files=max_files, max_fields=10)
        self.max_file_bytes = max_file_bytes
        self._file_bytes = 0

    def on_part_begin(self) -> None:
        super().on_part_begin()
        self._file_bytes = 0

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._current_part
        if part.file is not None:
            self._file_bytes += end - start
            if self._file_bytes > self.max_file_bytes:
                raise FileTooLarge(part.file.filename or "sans nom", self.max_file_bytes)
        super().on_part_data(data, start, end)


def too_large(detail: str) -> HTTPException:
    return HTTPException(status_code=413, detail=detail)


def request_too_large(limit: int) -> HTTPException:
    return too_large(f"envoi trop volumineux (au plus {megabytes(limit)} par envoi)")


async def read_upload_form(request: Request, max_file_bytes: int, max_request_bytes: int,
                           max_files: int) -> FormData:
    """The form of a multipart upload; 413 past a limit, 400 for a malformed body, both in French."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_request_bytes:
        raise request_too_large(max_request_bytes)  # refused before a byte of the body is read
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise HTTPException(status_code=415, detail="envoyez les fichiers en multipart/form-data (champ « files »)")

    async def counted() -> AsyncGenerator[bytes, None]:
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > max_request_bytes:
                raise request_too_large(max_request_bytes)
            yield chunk

    parser = _LimitedParser(request.headers, counted(), max_file_bytes, max_files)
    try:
        return await parser.parse()
    except FileTooLarge as exc:
        raise too_large(f"« {exc.name} » dépasse la limite de {megabytes(exc.limit)} par fichier") from None
    except MultiPartException as exc:
        for english, french in _FRENCH:
            if exc.message.startswith(english) or english in exc.message:
                raise HTTPException(status_code=400, detail=french.format(max_files=max_files)) from None
        raise HTTPException(status_code=400, detail="envoi multipart illisible") from None
