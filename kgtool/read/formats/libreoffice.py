"""Word 97-2003 (.doc) and WPS documents -> DOCX, by LibreOffice headless, then read as DOCX.

Why LibreOffice: no Python library reads the binary Word format well; LibreOffice's import filter
is the one free implementation that keeps tables and numbering. Kingsoft WPS writes the same
binary streams, so one conversion serves both.

Each conversion starts its own LibreOffice with a private profile (two at once, or one beside a
user's open LibreOffice, would otherwise fight over the profile's lock), in its own process
group, killed with its children at the time limit; the converted DOCX then goes through the
DOCX reader and its limits.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from kgtool.errors import SourceError
from kgtool.settings import setting

#: The Debian package that provides LibreOffice without a desktop, named in the message when it is missing.
PACKAGE = "libreoffice-writer-nogui"


def soffice() -> str | None:
    """The LibreOffice program on PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_docx(data: bytes, where: str) -> bytes:
    """The DOCX LibreOffice saves a Word 97-2003 or WPS document as.

    Raises:
        SourceError: LibreOffice is missing, took longer than the limit, or could not convert.
    """
    program = soffice()
    if program is None:
        raise SourceError(
            "a Word 97-2003 (DOC) or WPS document needs LibreOffice to be read, and it is not installed",
            where=where,
            hint=f"apt-get install {PACKAGE}, or save the file as DOCX",
        )
    seconds = float(setting("reader_timeout_s"))
    with tempfile.TemporaryDirectory(prefix="kgtool-doc-") as tmp:
        source = Path(tmp) / "source.doc"
        source.write_bytes(data)
        profile = Path(tmp) / "profile"
        command = [
            program,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            tmp,
            str(source),
        ]
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, env={**os.environ, "HOME": tmp}
        )
        try:
            _, err = process.communicate(timeout=seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise SourceError(
                f"LibreOffice took longer than {seconds:g} s to convert the document, so it was stopped",
                where=where,
                hint="a damaged file? raise KGTOOL_READER_TIMEOUT_S if it is a real document",
            ) from None
        finally:
            _kill_group(process.pid)
        made = Path(tmp) / "source.docx"
        if process.returncode != 0 or not made.exists():
            said = err.decode("utf-8", "replace").strip().splitlines()
            raise SourceError(
                "LibreOffice could not convert the document" + (f": {said[-1][:160]}" if said else ""),
                where=where,
                hint="the file is damaged, or not a Word document",
            )
        return made.read_bytes()


def _kill_group(pid: int) -> None:
    """End whatever LibreOffice left running in its process group (soffice.bin outlives its launcher)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
