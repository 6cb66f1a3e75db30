"""Load: 20 concurrent users on a 10k-document library, without and with ingestion running.

Run: .venv/bin/python bench/load.py [--docs 10000] [--seconds 60] [../shared/data/corpus]
(needs locust: .venv/bin/pip install -r bench/requirements.txt)
Builds a tantivy library of generated documents (as bench/search.py) plus the real corpus, serves it
with ``phare api`` (uvicorn, one process) and runs bench/load/locustfile.py headless with 20 users:
first alone, then while ``phare ingest`` adds the corpus again under other names (workers running
on the same 2 cores). Prints p50/p95/p99 and errors of each run; the last line is JSON.
Goal: 0 errors, p95 ≤ 300 ms, p99 ≤ 1 s.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("UNSTRUCTURED_DISABLE_NOTICE", "1")

from bench.running import free_port  # noqa: E402
from bench.search import generate, vocabulary  # noqa: E402
from services.bootstrap import build  # noqa: E402
from services.settings import Settings  # noqa: E402


def locust(host: str, seconds: int, prefix: Path) -> dict[str, float]:
    subprocess.run([sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "load" / "locustfile.py"),
                    "--headless", "-u", "20", "-r", "20", "-t", f"{seconds}s", "--host", host, "--csv", str(prefix),
                    "--only-summary"], check=False, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # (locust exits 1 when a request failed: the figures say which)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        total = next(r for r in csv.DictReader(fh) if r["Name"] == "Aggregated")
    with open(f"{prefix}_failures.csv", encoding="utf-8") as fh:
        for failure in csv.DictReader(fh):
            print(f"  échec : {failure['Method']} {failure['Name']} — {failure['Error']} ({failure['Occurrences']}×)")
    return {"requests": int(total["Request Count"]), "errors": int(total["Failure Count"]),
            "p50_ms": float(total["50%"]), "p95_ms": float(total["95%"]), "p99_ms": float(total["99%"]),
            "rps": round(float(total["Requests/s"]), 1)}


def new_versions(corpus: Path, tmp: str) -> Path:
    """The corpus PDFs with a byte appended after their end: new content to extract and analyze, same text."""
    out = Path(tmp) / "arrivage"
    out.mkdir()
    for i, pdf in enumerate(sorted(corpus.rglob("*.pdf"))):
        (out / f"{i:02d}-{pdf.name}").write_bytes(pdf.read_bytes() + b"\n%phare-bench\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "data" / "corpus"))
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    corpus = Path(args.corpus)
    words, weights, titles = vocabulary(corpus)
    with tempfile.TemporaryDirectory(prefix="phare-bench-load-") as tmp:
        data = Path(tmp) / "data"
        container = build(Settings(data_dir=data))
        docs = generate(args.docs, words, weights, titles)
        for start in range(0, len(docs), 2000):
            container.backend.upsert(docs[start:start + 2000])
        container.close()
        env = {**os.environ, "PHARE_DATA_DIR": str(data)}
        port = free_port()
        api = subprocess.Popen([sys.executable, "-m", "services.cli", "api", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        host = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(host + "/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "phare api did not start"
                time.sleep(0.3)
            # the real corpus too: document pages need catalogued documents (the generated ones are index-only)
            subprocess.run([sys.executable, "-m", "services.cli", "ingest", str(corpus), "--wait"], cwd=ROOT, env=env,
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            alone = locust(host, args.seconds, Path(tmp) / "alone")
            ingest = subprocess.Popen([sys.executable, "-m", "services.cli", "ingest", str(new_versions(corpus, tmp)),
                                       "--wait"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            time.sleep(2)  # workers starting: the load runs while they extract and analyze
            busy = locust(host, args.seconds, Path(tmp) / "busy")
            busy["ingestion_still_running"] = ingest.poll() is None
            ingest.wait(timeout=1800)
        finally:
            api.terminate()
            api.wait(timeout=30)
            from services.runtime.embedded_redis import EmbeddedRedis

            EmbeddedRedis(data / "redis").stop()
    for name, r in (("seul", alone), ("pendant une ingestion", busy)):
        print(f"20 utilisateurs, {args.docs} documents, {name} : {r['requests']} requêtes ({r['rps']}/s), "
              f"{r['errors']} erreurs, p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, p99 {r['p99_ms']} ms")
    print(json.dumps({"docs": args.docs, "alone": alone, "with_ingestion": busy}))


if __name__ == "__main__":
    main()
