"""API keys: random tokens given once to their holder, stored only as SHA-256 digests.

A key is 256 random bits, so a plain SHA-256 digest cannot be brute-forced and needs no slow KDF.
Keys are compared digest to digest with ``hmac.compare_digest`` (constant time), every stored key
tried. The file holds one ``name:hexdigest`` per line (``name:hexdigest:admin`` for an administration
key, which may delete any upload); it is re-read when it changes, so a key added or revoked with
``phare keys`` takes effect in a running API.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_PREFIX = "phare_"
_ADMIN = "admin"


@dataclass(frozen=True)
class _Entry:
    name: str
    digest: str
    admin: bool = False

    def line(self) -> str:
        return f"{self.name}:{self.digest}{':' + _ADMIN if self.admin else ''}\n"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeys:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._entries: list[_Entry] = []

    def _load(self) -> list[_Entry]:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._entries = None, []
            return []
        if (st.st_mtime_ns, st.st_size) != self._stamp:
            entries = []
            for line in self.path.read_text(encoding="utf-8").splitlines():
                name, _, digest = line.strip().partition(":")
                digest, _, role = digest.partition(":")
                if name and len(digest) == 64:
                    entries.append(_Entry(name, digest, role == _ADMIN))
            self._stamp, self._entries = (st.st_mtime_ns, st.st_size), entries
        return self._entries

    def names(self) -> list[str]:
        return [e.name for e in self._load()]

    def is_admin(self, name: str) -> bool:
        return any(e.name == name and e.admin for e in self._load())

    def verify(self, key: str | None) -> str | None:
        """The name of the key, or None. Every stored digest is compared, match or not."""
        if not key:
            return None
        given = _digest(key)
        found = None
        for entry in self._load():
            if hmac.compare_digest(given, entry.digest):
                found = entry.name
        return found

    def create(self, name: str, admin: bool = False) -> str:
        """A new key for ``name`` (letters, digits, - and _), returned once and stored as a digest.
        ``admin``: the key may delete any uploaded document, not only its own."""
        if not name or not all(c.isalnum() or c in "-_" for c in name):
            raise ValueError("nom de clé : lettres, chiffres, - et _ seulement")
        if name in self.names():
            raise ValueError(f"la clé « {name} » existe déjà")
        key = _PREFIX + secrets.token_urlsafe(32)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(_Entry(name, _digest(key), admin).line())
        self.path.chmod(0o600)
        return key

    def revoke(self, name: str) -> bool:
        kept = [e for e in self._load() if e.name != name]
        if len(kept) == len(self._entries):
            return False
        self.path.write_text("".join(e.line() for e in kept), encoding="utf-8")
        return True


def key_from_headers(headers: Mapping[str, str]) -> str | None:
    """The key sent as ``X-API-Key``, ``Authorization: Bearer …`` or as the password of HTTP Basic
    (what a browser sends after its login prompt)."""
    get = headers.get
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
