"""HTTP defences around the whole application (pure ASGI middleware): writes a browser sends from
another site are refused, and every response carries the headers that keep pages from being framed,
sniffed or made to run foreign code.

A browser attaches saved credentials (HTTP Basic, the key as password) to any request to phare,
even one a hostile page submits. It also says where the request comes from: ``Origin`` on every
non-GET request and ``Sec-Fetch-Site`` (``same-origin``, ``same-site``, ``cross-site``, ``none``). A
write is refused when either names another site than phare's own origin (``PHARE_PUBLIC_URL``, else
the address the browser used) or one of ``PHARE_CORS_ORIGINS``. Scripts send neither header and
keep working with ``X-API-Key`` or a Bearer key. HTML forms also carry a CSRF token
(``services/csrf.py``), checked where Basic credentials are used.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: strict policy of phare's own pages: its own scripts, styles and images only, no plug-ins, no framing
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
               "frame-ancestors 'none'")
#: Swagger UI sets inline styles on its elements (React) and shows data: images
DOCS_POLICY = PAGE_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "cross-origin-opener-policy": "same-origin",
}


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an absolute URL, lower-cased, default ports left out."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].lower()
    scheme = scheme.lower()
    for default in ((":80", "http"), (":443", "https")):
        if host.endswith(default[0]) and scheme == default[1]:
            host = host[: -len(default[0])]
    return f"{scheme}://{host}"


class CrossSiteWriteGuard:
    """403 for a state-changing request whose ``Origin`` or ``Sec-Fetch-Site`` says another site sent it."""

    def __init__(self, app: ASGIApp, public_url: str | None, allowed_origins: Iterable[str]) -> None:
        self.app = app
        self.public_origin = origin_of(public_url) if public_url else None
        self.allowed = {origin_of(o) for o in allowed_origins}

    def own_origin(self, scope: Scope, headers: Headers) -> str:
        if self.public_origin:
            return self.public_origin
        return origin_of(f"{scope.get('scheme', 'http')}://{headers.get('host', '')}")

    def allows(self, scope: Scope) -> bool:
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is not None:
            return origin != "null" and origin_of(origin) in {self.own_origin(scope, headers), *self.allowed}
        # no Origin (older browsers on same-origin requests, scripts): refuse only what the browser
        # itself says came from elsewhere
        return headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS or self.allows(scope):
            await self.app(scope, receive, send)
            return
        detail = ("requête refusée : elle vient d'un autre site que phare (en-têtes Origin / Sec-Fetch-Site). "
                  "Écrivez depuis les pages de phare, ou depuis un script avec l'en-tête X-API-Key.")
        body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 403, "headers": [
            (b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode()),
            *[(k.encode(), v.encode()) for k, v in HEADERS.items()]]})
        await send({"type": "http.response.body", "body": body})


class RelativeRedirects:
    """Redirects phare makes itself (a trailing slash, a mounted folder) name only the path: the
    framework would build them from the request's ``Host`` header, which the sender chooses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host", "")

        async def relative(message: Message) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                headers = MutableHeaders(scope=message)
                location = headers.get("location", "")
                for scheme in ("http://", "https://"):
                    if host and location.startswith(f"{scheme}{host}/"):
                        headers["location"] = location[len(scheme) + len(host):]
            await send(message)

        await self.app(scope, receive, relative)


class SecurityHeaders:
    """Adds ``HEADERS`` and a Content-Security-Policy to every response that does not set its own."""

    def __init__(self, app: ASGIApp, docs_prefix: str = "/docs") -> None:
        self.app = app
        self.docs_prefix = docs_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_POLICY if scope["path"].startswith(self.docs_prefix) else PAGE_POLICY

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                headers.setdefault("content-security-policy", policy)
            await send(message)

        await self.app(scope, receive, with_headers)
