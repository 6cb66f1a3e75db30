"""What every ``phare`` command shares: the console, logging, signals, JSON output."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading

from rich.console import Console

#: messages for people go to stderr; stdout carries only what a command outputs (JSON, keys)
console = Console(stderr=True)


def setup_logging(verbose: bool = False) -> None:
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


def stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
