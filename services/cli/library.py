"""What a documentalist does with the library from a terminal: add, re-index, search, show."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from services.bootstrap import build
from services.cli.common import console, print_json, setup_logging
from services.runtime.processes import ensure_workers, stop_processes


def ingest(paths: Annotated[list[Path], typer.Argument(help="fichiers ou dossiers (parcourus récursivement)")],
           wait: Annotated[bool, typer.Option("--wait", help="attendre que chaque document soit traité")] = False,
           as_json: Annotated[bool, typer.Option("--json")] = False,
           timeout: Annotated[float, typer.Option(help="attente maximale en secondes")] = 3600.0) -> None:
    """Ajoute des documents à la bibliothèque."""
    setup_logging()
    from services.settings import Settings

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        console.print(f"[red]introuvable :[/] {', '.join(missing)}")
        raise typer.Exit(2)
    settings = Settings()
    container = build(settings)
    # Workers first: they load their models while this command imports the rest, reads and queues the files.
    started = ensure_workers(settings) if wait else []
    try:
        from schemas.documents import TERMINAL_STATES
        from services.ingest.intake import walk

        files = list(walk(paths))
        # Largest first: a batch ends when its biggest document is done, so that one starts early.
        keys = {p: container.intake.submit(p).path for p in sorted(files, key=_size, reverse=True)}
        submitted = [keys[p] for p in files]
        latest = {s.path: s for s in container.catalog.path_status(submitted)}
        deadline = time.monotonic() + timeout
        while wait and (pending := [p for p, s in latest.items() if s.state not in TERMINAL_STATES]):
            if time.monotonic() > deadline:
                console.print("[red]délai dépassé : documents encore en cours[/]")
                break
            if started and any(p.poll() is not None for p in started):
                stop_processes(started)
                started = ensure_workers(settings)
            time.sleep(0.2)
            fresh = {s.path: s for s in container.catalog.path_status(pending)}  # only what is still on its way
            for path in pending:  # a path whose document was purged meanwhile is no longer reported
                if path in fresh:
                    latest[path] = fresh[path]
                else:
                    del latest[path]
        statuses = [latest[p] for p in submitted if p in latest]
    finally:
        stop_processes(started)
        container.close()
    docs = [{"path": s.path, "id": s.doc_id, "state": s.state, "reason": s.reason} for s in statuses]
    if as_json:
        print_json({"documents": docs})
    else:
        for d in docs:
            console.print(f"{d['state']:<10} {d['id']}  {d['path']}" + (f"  ({d['reason']})" if d["reason"] else ""))
    if wait and any(d["state"] not in TERMINAL_STATES for d in docs):
        raise typer.Exit(1)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def reindex(rebuild: Annotated[bool, typer.Option("--rebuild", help="OpenSearch : reconstruire une nouvelle "
                                                  "version de l'index puis basculer l'alias")] = False,
            as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Ré-analyse et ré-indexe tout depuis les extractions en cache (après une modification des
    thésaurus ou du référentiel territorial) ; seuls sont ré-extraits les fichiers dont l'extraction
    date d'une version antérieure de l'extracteur."""
    setup_logging()
    if rebuild:
        _rebuild_index(as_json)
        return
    from rich.progress import Progress

    from schemas.documents import DocState
    from schemas.events import DocumentExtracted

    container = build()
    catalog = container.catalog
    ids = [i for i in catalog.all_ids([DocState.INDEXED])
           if (row := catalog.get(i)) is not None and container.artifacts.exists("extract", row.sha256)]
    started: list[subprocess.Popen] = []
    try:
        for doc_id in ids:
            catalog.set_state(doc_id, DocState.ANALYZING)
            container.publish(DocumentExtracted(doc_id=doc_id))
        started = ensure_workers(container.settings) if ids else []
        with Progress(console=console, disable=as_json) as progress:
            task = progress.add_task("Ré-indexation", total=len(ids))
            while (done := catalog.terminal_count(ids)) < len(ids):
                progress.update(task, completed=done)
                time.sleep(0.5)
            progress.update(task, completed=len(ids))
    finally:
        stop_processes(started)
        container.close()
    if as_json:
        print_json({"reindexed": len(ids)})
    else:
        console.print(f"{len(ids)} document(s) ré-indexé(s)")


def _rebuild_index(as_json: bool) -> None:
    """A new OpenSearch index version from the catalog and cached artifacts, then an alias swap."""
    from rich.progress import track

    from schemas.documents import Analysis, DocState, Extraction, IndexRecord
    from services.search.backends.base import Rebuildable
    from workers.records import index_record

    container = build()
    try:
        if not container.settings.opensearch_url:
            console.print("[red]--rebuild concerne OpenSearch (PHARE_OPENSEARCH_URL) ; avec tantivy, "
                          "`phare reindex` suffit[/]")
            raise typer.Exit(2)
        catalog, artifacts = container.catalog, container.artifacts

        def records() -> Iterator[IndexRecord]:
            for doc_id in track(catalog.all_ids([DocState.INDEXED]), description="Reconstruction",
                                console=console, disable=as_json):
                doc = catalog.get(doc_id)
                if doc is None:  # deleted while the rebuild runs
                    continue
                extraction = artifacts.get("extract", doc.sha256, Extraction)
                analysis = artifacts.get("analysis", doc.analysis_key, Analysis) if doc.analysis_key else None
                if extraction and analysis:
                    yield index_record(doc, catalog.paths_of(doc.id), extraction, analysis, container.settings.inbox,
                                       catalog.corrections(doc.id), container.analyzer.ancestors)

        backend = container.backend
        if not isinstance(backend, Rebuildable):
            console.print("[red]ce moteur de recherche ne se reconstruit pas à part[/]")
            raise typer.Exit(2)
        new_index = backend.rebuild(records())
        count = container.backend.count()
    finally:
        container.close()
    if as_json:
        print_json({"index": new_index, "documents": count})
    else:
        console.print(f"index {new_index} : {count} document(s)")


def search(query: Annotated[str, typer.Argument(help="texte recherché")] = "",
           theme: Annotated[list[str] | None, typer.Option(help="thème (slug)")] = None,
           territory: Annotated[list[str] | None, typer.Option(help="code de territoire")] = None,
           limit: Annotated[int, typer.Option(min=0, max=100)] = 10,
           sort: Annotated[str, typer.Option(help="relevance (pertinence) ou date")] = "relevance",
           as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Cherche dans la bibliothèque."""
    from schemas.search import SearchQuery

    setup_logging()
    if sort not in ("relevance", "date"):
        console.print("[red]--sort : « relevance » ou « date »[/]")
        raise typer.Exit(2)
    container = build()
    try:
        result = container.search_service.search(
            SearchQuery(text=query, themes=theme or [], territories=territory or [], limit=limit,
                        sort="date" if sort == "date" else "relevance"),
            server_paths=True)
    finally:
        container.close()
    if as_json:
        print_json(result.model_dump())
        return
    console.print(f"{result.total} document(s)")
    for hit in result.hits:
        console.print(f"[bold]{hit.title}[/] ({hit.id}, {hit.score:.2f})\n  {hit.path}")


def show(doc_id: str, as_json: Annotated[bool, typer.Option("--json")] = False,
         text: Annotated[bool, typer.Option("--text", help="inclure le texte, page par page")] = False) -> None:
    """Affiche un document et ses étiquettes."""
    setup_logging()
    container = build()
    try:
        found = container.search_service.show(doc_id, with_text=text, server_paths=True)
    finally:
        container.close()
    if found is None:
        console.print(f"[red]document introuvable :[/] {doc_id}")
        raise typer.Exit(1)
    if as_json:
        print_json(found)
        return
    console.print(f"[bold]{found['title']}[/] — {found['state']}")
    for key in ("paths", "format", "language", "pages", "year"):
        console.print(f"  {key}: {found[key]}")
    console.print("  thèmes : " + ", ".join(t["label"] for t in found["themes"]))
    console.print("  territoires : " + ", ".join(t["name"] for t in found["territories"][:10]))

