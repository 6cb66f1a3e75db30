"""``phare edit`` and ``phare corrections``: documentalists' corrections from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
import yaml

from services.bootstrap import build
from services.cli.common import console, print_json, setup_logging

corrections_app = typer.Typer(help="Corrections des documentalistes : export et import (YAML, à versionner).",
                              no_args_is_help=True)


def edit(doc_id: str,
         title: Annotated[str | None, typer.Option("--titre", help="nouveau titre")] = None,
         year: Annotated[int | None, typer.Option("--annee", help="année de publication")] = None,
         producer: Annotated[str | None, typer.Option("--producteur", help="identifiant du producteur")] = None,
         collection: Annotated[str | None, typer.Option("--collection")] = None,
         authors: Annotated[list[str] | None, typer.Option("--auteur", help="personne ou organisme, répétable : "
                                                           "la liste complète")] = None,
         summary: Annotated[str | None, typer.Option("--resume", help="résumé")] = None,
         themes: Annotated[list[str] | None, typer.Option("--theme", help="thème ou sous-thème (parent/enfant), "
                                                          "répétable : la liste complète")] = None,
         postures: Annotated[list[str] | None, typer.Option("--posture", help="répétable")] = None,
         horizons: Annotated[list[int] | None, typer.Option("--horizon", help="répétable")] = None,
         territories: Annotated[list[str] | None, typer.Option("--territoire", help="niveau:code, ex. "
                                                               "departement:38 ; répétable")] = None,
         cleared: Annotated[list[str] | None, typer.Option("--vider", help="champ à vider (ex. postures)")] = None,
         validated: Annotated[list[str] | None, typer.Option("--valider", help="champ confirmé (ex. themes)")] = None,
         by: Annotated[str, typer.Option("--par", help="qui corrige (l'historique le garde)")] = "cli",
         as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Corrige ou valide les étiquettes d'un document ; la recherche les montre une fois le document
    ré-indexé par un travailleur (`phare up` en cours, ou au prochain lancement)."""
    from pydantic import ValidationError

    from schemas.curation import DocumentEdit
    from services.curation import CurationError
    from services.search.errors import french_validation_message

    setup_logging()
    given = {"title": title, "year": year, "producer": producer, "authors": authors, "summary": summary,
             "collection": collection, "themes": themes,
             "postures": postures, "horizons": horizons, "territories": territories}
    body: dict[str, object] = {k: v for k, v in given.items() if v is not None}
    for name in cleared or []:
        body[name] = [] if name in ("authors", "themes", "postures", "horizons", "territories") else None
    try:
        request = DocumentEdit.model_validate({**body, "validated": validated or []})
    except ValidationError as exc:
        console.print(f"[red]{french_validation_message(exc.errors())}[/]")
        raise typer.Exit(2) from exc
    container = build()
    try:
        changes = container.curation.edit(doc_id, request, by)
        in_force = container.curation.in_force(doc_id)
    except CurationError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc
    finally:
        container.close()
    if as_json:
        print_json({"changes": [c.model_dump() for c in changes], "curation": in_force})
        return
    for c in changes:
        console.print(f"  {c.field} : {c.before!r} → {c.after!r}" + (" (validé)" if c.validated else ""))
    console.print(f"{len(changes)} changement(s) enregistré(s)")


@corrections_app.command("export")
def export(target: Annotated[Path | None, typer.Argument(help="fichier YAML (sinon la sortie standard)")] = None,
           ) -> None:
    """Écrit toutes les corrections et validations, document par document."""
    setup_logging()
    container = build()
    try:
        entries = container.curation.export()
    finally:
        container.close()
    text = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False)
    if target is None:
        sys.stdout.write(text)
    else:
        target.write_text(text, encoding="utf-8")
        console.print(f"{len(entries)} document(s) corrigé(s) écrits dans {target}")


@corrections_app.command("import")
def import_(source: Annotated[Path, typer.Argument(help="fichier YAML écrit par `phare corrections export`")],
            by: Annotated[str, typer.Option("--par", help="qui importe (l'historique le garde)")] = "import",
            ) -> None:
    """Applique des corrections exportées (documents retrouvés par identifiant, contenu ou chemin)."""
    from pydantic import ValidationError

    from services.curation import CurationError

    setup_logging()
    entries = yaml.safe_load(source.read_text(encoding="utf-8")) or []
    container = build()
    try:
        changed, missing = container.curation.import_(entries, by)
    except (CurationError, ValidationError) as exc:
        console.print(f"[red]corrections refusées : {exc}[/]")
        raise typer.Exit(1) from exc
    finally:
        container.close()
    console.print(f"{changed} document(s) modifié(s) ; {len(missing)} introuvable(s)")
    for path in missing:
        console.print(f"  introuvable : {path}")


def learn(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Apprend des documents validés ou corrigés : un modèle par thème et par posture, combiné aux
    règles, gardé seulement s'il fait mieux qu'elles en validation croisée sur ces documents."""
    from rich.table import Table

    setup_logging()
    container = build()
    try:
        reports = container.learning.run()
    finally:
        container.close()
    if as_json:
        print_json([r.model_dump() for r in reports])
        return
    table = Table("champ", "documents", "étiquettes apprises", "F1 règles", "F1 règles + modèle", "décision")
    for r in reports:
        table.add_row(r.field, str(r.documents), str(len(r.labels)), f"{r.rules['f1']:.3f}" if r.rules else "—",
                      f"{r.learned['f1']:.3f}" if r.learned else "—", r.reason)
    console.print(table)
    if any(r.applied for r in reports):
        console.print("Les nouveaux documents en profitent dès maintenant ; `phare reindex` l'applique aux "
                      "documents déjà indexés (les valeurs corrigées ou validées restent celles des documentalistes).")
