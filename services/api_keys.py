"""API keys: random tokens given once to their holder, stored only as SHA-256 digests.

A key is 256 random bits, so a plain SHA-256 digest cannot be brute-forced and needs no slow KDF.
Keys are compared digest to digest with ``hmac.compare_digest`` (constant time), every stored key
tried. The file holds one ``name:hexdigest`` per line; it is re-read when it changes, so a key
added or revoked with ``phare keys`` takes effect in a running API.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from pathlib import Path

_PREFIX = "phare_"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeys:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._entries: list[tuple[str, str]] = []

    def _load(self) -> list[tuple[str, str]]:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._entries = None, []
            return []
        if (st.st_mtime_ns, st.st_size) != self._stamp:
            entries = []
            for line in self.path.read_text(encoding="utf-8").splitlines():
                name, _, digest = line.strip().rpartition(":")
                if name and len(digest) == 64:
                    entries.append((name, digest))
            self._stamp, self._entries = (st.st_mtime_ns, st.st_size), entries
        return self._entries

    def names(self) -> list[str]:
        return [name for name, _ in self._load()]

    def verify(self, key: str | None) -> str | None:
        """The name of the key, or None. Every stored digest is compared, match or not."""
        if not key:
            return None
        given = _digest(key)
        found = None
        for name, digest in self._load():
            if hmac.compare_digest(given, digest):
                found = name
        return found

    def create(self, name: str) -> str:
        """A new key for ``name`` (letters, digits, - and _), returned once and stored as a digest."""
        if not name or not all(c.isalnum() or c in "-_" for c in name):
            raise ValueError("nom de clé : lettres, chiffres, - et _ seulement")
        if name in self.names():
            raise ValueError(f"la clé « {name} » existe déjà")
        key = _PREFIX + secrets.token_urlsafe(32)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(f"{name}:{_digest(key)}\n")
        self.path.chmod(0o600)
        return key

    def revoke(self, name: str) -> bool:
        kept = [(n, d) for n, d in self._load() if n != name]
        if len(kept) == len(self._entries):
            return False
        self.path.write_text("".join(f"{n}:{d}\n" for n, d in kept), encoding="utf-8")
        return True


def key_from_headers(headers: dict[str, str] | object) -> str | None:
    """The key sent as ``X-API-Key``, ``Authorization: Bearer …`` or as the password of HTTP Basic
    (what a browser sends after its login prompt)."""
    get = headers.get  # type: ignore[attr-defined]
    if key := get("x-api-key"):
        return key
    scheme, _, value = (get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value.strip(), validate=True).decode().partition(":")[2] or None
        except (ValueError, UnicodeDecodeError):
            return None
    return None
