"""Whole-ingestion throughput on the corpus text PDFs, next to pdfium's raw text speed (the limit).

Run: .venv/bin/python bench/ingest.py [../shared/data/corpus]
Prints pages/s for pdfium raw text and for `phare ingest --wait` (extract + analyze + index, fresh
data dir, embedded Redis, worker start included), and their ratio. Last line is JSON.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parents[1]


def text_pdfs(corpus: Path) -> list[tuple[Path, int]]:
    with (corpus / "manifest.csv").open(encoding="utf-8") as fh:
        return [(corpus / r["file"], int(r["pages_or_slides"])) for r in csv.DictReader(fh)
                if r["format"] == "pdf" and r["text_layer"] == "yes"]


def pdfium_pages_per_s(files: list[tuple[Path, int]]) -> float:
    started, pages = time.perf_counter(), 0
    for path, _ in files:
        pdf = pdfium.PdfDocument(str(path))
        for page in pdf:
            page.get_textpage().get_text_bounded()
            pages += 1
        pdf.close()
    return pages / (time.perf_counter() - started)


def phare_pages_per_s(files: list[tuple[Path, int]]) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="phare-bench-") as tmp:
        inbox = Path(tmp) / "in"
        inbox.mkdir()
        for i, (path, _) in enumerate(files):
            os.symlink(path, inbox / f"{i:02d}-{path.name}")
        env = {**os.environ, "PHARE_DATA_DIR": str(Path(tmp) / "data")}
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "services.cli", "ingest", str(inbox), "--wait", "--json"],
                             cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        elapsed = time.perf_counter() - started
    docs = json.loads(out.stdout)["documents"]
    assert all(d["state"] == "indexed" for d in docs), docs
    pages = sum(p for _, p in files)
    return pages / elapsed, elapsed


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "corpus"
    files = text_pdfs(corpus)
    pages = sum(p for _, p in files)
    raw = pdfium_pages_per_s(files)
    phare, elapsed = phare_pages_per_s(files)
    print(f"{len(files)} PDF à couche texte, {pages} pages")
    print(f"pdfium, texte brut          : {raw:8.1f} pages/s")
    print(f"phare ingest --wait (total) : {phare:8.1f} pages/s ({elapsed:.1f} s, démarrage compris)")
    print(f"rapport phare / pdfium      : {phare / raw:8.3f}")
    print(json.dumps({"pdfs": len(files), "pages": pages, "pdfium_pages_per_s": round(raw, 1),
                      "phare_pages_per_s": round(phare, 1), "ratio": round(phare / raw, 4)}))


if __name__ == "__main__":
    main()
