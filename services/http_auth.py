"""FastAPI dependencies for keys and write rate limits (``limits``, moving window, in memory)."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi import HTTPException, Request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from services.api_keys import ApiKeys, key_from_headers

_UNAUTHORIZED = {"WWW-Authenticate": 'Basic realm="phare", charset="UTF-8"'}


def key_required(keys: ApiKeys) -> Callable[[Request], str]:
    """A dependency answering 401 (French, with a Basic challenge browsers understand) without a valid key."""

    def check(request: Request) -> str:
        sent = key_from_headers(request.headers)
        name = keys.verify(sent)
        if name is None:
            detail = ("clé d'API inconnue ou révoquée" if sent else
                      "clé d'API manquante : envoyez-la dans l'en-tête X-API-Key")
            raise HTTPException(status_code=401, detail=detail, headers=_UNAUTHORIZED)
        return name

    return check


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
