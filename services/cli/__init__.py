"""The ``phare`` command: every process and every user action of the product.

``run`` holds the long-running processes (worker, workers, watch, api, up, digest), ``library`` what a documentalist
does with the documents (ingest, reindex, search, show), ``curation`` their corrections (edit,
corrections export/import, learn), ``admin`` keys, status, failures and retries;
``common`` what they share. This module only assembles them, in the order ``phare --help`` shows,
and ``main`` runs them as the ``phare`` program.
"""

from __future__ import annotations

import logging
import os
import sys

import typer

from services.cli import admin, curation, library, run

app = typer.Typer(help="phare — centre de ressources documentaires de l'Atelier des futurs.", no_args_is_help=True,
                  add_completion=False)
for command in (run.worker, run.workers, run.watch, run.api, run.up, run.digest, library.ingest, library.reindex,
                library.search, library.show, curation.edit, curation.learn, admin.status, admin.failed, admin.retry):
    app.command()(command)
app.add_typer(admin.keys_app, name="keys")
app.add_typer(curation.corrections_app, name="corrections")


def main() -> None:
    """The ``phare`` program: ``app``, then an exit without the interpreter's teardown. Every command
    closes what it opened before it returns (processes, Redis, the catalog); freeing the imported
    modules object by object added 0.3 s to each one (``phare ingest --wait``, ``phare search``).
    An error still ends the usual way, with its traceback."""
    try:
        app()
        code: int | str | None = 0
    except SystemExit as end:
        code = end.code
    logging.shutdown()
    if isinstance(code, str):
        sys.stderr.write(code + "\n")
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # a reader that went away (`phare search … | head -1`)
            pass
    os._exit(code or 0)
