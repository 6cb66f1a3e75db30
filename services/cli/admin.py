"""Administration commands of ``phare``: API keys, failed documents and their retry."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from services.bootstrap import build
from services.cli.common import console

keys_app = typer.Typer(help="Clés d'API (dépôt et suppression de documents par l'API).", no_args_is_help=True)


@keys_app.command("add")
def keys_add(name: Annotated[str, typer.Argument(help="à qui est la clé, ex. documentaliste-aurg")],
             admin: Annotated[bool, typer.Option("--admin", help="peut retirer tout document déposé, pas "
                                                                 "seulement les siens")] = False) -> None:
    """Crée une clé ; elle n'est affichée qu'une fois (seule son empreinte est gardée)."""
    container = build()
    try:
        key = container.api_keys.create(name, admin=admin)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    finally:
        container.close()
    sys.stdout.write(key + "\n")
    console.print(f"clé « {name} » créée : conservez-la, elle ne sera plus affichée.")


@keys_app.command("list")
def keys_list() -> None:
    """Noms des clés en service."""
    container = build()
    try:
        for name in container.api_keys.names():
            sys.stdout.write(name + (" (administration)" if container.api_keys.is_admin(name) else "") + "\n")
    finally:
        container.close()


@keys_app.command("revoke")
def keys_revoke(name: str) -> None:
    """Révoque une clé (effet immédiat, même sur une API en marche)."""
    container = build()
    try:
        if not container.api_keys.revoke(name):
            console.print(f"[red]aucune clé « {name} »[/red]")
            raise typer.Exit(1)
    finally:
        container.close()
    console.print(f"clé « {name} » révoquée")


_IN_FLIGHT = ("queued", "extracting", "analyzing", "indexing")


def status(as_json: Annotated[bool, typer.Option("--json")] = False,
           follow: Annotated[bool, typer.Option("--follow", "-f", help="barre de progression en direct, jusqu'à "
                                                "ce que tout soit traité")] = False) -> None:
    """Nombre de documents par état ; avec --follow, l'avancement d'un gros dépôt en direct."""
    container = build()
    try:
        counts = container.catalog.counts()
        if follow and not as_json:
            counts = _follow(container)
        semantic = _semantic(container)
    finally:
        container.close()
    if as_json:
        report: dict[str, object] = {"counts": counts, "total": sum(counts.values())}
        if semantic is not None:
            report["semantic"] = {"embedded": semantic}
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return
    for state, n in sorted(counts.items()):
        console.print(f"{state:<12}{n}")
    if semantic is not None:
        console.print(f"recherche sémantique : {semantic} document(s) sur {counts.get('indexed', 0)} indexé(s)")


def _semantic(container) -> int | None:  # noqa: ANN001 - services.bootstrap.Container
    """Documents searchable by meaning (their vectors are stored); None when semantic search is off
    or its store cannot be read (the word search does not depend on it)."""
    if container.encoder is None:
        return None
    try:
        return container.vectors.count()
    except Exception:  # noqa: BLE001 - a status report never fails on the optional side
        return None


def _follow(container) -> dict[str, int]:  # noqa: ANN001 - services.bootstrap.Container
    """Redraw the progress of the documents in flight every second until none is left (or Ctrl-C)."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("traitement", total=None)
        try:
            while True:
                counts = container.catalog.counts()
                total = sum(n for state, n in counts.items() if state != "duplicate")
                waiting = {state: counts.get(state, 0) for state in _IN_FLIGHT}
                detail = ", ".join(f"{n} {state}" for state, n in waiting.items() if n) or "tout est traité"
                progress.update(task, total=total, completed=total - sum(waiting.values()), description=detail)
                if not sum(waiting.values()):
                    return counts
                time.sleep(1)
        except KeyboardInterrupt:
            return container.catalog.counts()


def failed(as_json: Annotated[bool, typer.Option("--json")] = False,
           limit: Annotated[int, typer.Option(help="au plus ce nombre")] = 100) -> None:
    """Les documents en échec et leurs raisons, les plus récents d'abord."""
    from schemas.documents import DocState

    container = build()
    try:
        rows = [{"id": d.id, "title": d.title, "reason": d.reason, "attempts": d.attempts,
                 "paths": container.catalog.paths_of(d.id)} for d in container.catalog.by_state(DocState.FAILED, limit)]
    finally:
        container.close()
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("document", "fichier", "raison", title=f"{len(rows)} document(s) en échec")
    for d in rows:
        paths: list[str] = d["paths"] or [""]  # type: ignore[assignment]
        table.add_row(str(d["id"]), paths[0].rsplit("/", 1)[-1], str(d["reason"] or ""))
    Console().print(table)


def retry(doc_ids: Annotated[list[str] | None, typer.Argument(help="documents à relancer")] = None,
          all_failed: Annotated[bool, typer.Option("--all", help="tous les documents en échec")] = False) -> None:
    """Relance des documents en échec (après une correction, ou sortis de quarantaine)."""
    from schemas.documents import DocState
    from schemas.events import DocumentQueued

    container = build()
    try:
        ids = container.catalog.all_ids([DocState.FAILED]) if all_failed else (doc_ids or [])
        retried = 0
        for doc_id in ids:
            doc = container.catalog.get(doc_id)
            if doc is None or doc.state != DocState.FAILED:
                console.print(f"{doc_id} : pas en échec, ignoré")
                continue
            container.catalog.set_state(doc_id, DocState.QUEUED, attempts=0)
            container.publish(DocumentQueued(doc_id=doc_id))
            retried += 1
    finally:
        container.close()
    console.print(f"{retried} document(s) relancé(s)")
