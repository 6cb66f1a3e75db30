"""The long-running processes: workers, the folder watcher, the API, and ``phare up`` supervising them."""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Annotated

import typer

from services.bootstrap import build
from services.cli.common import console, setup_logging, stop_on_signals
from services.runtime.processes import self_command, stop_processes, worker_command


def worker(queues: Annotated[str | None, typer.Option(help="files à consommer, ex. extract,analyze")] = None,
           threads: Annotated[int | None, typer.Option(help="nombre de fils de traitement")] = None) -> None:
    """Traite les documents en file (extraction, analyse, indexation)."""
    setup_logging(verbose=True)
    from workers.runtime import run_worker

    container = build()
    try:
        run_worker(container.broker, container.pipeline, stop_on_signals(),
                   threads or container.settings.worker_threads, set(queues.split(",")) if queues else None)
    finally:
        container.close()


def workers() -> None:
    """Lance les travailleurs de cette machine : un processus parent charge les modèles une seule fois,
    puis crée chaque travailleur par fork (prêt en une fraction de seconde, remplacé de même s'il meurt)."""
    from workers.extract.sandbox import ExtractionSandbox

    # First thing: the extraction fork server imports the parsers (about 3 s of CPU) on another core
    # while this process loads the models; a cold `phare ingest --wait` waits for whichever ends last.
    ExtractionSandbox().warm_up()
    setup_logging(verbose=True)
    from services.runtime.worker_pool import WorkerPool, preload, worker_specs

    container = build()
    settings = container.settings
    analyzer = preload(container)  # until the workers exist, a signal simply ends this process
    # Workers stopping together each see the others still connected to the embedded Redis: this
    # process, last out, releases it (the property opens no connection before the fork).
    _ = container.embedded_redis
    try:
        WorkerPool(settings, worker_specs(settings), analyzer).run(stop_on_signals())
    finally:
        container.close()
    # The interpreter would free the models object by object (0.4 s that `phare ingest --wait` waits
    # for at every end); the workers are reaped, Redis released, and the log flushed just below.
    logging.shutdown()
    os._exit(0)


def watch(folder: Annotated[Path | None, typer.Option(help="dossier surveillé (défaut : ./inbox)")] = None) -> None:
    """Surveille le dossier de dépôt et met en file chaque fichier nouveau ou modifié."""
    setup_logging(verbose=True)
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
        watcher.run(stop_on_signals())
    finally:
        container.close()


def api(host: Annotated[str | None, typer.Option()] = None,
        port: Annotated[int | None, typer.Option()] = None) -> None:
    """Sert l'API de recherche et l'interface web."""
    setup_logging()
    from services.http_server import serve
    from services.search.app import create_app

    container = build()
    settings = container.settings
    if container.encoder is not None:  # the first semantic query should not pay for loading the model
        threading.Thread(target=container.encoder.warm_up, name="phare-encoder", daemon=True).start()
    serve(create_app(container), host or settings.host, port or settings.port, settings.server)


def digest(now: Annotated[bool, typer.Option("--now", help="une seule passe : envoie ce qui est dû, puis "
                                              "s'arrête")] = False,
           force: Annotated[bool, typer.Option("--toutes", help="avec --now : toutes les veilles ayant une "
                                                "adresse, dues ou non")] = False) -> None:
    """Envoie par courriel les nouveautés des veilles (quotidiennes ou hebdomadaires) ; sans --now,
    regarde toutes les PHARE_DIGEST_EVERY_S secondes ce qui est dû (lancé par `phare up` quand
    PHARE_SMTP__HOST est réglé)."""
    setup_logging(verbose=not now)
    container = build()
    try:
        if now:
            outcome = container.subscriptions.digest(force=force)
            console.print(f"{outcome.sent} courriel(s) envoyé(s), {outcome.documents} document(s) signalé(s), "
                          f"{outcome.empty} veille(s) sans nouveauté")
            for failure in outcome.failed:
                console.print(f"[red]non envoyée (réessayée au prochain passage) : {failure}[/]")
            if outcome.failed:
                raise typer.Exit(1)
            return
        stop = stop_on_signals()
        while not stop.is_set():
            container.subscriptions.digest()
            stop.wait(container.settings.digest_every_s)
    finally:
        container.close()


_WORKERS_WAIT_API_S = 8.0


def _listening(host: str, port: int) -> bool:
    """This machine's API accepts connections (uvicorn listens once the application has started)."""
    import socket

    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def up() -> None:
    """Lance tout sur cette machine : Redis embarqué, travailleurs, surveillance de ./inbox, API et web."""
    setup_logging()
    container = build()
    settings = container.settings
    if container.embedded_redis is not None:
        container.embedded_redis.ensure()
    settings.inbox.mkdir(parents=True, exist_ok=True)
    stop = stop_on_signals()
    children: dict[str, subprocess.Popen] = {}
    commands = {"workers": worker_command(), "watch": self_command("watch"), "api": self_command("api")}
    if settings.smtp.host:  # the e-mail digests of subscriptions
        commands["digest"] = self_command("digest")
    console.print(f"[bold]phare[/] : dépôt dans [cyan]{settings.inbox.resolve()}[/], "
                  f"recherche sur [cyan]http://{settings.host}:{settings.port}[/] (Ctrl-C pour arrêter)")
    # The workers' start (seconds of CPU loading the models) waits for the API to listen, or a few
    # seconds at most: the first search is not slowed by it; files dropped meanwhile are queued.
    workers_from = time.monotonic() + _WORKERS_WAIT_API_S
    api_host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host  # this machine's own API
    try:
        while not stop.is_set():
            for name, cmd in commands.items():
                proc = children.get(name)
                if name == "workers" and proc is None and time.monotonic() < workers_from \
                        and not _listening(api_host, settings.port):
                    continue
                if proc is None or proc.poll() is not None:
                    if proc is not None:
                        console.print(f"[yellow]{name} s'est arrêté (code {proc.returncode}) : redémarrage[/]")
                    children[name] = subprocess.Popen(cmd)
            stop.wait(1.0 if "workers" in children else 0.1)
    finally:
        stop_processes(list(children.values()))
        container.close()
