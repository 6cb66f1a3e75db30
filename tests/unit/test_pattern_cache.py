"""Long regular expressions compiled once and kept in a file (spaCy's French tokenizer pattern)."""

from __future__ import annotations

import re
from pathlib import Path

from workers.analyze.pattern_cache import MIN_CHARS, cached_compilation

WORDS = [f"mot{i}-exemple" for i in range(MIN_CHARS // 10)]
PATTERN = "(?iu)(?P<start>" + "|".join(WORDS) + ")(?P<end>s?)"
PROBES = ["mot12-exemple", "MOT4567-EXEMPLES", "mot-exemple", "autre", "mot99-exemple!"]


def results(pattern: re.Pattern[str]) -> list[tuple | None]:
    return [tuple(m.groupdict().items()) if (m := pattern.match(p)) else None for p in PROBES]


def test_a_long_pattern_is_compiled_once_then_read_back_identical(tmp_path: Path) -> None:
    assert len(PATTERN) >= MIN_CHARS
    reference = re.compile(PATTERN)
    expected = results(reference)
    assert expected[0] is not None and expected[2] is None
    re.purge()
    with cached_compilation(tmp_path):
        first = re.compile(PATTERN)
    saved = list(tmp_path.glob("*.json"))
    assert len(saved) == 1
    stamp = saved[0].stat().st_mtime_ns
    re.purge()
    with cached_compilation(tmp_path):
        second = re.compile(PATTERN)
    assert saved[0].stat().st_mtime_ns == stamp  # read, not written again
    assert results(first) == results(second) == expected
    assert second.groupindex == reference.groupindex and second.flags == reference.flags


def test_a_damaged_file_is_compiled_again_and_short_patterns_are_left_alone(tmp_path: Path) -> None:
    re.purge()
    with cached_compilation(tmp_path):
        re.compile(PATTERN)
    (saved,) = tmp_path.glob("*.json")
    saved.write_text('{"flags": 32, "code": [1, 2, 3], "groups": 2, "groupindex": {}, "indexgroup": [null]}')
    re.purge()
    with cached_compilation(tmp_path):
        again = re.compile(PATTERN)
        re.compile("court|motif")
    assert results(again) == results(re.compile(PATTERN))
    assert len(list(tmp_path.glob("*.json"))) == 1 and '"code": [1, 2, 3]' not in saved.read_text()


def test_compilation_is_back_to_normal_after_the_block(tmp_path: Path) -> None:
    from re import _compiler  # type: ignore[attr-defined]

    original = _compiler.compile
    with cached_compilation(tmp_path):
        assert _compiler.compile is not original
    assert _compiler.compile is original
    with cached_compilation(None):
        assert _compiler.compile is original
