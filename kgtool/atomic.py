"""Files that appear whole or not at all: written to a temp file beside the target, then renamed.

A killed build, export or docs run never leaves half a file where a reader would take it for
whole; the file keeps the permissions a plain write would give it (umask), and a target that
cannot be written is a one-line error naming it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from kgtool.errors import KgtoolError


@contextlib.contextmanager
def atomic_file(path: Path, *, make_folder: bool = False) -> Iterator[BinaryIO]:
    """A binary file to write into that appears at ``path`` only when the block ends without error.

    Raises:
        KgtoolError: ``path`` is a folder, or its folder is missing (unless ``make_folder``) or
            not writable.
    """
    if path.is_dir():
        raise KgtoolError("is a folder", where=str(path), hint="give a file name")
    try:
        if make_folder:
            path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise KgtoolError(
            f"cannot write here: {exc.strerror}", where=str(path), hint="choose a file in a folder that exists and is writable"
        ) from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes) -> None:
    """``data`` at ``path``, whole or not at all (the folder made if missing)."""
    with atomic_file(path, make_folder=True) as f:
        f.write(data)


def write_changed(folder: Path, files: Mapping[Path, bytes], pattern: str, *, check: bool = False) -> list[Path]:
    """Make the files of ``folder`` that match ``pattern`` exactly ``files`` (path in it -> bytes):
    those whose bytes differ written, each atomically, the others removed; with ``check``, nothing.

    Returns:
        The files written or removed (with check, those that would be).
    """
    changed = []
    for target, data in files.items():
        if target.exists() and target.read_bytes() == data:
            continue
        changed.append(target)
        if not check:
            write_atomic(target, data)
    for old in sorted(folder.glob(pattern)) if folder.is_dir() else []:
        if old not in files:
            changed.append(old)
            if not check:
                old.unlink()
    return changed
