"""FastAPI dependencies for keys and write rate limits (``limits``, moving window, in memory).

A write sent with HTTP Basic credentials comes from a browser, which attaches them on its own: it must
also carry the CSRF token of a phare form (``services/csrf.py``). Keys sent as ``X-API-Key`` or
``Authorization: Bearer`` are written by a script, which no other site can make a browser send."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import HTTPException, Request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from services import csrf
from services.api_keys import ApiKeys, key_from_headers
from services.csrf import CsrfTokens
from services.http_security import SAFE_METHODS

_UNAUTHORIZED = {"WWW-Authenticate": 'Basic realm="phare", charset="UTF-8"'}


def key_required(keys: ApiKeys, tokens: CsrfTokens | None = None) -> Callable[[Request], Awaitable[str]]:
    """A dependency answering 401 (French, with a Basic challenge browsers understand) without a valid
    key, and 403 for a browser's write (Basic credentials) without a valid CSRF token."""

    async def check(request: Request) -> str:
        sent = key_from_headers(request.headers)
        name = keys.verify(sent)
        if name is None:
            detail = ("clé d'API inconnue ou révoquée" if sent else
                      "clé d'API manquante : envoyez-la dans l'en-tête X-API-Key")
            raise HTTPException(status_code=401, detail=detail, headers=_UNAUTHORIZED)
        if tokens is not None and request.method not in SAFE_METHODS and _sent_by_browser(request):
            if not tokens.valid(await _csrf_token(request), name):
                raise HTTPException(status_code=403, detail="jeton de formulaire absent ou expiré : rechargez la "
                                                            "page et recommencez")
        return name

    return check


def _sent_by_browser(request: Request) -> bool:
    return request.headers.get("authorization", "").lower().startswith("basic ") and not request.headers.get(
        "x-api-key")


async def _csrf_token(request: Request) -> str | None:
    """From the header, the query string (multipart forms: their body is streamed, not read first),
    or the field of a URL-encoded form."""
    if token := request.headers.get(csrf.HEADER) or request.query_params.get(csrf.FIELD):
        return token
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        value = (await request.form(max_fields=50)).get(csrf.FIELD)
        return value if isinstance(value, str) else None
    return None


class WriteLimiter:
    """At most ``rate`` (e.g. ``60/minute``) writes per key name."""

    def __init__(self, rate: str) -> None:
        self.rate = parse(rate)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, who: str) -> None:
        if not self.limiter.hit(self.rate, "write", who):
            reset = self.limiter.get_window_stats(self.rate, "write", who).reset_time
            raise HTTPException(status_code=429, detail="trop d'envois : réessayez dans un instant",
                                headers={"Retry-After": str(max(1, int(reset - time.time())))})
