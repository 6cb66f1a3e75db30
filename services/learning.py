"""``phare learn``: the documents documentalists validated or corrected become training data.

For each field (themes, postures), a document counts once a documentalist validated or corrected
that field; its labels are the values in force. The analyzer trains its models on them and keeps a
field's models only where cross-validation over those documents shows a gain over the rules alone.
The models are written beside the catalog; the reference fingerprint then changes, so new
documents use them at once and ``phare reindex`` brings them to the documents already indexed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from schemas.documents import DocState, Extraction
from services.curation import Curation
from services.ingest.blobs import ArtifactStore
from services.ingest.catalog import Catalog

if TYPE_CHECKING:
    from workers.analyze.analyzer import Analyzer
    from workers.analyze.learned import FieldReport, Signals

FIELDS = ("themes", "postures")


class Learning:
    def __init__(self, catalog: Catalog, artifacts: ArtifactStore, curation: Curation, analyzer: Analyzer,
                 path: Path, min_documents: int) -> None:
        self.catalog = catalog
        self.artifacts = artifacts
        self.curation = curation
        self.analyzer = analyzer
        self.path = path
        self.min_documents = min_documents

    def examples(self) -> dict[str, list[tuple[Signals, set[str]]]]:
        """Per field, each settled document's rule signals and its labels in force (top-level themes)."""
        out: dict[str, list[tuple[Signals, set[str]]]] = {name: [] for name in FIELDS}
        for doc_id in self.catalog.corrected_ids():
            fields = self.catalog.corrections(doc_id)
            settled = [n for n in FIELDS if (c := fields.get(n)) is not None and (c.validated or c.corrected)]
            doc = self.catalog.get(doc_id)
            if not settled or doc is None or doc.state == DocState.DELETED:
                continue
            extraction = self.artifacts.get("extract", doc.sha256, Extraction)
            if extraction is None:
                continue
            signals, values = self.analyzer.signals(extraction), self.curation.in_force(doc_id)
            for name in settled:
                out[name].append((signals[name], {str(v).split("/")[0] for v in values[name]["value"] or []}))
        return out

    def run(self) -> list[FieldReport]:
        """Train, keep what beats the rules (or remove an older model that no longer applies), report."""
        learned, reports = self.analyzer.learn(self.examples(), self.min_documents)
        if learned.themes or learned.postures:
            learned.save(self.path)
        else:
            self.path.unlink(missing_ok=True)
        return reports
