"""A large drop: thousands of small files and a folder moved into the watched folder of ``phare up``.

Run: .venv/bin/python bench/burst.py [--files 2000] [--moved 30] [--baseline 200]

Measured in this one run:
  - the baseline: ``--baseline`` of the same notes through phare's stages called one after the
    other in this process (extract → analyze → index, an in-memory queue, no broker, one thread);
  - ``phare up`` on embedded defaults (its worker processes, the watcher, Redis): ``--files`` notes
    written into its inbox, then a folder of ``--moved`` notes moved in from elsewhere; the time
    until every one is indexed, then until every one is also searchable by meaning.
Checks that nothing is lost (every document indexed once, nothing failed) and prints files/s and the
ratio of ``phare up`` to the in-process baseline. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("UNSTRUCTURED_DISABLE_NOTICE", "1")

from bench.running import Phare  # noqa: E402
from schemas.events import DocumentEvent  # noqa: E402
from services.bootstrap import build  # noqa: E402
from services.ingest.intake import Intake  # noqa: E402
from services.settings import SemanticSettings, Settings  # noqa: E402
from workers.extract.sandbox import ExtractionSandbox  # noqa: E402
from workers.pipeline import Pipeline  # noqa: E402

PLACES = ["Grenoble", "Échirolles", "Saint-Martin-d'Hères", "Meylan", "Voiron", "Fontaine", "Seyssinet-Pariset",
          "Vizille", "Crolles", "Le Pont-de-Claix"]
SUBJECTS = ["le tramway", "le covoiturage", "les îlots de chaleur", "la rénovation des logements", "les haies",
            "la ressource en eau", "le vélo", "les friches", "la sobriété foncière", "les circuits courts"]


def write_notes(folder: Path, n: int, first: int = 0) -> list[Path]:
    """``n`` distinct short French notes, as a service exports them (numbered from ``first``)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(first, first + n):
        place, subject = PLACES[i % len(PLACES)], SUBJECTS[(i // len(PLACES)) % len(SUBJECTS)]
        path = folder / f"note-{i:05d}.md"
        path.write_text(f"# Note {i} : {subject} à {place}\n\nCompte rendu numéro {i} sur {subject} à {place}, "
                        f"dans la métropole grenobloise. Objectif fixé à l'horizon {2030 + 10 * (i % 3)}.\n",
                        encoding="utf-8")
        out.append(path)
    return out


def in_process(folder: Path, files: list[Path]) -> float:
    """Seconds to take ``files`` through the stages one message at a time, in this process."""
    settings = Settings(data_dir=folder / "data", inbox=folder, semantic=SemanticSettings(enabled=False))
    container = build(settings)
    queue: list[DocumentEvent] = []
    e = settings.extract
    sandbox = ExtractionSandbox(e.timeout_s, e.memory_mb, e.ocr_language)
    pipeline = Pipeline(container.catalog, container.blobs, container.artifacts, sandbox, container.analyzer,
                        lambda: container.backend, queue.append, container.max_file_bytes, settings.inbox)
    intake = Intake(container.catalog, container.blobs, queue.append, container.max_file_bytes, container.artifacts)
    pipeline.warm_up()
    try:
        started = time.perf_counter()
        for path in files:
            intake.submit(path)
        while queue:
            pipeline.handle(queue.pop(0))
        seconds = time.perf_counter() - started
        counts = container.catalog.counts()
        assert counts == {"indexed": len(files)}, counts
        return seconds
    finally:
        container.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--moved", type=int, default=30)
    parser.add_argument("--baseline", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="phare-burst-"))
    try:
        baseline_s = in_process(work / "baseline", write_notes(work / "baseline" / "notes", args.baseline))
        baseline_rate = args.baseline / baseline_s
        print(f"étapes en séquence, dans ce processus : {args.baseline} notes en {baseline_s:.1f} s "
              f"({baseline_rate:.1f} fichiers/s)")

        total = args.files + args.moved
        phare = Phare(work / "up")
        try:
            started = time.monotonic()
            write_notes(phare.inbox / "rafale", args.files)
            elsewhere = write_notes(work / "ailleurs" / "dossier", args.moved, first=args.files)
            shutil.move(str(elsewhere[0].parent), str(phare.inbox / "dossier"))
            report = phare.wait(total, args.timeout, embedded=False, every_s=2)
            indexed_s = time.monotonic() - started
            report = phare.wait(total, args.timeout, embedded=True, every_s=5)
            embedded_s = time.monotonic() - started
        finally:
            phare.stop()
        counts = report["counts"]
        lost = total - counts.get("indexed", 0)
        rate = total / indexed_s
        print(f"phare up : {total} fichiers ({args.files} en rafale + un dossier de {args.moved} déplacé) "
              f"indexés en {indexed_s:.0f} s ({rate:.1f} fichiers/s), avec vecteurs en {embedded_s:.0f} s")
        print(f"rapport phare up / étapes en séquence : {rate / baseline_rate:.2f}")
        print("perdus ou en échec : " + (f"{lost} ({counts})" if lost else "aucun"))
        print(json.dumps({"files": total, "indexed_s": round(indexed_s, 1), "embedded_s": round(embedded_s, 1),
                          "files_per_s": round(rate, 2), "baseline_files_per_s": round(baseline_rate, 2),
                          "ratio": round(rate / baseline_rate, 3), "counts": counts, "lost": lost}))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
