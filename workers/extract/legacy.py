"""Legacy binary Office files (.doc, .ppt, .xls) through LibreOffice headless, when it is installed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from workers.extract.errors import ExtractionError

TARGET = {"doc": "docx", "ppt": "pptx", "xls": "xlsx", "rtf": "docx"}


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@contextmanager
def converted(path: Path, fmt: str, timeout_s: float = 110) -> Iterator[Path]:
    """Yield a modern copy of ``path`` (docx/pptx/xlsx) made by LibreOffice in a temporary folder."""
    exe = soffice()
    if exe is None:
        raise ExtractionError(
            f"format {fmt.upper()} ancien : LibreOffice est requis pour le lire et n'est pas installé")
    target = TARGET[fmt]
    with tempfile.TemporaryDirectory(prefix="phare-lo-") as tmp:
        source = Path(tmp) / f"document.{fmt}"
        shutil.copyfile(path, source)
        profile = Path(tmp) / "profile"
        try:
            proc = subprocess.run(
                [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                 "--convert-to", target, "--outdir", tmp, str(source)],
                capture_output=True, text=True, timeout=timeout_s, check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ExtractionError(f"LibreOffice n'a pas converti le fichier {fmt.upper()} à temps") from exc
        out = Path(tmp) / f"document.{target}"
        if proc.returncode != 0 or not out.exists():
            raise ExtractionError(f"fichier {fmt.upper()} illisible par LibreOffice ({proc.stderr.strip()[:200]})")
        yield out
