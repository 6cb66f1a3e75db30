"""The reference data of the analysis and the search (taxonomies, glossary, gazetteer): where its
files are, and a fingerprint of their content.

An analysis artifact is keyed by the document's content hash *and* this fingerprint (with the
analyzer's version), so editing a taxonomy or the gazetteer, or a new ``phare learn``, makes every
document's analysis stale:
``phare reindex`` recomputes them from the cached extractions, and running workers reload the files
when they change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from schemas.gazetteer import packaged_gazetteer_dir


def packaged_taxonomy_dir() -> Path:
    return Path(str(resources.files("schemas") / "taxonomy"))


@dataclass(frozen=True)
class ReferenceData:
    """``learned``: the models ``phare learn`` trains on validated documents (absent until then)."""

    taxonomy_dir: Path
    gazetteer_dir: Path
    learned: Path | None = None

    @classmethod
    def default(cls, taxonomy_dir: Path | None = None, learned: Path | None = None) -> ReferenceData:
        return cls(taxonomy_dir or packaged_taxonomy_dir(), packaged_gazetteer_dir(), learned)

    def files(self) -> list[Path]:
        learned = [self.learned] if self.learned is not None and self.learned.exists() else []
        return sorted([*self.taxonomy_dir.glob("*.yaml"), *self.gazetteer_dir.glob("*.csv"),
                       *self.gazetteer_dir.glob("*.yaml"), *learned])

    def stamp(self) -> tuple[tuple[str, int, int], ...]:
        """Cheap change detector: names, sizes and modification times."""
        return tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in self.files())

    def fingerprint(self, version: int) -> str:
        """Content hash of the files, with the version of the code that reads them."""
        digest = hashlib.sha256(f"v{version}".encode())
        for path in self.files():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()[:12]


def load_glossary(taxonomy_dir: Path | None = None) -> dict[str, str]:
    """Acronym → expansion, from ``acronyms.yaml`` of the taxonomy folder."""
    from schemas.yaml_files import read_yaml

    path = (taxonomy_dir or packaged_taxonomy_dir()) / "acronyms.yaml"
    raw = read_yaml(path) if path.exists() else {}
    return {str(k): str(v) for k, v in (raw or {}).items()}
