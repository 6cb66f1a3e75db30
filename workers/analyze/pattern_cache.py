"""Long regular expressions compiled once per machine instead of once per process.

spaCy's French tokenizer joins its exceptions into one 1.4 MB pattern, compiled when the language is
imported: 2.7 s of Python's regex compiler (pure Python: parsing, then code generation) in every
process that loads the model. The compiler's output, the pattern's code for the C matching engine,
depends only on the pattern, its flags and the Python version: ``cached_compilation`` keeps it in a
file (JSON: data, never code) and hands it to the engine directly the next time. The engine checks
the code it is given; anything unexpected (another Python, a damaged file) compiles as usual.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
#: shorter patterns compile in milliseconds: not worth a file
MIN_CHARS = 100_000
_patching = threading.Lock()


def _key(pattern: str, flags: int) -> str:
    return hashlib.sha256(f"{sys.version}\x00{flags}\x00{pattern}".encode()).hexdigest()


def _from_file(path: Path, pattern: str) -> re.Pattern[str] | None:
    import _sre  # the C engine behind re

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _sre.compile(pattern, data["flags"], data["code"], data["groups"], data["groupindex"],
                            tuple(data["indexgroup"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, RuntimeError):
        log.warning("compiled pattern %s unusable: compiled again", path.name)
        return None


def _compile_and_save(path: Path, pattern: str, flags: int) -> re.Pattern[str]:
    """What ``re._compiler.compile`` does (Python 3.11+), keeping the parts the engine needs."""
    import _sre
    from re import _compiler, _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    data: dict[str, Any] = {"flags": flags | parsed.state.flags, "code": list(code),
                            "groups": parsed.state.groups - 1, "groupindex": groupindex, "indexgroup": indexgroup}
    compiled = _sre.compile(pattern, data["flags"], code, data["groups"], groupindex, tuple(indexgroup))
    with contextlib.suppress(OSError):  # a read-only data dir only loses the saving
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        os.replace(tmp, path)
    return compiled


@contextlib.contextmanager
def cached_compilation(folder: Path | None) -> Iterator[None]:
    """Within this block, ``re`` takes patterns of ``MIN_CHARS`` or more from ``folder`` (saving the
    ones it compiles there). ``folder`` None: nothing changes."""
    try:
        from re import _compiler  # type: ignore[attr-defined]
    except ImportError:  # another Python than the one this was written for: compile as usual
        folder = None
    if folder is None:
        yield
        return
    with _patching:
        original = _compiler.compile

        def compile_(p: object, flags: int = 0) -> re.Pattern:
            if not isinstance(p, str) or len(p) < MIN_CHARS or flags & re.DEBUG:
                return original(p, flags)
            path = folder / f"{_key(p, flags)}.json"
            return _from_file(path, p) or _compile_and_save(path, p, flags)

        _compiler.compile = compile_
        try:
            yield
        finally:
            _compiler.compile = original
