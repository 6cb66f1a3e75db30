"""Run the extractor in a child process that is killed past its time or memory budget.

Children fork from a fork server that has already imported the parsers, so each document gets a
fresh, disposable process in milliseconds: a parser that crashes, hangs or balloons takes only its
own child down, never the worker. A child that dies without answering raises ExtractionCrashed
(retried: the kernel's OOM killer or an operator may have killed it); the sandbox's own limits
(time, memory) raise ExtractionError at once. The memory budget is the kernel's ``RLIMIT_DATA`` in the child
(allocations beyond it fail), so the parent only blocks on the result pipe: no polling, which
would fight the worker's NER threads for the GIL.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

import psutil

from schemas.documents import Extraction
from workers.extract.errors import ExtractionCrashed, ExtractionError

_context: mp.context.ForkServerContext | None = None


def _ctx() -> mp.context.ForkServerContext:
    global _context
    if _context is None:
        _context = mp.get_context("forkserver")
        # services.cli too: each child re-runs the parent's main module (multiprocessing's "main fix-up");
        # with its imports already loaded here that costs milliseconds instead of ~0.6 s per document.
        _context.set_forkserver_preload(["workers.extract._preload", "services.cli"])
    return _context


def _child(path: str, ocr_language: str, conn: Connection, name: str = "") -> None:
    from workers.extract.extractor import TextExtractor

    try:
        result = TextExtractor(ocr_language).run(Path(path), name)
        conn.send(("ok", result.model_dump_json()))
    except ExtractionError as exc:
        conn.send(("error", exc.reason))
    except MemoryError:
        conn.send(("error", "limite mémoire dépassée pendant l'extraction"))
    except Exception as exc:  # noqa: BLE001 - any parser bug becomes a failed document, not a dead worker
        conn.send(("error", f"erreur inattendue pendant l'extraction ({type(exc).__name__}: {exc})"[:300]))
    finally:
        conn.close()


Target = Callable[[str, str, Connection, str], None]


def _ready() -> None:
    """A child that does nothing: the fork server forks it only once its preload is imported."""


def _limited(target: Target, memory_bytes: int, path: str, ocr_language: str, conn: Connection, name: str) -> None:
    """Child entry point: cap the data segment, then run ``target``; a failed allocation is reported."""
    resource.setrlimit(resource.RLIMIT_DATA, (memory_bytes, memory_bytes))
    try:
        target(path, ocr_language, conn, name)
    except MemoryError:
        conn.send(("error", f"limite mémoire d'extraction dépassée ({memory_bytes // 2**20} Mio)"))


def _kill_tree(pid: int) -> None:
    try:
        proc = psutil.Process(pid)
        for p in [*proc.children(recursive=True), proc]:
            p.kill()
    except psutil.Error:
        pass


class ExtractionSandbox:
    """``run(path)`` returns an Extraction or raises ExtractionError with a French reason."""

    def __init__(self, timeout_s: float = 120.0, memory_mb: int = 1536, ocr_language: str = "fra",
                 target: Target = _child) -> None:
        """``target`` runs in the child; tests swap in misbehaving ones (hang, crash, balloon)."""
        self.target = target
        self.timeout_s = timeout_s
        self.memory_bytes = memory_mb * 1024 * 1024
        self.ocr_language = ocr_language

    def warm_up(self) -> None:
        """Start the fork server now, so its imports overlap with the caller's own warm-up."""
        _ctx()
        from multiprocessing import forkserver

        forkserver.ensure_running()

    def wait_ready(self, timeout_s: float = 120.0) -> None:
        """Return once the fork server has imported the parsers (it forks its first child only then):
        a worker that says it is ready must not make its first document wait seconds for them."""
        proc = _ctx().Process(target=_ready, daemon=True)
        proc.start()
        proc.join(timeout=timeout_s)

    def run(self, path: Path, name: str = "") -> Extraction:
        """``name``: the file's own name (``path`` is a stored copy without it), a hint for text formats."""
        ctx = _ctx()
        receiver, sender = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_limited, daemon=True,
                           args=(self.target, self.memory_bytes, str(path), self.ocr_language, sender, name))
        proc.start()
        sender.close()
        try:
            status, payload = self._wait(proc, receiver)
        finally:
            receiver.close()
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join()
        if status == "ok":
            return Extraction.model_validate_json(payload)
        if status == "crashed":
            raise ExtractionCrashed(payload)
        raise ExtractionError(payload)

    def _wait(self, proc: mp.process.BaseProcess, receiver: Connection) -> tuple[str, str]:
        if receiver.poll(self.timeout_s):
            try:
                return receiver.recv()
            except EOFError:  # the child died before sending: a crash, not a verdict on the file
                proc.join(timeout=5)
                return "crashed", crash_reason(proc.exitcode)
        if proc.pid is not None:
            _kill_tree(proc.pid)
        return "error", f"délai d'extraction dépassé ({self.timeout_s:g} s)"


def crash_reason(exitcode: int | None) -> str:
    """A French account of how the extraction process ended without answering."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        if -exitcode == signal.SIGKILL:
            return f"extracteur tué par le système ({name} : mémoire de la machine épuisée ou arrêt forcé)"
        return f"l'extracteur s'est arrêté brutalement ({name})"
    return f"l'extracteur s'est arrêté brutalement (code {exitcode})"
