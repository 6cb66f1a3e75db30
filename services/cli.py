"""The ``phare`` command: every process and every user action of the product."""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from schemas.documents import TERMINAL_STATES
from schemas.search import SearchQuery
from services import cli_admin
from services.bootstrap import build
from services.processes import ensure_workers, self_command, stop_processes, worker_commands

app = typer.Typer(help="phare — centre de ressources documentaires de l'Atelier des futurs.", no_args_is_help=True,
                  add_completion=False)
console = Console(stderr=True)


def _setup_logging(verbose: bool = False) -> None:
    """Plain lines for a terminal; one JSON object per line with ``PHARE_LOG_FORMAT=json`` (log shippers)."""
    from services.settings import Settings

    handler = logging.StreamHandler()
    if Settings().log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
                                           rename_fields={"levelname": "level", "asctime": "time"}))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler], force=True)


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@app.command()
def worker(queues: Annotated[str | None, typer.Option(help="files à consommer, ex. extract,analyze")] = None,
           threads: Annotated[int | None, typer.Option(help="nombre de fils de traitement")] = None) -> None:
    """Traite les documents en file (extraction, analyse, indexation)."""
    _setup_logging(verbose=True)
    from workers.runtime import run_worker

    container = build()
    try:
        run_worker(container.broker, container.pipeline, _stop_on_signals(),
                   threads or container.settings.worker_threads, set(queues.split(",")) if queues else None)
    finally:
        container.close()


@app.command()
def watch(folder: Annotated[Path | None, typer.Option(help="dossier surveillé (défaut : ./inbox)")] = None) -> None:
    """Surveille le dossier de dépôt et met en file chaque fichier nouveau ou modifié."""
    _setup_logging(verbose=True)
    from services.ingest.reconcile import Reconciler
    from services.ingest.watcher import FolderWatcher

    container = build()
    settings = container.settings
    reconciler = Reconciler(container.catalog, container.intake, container.publish, lambda: container.backend,
                            (lambda: container.vectors) if container.encoder is not None else None)
    watcher = FolderWatcher(folder or settings.inbox, container.intake, reconciler, settings.watch_debounce_ms,
                            settings.watch_stable_s, settings.reconcile_every_s, polling=settings.watch_polling,
                            poll_ms=settings.watch_poll_ms)
    try:
        watcher.run(_stop_on_signals())
    finally:
        container.close()


@app.command()
def api(host: Annotated[str | None, typer.Option()] = None,
        port: Annotated[int | None, typer.Option()] = None) -> None:
    """Sert l'API de recherche et l'interface web."""
    _setup_logging()
    from services.http_server import serve
    from services.search.app import create_app

    container = build()
    settings = container.settings
    if container.encoder is not None:  # the first semantic query should not pay for loading the model
        threading.Thread(target=container.encoder.warm_up, name="phare-encoder", daemon=True).start()
    serve(create_app(container), host or settings.host, port or settings.port, settings.server)


@app.command()
def up() -> None:
    """Lance tout sur cette machine : Redis embarqué, travailleurs, surveillance de ./inbox, API et web."""
    _setup_logging()
    container = build()
    settings = container.settings
    if container.embedded_redis is not None:
        container.embedded_redis.ensure()
    settings.inbox.mkdir(parents=True, exist_ok=True)
    stop = _stop_on_signals()
    children: dict[str, subprocess.Popen] = {}
    commands = {**worker_commands(settings), "watch": self_command("watch"), "api": self_command("api")}
    console.print(f"[bold]phare[/] : dépôt dans [cyan]{settings.inbox.resolve()}[/], "
                  f"recherche sur [cyan]http://{settings.host}:{settings.port}[/] (Ctrl-C pour arrêter)")
    try:
        while not stop.is_set():
            for name, cmd in commands.items():
                proc = children.get(name)
                if proc is None or proc.poll() is not None:
                    if proc is not None:
                        console.print(f"[yellow]{name} s'est arrêté (code {proc.returncode}) : redémarrage[/]")
                    children[name] = subprocess.Popen(cmd)
            stop.wait(1.0)
    finally:
        stop_processes(list(children.values()))
        container.close()


@app.command()
def ingest(paths: Annotated[list[Path], typer.Argument(help="fichiers ou dossiers (parcourus récursivement)")],
           wait: Annotated[bool, typer.Option("--wait", help="attendre que chaque document soit traité")] = False,
           as_json: Annotated[bool, typer.Option("--json")] = False,
           timeout: Annotated[float, typer.Option(help="attente maximale en secondes")] = 3600.0) -> None:
    """Ajoute des documents à la bibliothèque."""
    _setup_logging()
    from services.ingest.intake import walk

    container = build()
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        console.print(f"[red]introuvable :[/] {', '.join(missing)}")
        raise typer.Exit(2)
    started: list[subprocess.Popen] = []
    try:
        files = list(walk(paths))
        # Largest first: a batch ends when its biggest document is done, so that one starts early.
        keys = {p: container.intake.submit(p).path for p in sorted(files, key=_size, reverse=True)}
        submitted = [keys[p] for p in files]
        statuses = container.catalog.path_status(submitted)
        if wait and any(s.state not in TERMINAL_STATES for s in statuses):
            started = ensure_workers(container)
        deadline = time.monotonic() + timeout
        while wait and any(s.state not in TERMINAL_STATES for s in statuses):
            if time.monotonic() > deadline:
                console.print("[red]délai dépassé : documents encore en cours[/]")
                break
            if started and any(p.poll() is not None for p in started):
                stop_processes(started)
                started = ensure_workers(container)
            time.sleep(0.2)
            statuses = container.catalog.path_status(submitted)
    finally:
        stop_processes(started)
        container.close()
    docs = [{"path": s.path, "id": s.doc_id, "state": s.state, "reason": s.reason} for s in statuses]
    if as_json:
        _print_json({"documents": docs})
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


@app.command()
def reindex(rebuild: Annotated[bool, typer.Option("--rebuild", help="OpenSearch : reconstruire une nouvelle "
                                                  "version de l'index puis basculer l'alias")] = False,
            as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Ré-analyse et ré-indexe tout depuis les extractions en cache (après une modification des
    thésaurus ou du référentiel territorial) ; seuls sont ré-extraits les fichiers dont l'extraction
    date d'une version antérieure de l'extracteur."""
    _setup_logging()
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
        started = ensure_workers(container) if ids else []
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
        _print_json({"reindexed": len(ids)})
    else:
        console.print(f"{len(ids)} document(s) ré-indexé(s)")


def _rebuild_index(as_json: bool) -> None:
    """A new OpenSearch index version from the catalog and cached artifacts, then an alias swap."""
    from rich.progress import track

    from schemas.documents import Analysis, DocState, Extraction
    from services.search.backends.base import Rebuildable

    container = build()
    try:
        if not container.settings.opensearch_url:
            console.print("[red]--rebuild concerne OpenSearch (PHARE_OPENSEARCH_URL) ; avec tantivy, "
                          "`phare reindex` suffit[/]")
            raise typer.Exit(2)
        catalog, artifacts = container.catalog, container.artifacts

        def records():  # noqa: ANN202 - generator of IndexRecord
            for doc_id in track(catalog.all_ids([DocState.INDEXED]), description="Reconstruction",
                                console=console, disable=as_json):
                doc = catalog.get(doc_id)
                if doc is None:  # deleted while the rebuild runs
                    continue
                extraction = artifacts.get("extract", doc.sha256, Extraction)
                analysis = artifacts.get("analysis", doc.analysis_key, Analysis) if doc.analysis_key else None
                if extraction and analysis:
                    yield container.pipeline.record(doc, extraction, analysis)

        backend = container.backend
        if not isinstance(backend, Rebuildable):
            console.print("[red]ce moteur de recherche ne se reconstruit pas à part[/]")
            raise typer.Exit(2)
        new_index = backend.rebuild(records())
        count = container.backend.count()
    finally:
        container.close()
    if as_json:
        _print_json({"index": new_index, "documents": count})
    else:
        console.print(f"index {new_index} : {count} document(s)")


@app.command()
def search(query: Annotated[str, typer.Argument(help="texte recherché")] = "",
           theme: Annotated[list[str] | None, typer.Option(help="thème (slug)")] = None,
           territory: Annotated[list[str] | None, typer.Option(help="code de territoire")] = None,
           limit: Annotated[int, typer.Option(min=0, max=100)] = 10,
           sort: Annotated[str, typer.Option(help="relevance (pertinence) ou date")] = "relevance",
           as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Cherche dans la bibliothèque."""
    _setup_logging()
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
        _print_json(result.model_dump())
        return
    console.print(f"{result.total} document(s)")
    for hit in result.hits:
        console.print(f"[bold]{hit.title}[/] ({hit.id}, {hit.score:.2f})\n  {hit.path}")


@app.command()
def show(doc_id: str, as_json: Annotated[bool, typer.Option("--json")] = False,
         text: Annotated[bool, typer.Option("--text", help="inclure le texte, page par page")] = False) -> None:
    """Affiche un document et ses étiquettes."""
    _setup_logging()
    container = build()
    try:
        found = container.search_service.show(doc_id, with_text=text, server_paths=True)
    finally:
        container.close()
    if found is None:
        console.print(f"[red]document introuvable :[/] {doc_id}")
        raise typer.Exit(1)
    if as_json:
        _print_json(found)
        return
    console.print(f"[bold]{found['title']}[/] — {found['state']}")
    for key in ("paths", "format", "language", "pages", "year"):
        console.print(f"  {key}: {found[key]}")
    console.print("  thèmes : " + ", ".join(t["label"] for t in found["themes"]))
    console.print("  territoires : " + ", ".join(t["name"] for t in found["territories"][:10]))


app.add_typer(cli_admin.keys_app, name="keys")
app.command()(cli_admin.status)
app.command()(cli_admin.failed)
app.command()(cli_admin.retry)

if __name__ == "__main__":
    app()
