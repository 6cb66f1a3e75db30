"""How files are named in the catalog and shown to people: one owner for upload keys and file names.

A folder file is catalogued under its absolute, NFC-normalised path; an upload under
``upload:/<random token>/<safe name>`` (the sender's name is never a storage path). Readers over
HTTP never see server paths: a folder file is shown relative to the watched folder.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

#: catalog keys of uploaded files: ``upload:/<token>/<file name>`` (never a path on disk)
UPLOAD_PREFIX = "upload:/"
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|]+')
#: bidirectional controls (U+202E "RIGHT-TO-LEFT OVERRIDE" makes ``exe.pdf`` read ``fdp.exe``) and
#: other invisible format characters: never kept in a name
_INVISIBLE = re.compile(r"[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_MAX_NAME = 150


def safe_filename(name: str, fallback: str) -> str:
    """A file name with no directory part, no control, bidi or reserved character, at most 150 characters."""
    last = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    cleaned = _UNSAFE_NAME.sub("_", _INVISIBLE.sub("", last)).strip(" .")
    return cleaned[-_MAX_NAME:] or fallback


def upload_key(token: str, name: str) -> str:
    return f"{UPLOAD_PREFIX}{token}/{name}"


def is_upload(key: str) -> bool:
    return key.startswith(UPLOAD_PREFIX)


def upload_name(key: str) -> str:
    """The file name of an upload key (``upload:/<token>/<name>`` → ``<name>``)."""
    return key.removeprefix(UPLOAD_PREFIX).split("/", 1)[-1]


def shown_path(key: str, inbox: str | None) -> str:
    """A catalog key as readers see it: an upload by its file name, a folder file relative to the
    watched folder, any other file by its name alone (no server path leaves the server)."""
    if is_upload(key):
        return upload_name(key)
    path = PurePosixPath(key)
    if inbox and path.is_relative_to(inbox):
        return path.relative_to(inbox).as_posix()
    return path.name
