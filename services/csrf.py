"""CSRF tokens for the HTML forms that write (upload, removal), bound to the signed-in key.

A token is ``<issued at>.<HMAC-SHA256(secret, key name + issued at)>``: no server-side state, valid
for ``max_age_s`` and only for the key it was issued to. The secret is ``PHARE_SECRET_KEY`` (every
API process of a deployment must share it) or a random one kept in ``data/secret.key``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

FIELD = "csrf_token"
HEADER = "x-csrf-token"


def load_secret(path: Path, configured: str | None) -> bytes:
    """The configured secret, or the one in ``path`` (created once, atomically, readable by its owner only)."""
    if configured:
        return configured.encode()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
        try:
            os.link(draft, path)  # fails if another process made it first: theirs is kept
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_bytes()


class CsrfTokens:
    def __init__(self, secret: bytes, max_age_s: float = 12 * 3600) -> None:
        self.secret = secret
        self.max_age_s = max_age_s

    def _mac(self, who: str, issued: int) -> str:
        return hmac.new(self.secret, f"{who}\n{issued}".encode(), hashlib.sha256).hexdigest()

    def issue(self, who: str) -> str:
        issued = int(time.time())
        return f"{issued}.{self._mac(who, issued)}"

    def valid(self, token: str | None, who: str) -> bool:
        issued_text, _, mac = (token or "").partition(".")
        if not issued_text.isdigit() or not mac:
            return False
        issued = int(issued_text)
        if not 0 <= time.time() - issued <= self.max_age_s:
            return False
        return hmac.compare_digest(mac, self._mac(who, issued))
