"""Every format's reader runs in a child process with the same time and memory limits.

Why a process: parsers of PDF, ZIP and HTML are large C and Python libraries fed files from
outside; a hostile file can make them loop, allocate without bound or crash. In a child with an
address-space limit (RLIMIT_AS) and a deadline, the worst a file can do is fail with one line,
and the caller's process (a build, the CLI) is untouched.

The child is forked from the caller, so it starts with everything imported and costs a fork,
not a Python start-up (`benchmarks/formats.py` measures it); not forkserver or spawn, which
import the caller's main script again in every child.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import resource
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TypeVar

from kgtool.errors import SourceError
from kgtool.settings import setting

T = TypeVar("T")
#: The exit status of a child that ran out of memory before it could say so.
OUT_OF_MEMORY = 86


def run_limited(read: Callable[..., T], *args: object, where: str, what: str, libraries: tuple[str, ...] = ()) -> T:
    """read(*args) in a child process under the time and memory limits of kgtool.settings.

    Args:
        read: a module-level function (it is named to the child, not pickled with its closure).
        where: the file, for messages.
        what: the format, for messages ("a PDF").
        libraries: modules the reader imports, imported here first: the child inherits them, so
            its memory limit is spent on the file, not on mapping a library's shared objects.

    Raises:
        SourceError: the reader's own error, or the file took too long, needed too much memory,
            or made the reader crash; each as one line naming the file.
    """
    for name in libraries:
        importlib.import_module(name)
    seconds = float(setting("reader_timeout_s"))
    megabytes = int(setting("reader_memory_mb"))
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, read, args, megabytes), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(seconds):
            child.kill()
            raise SourceError(
                f"reading {what} took longer than {seconds:g} s, so it was stopped",
                where=where,
                hint="a hostile or damaged file? raise KGTOOL_READER_TIMEOUT_S if it is a real document",
            )
        try:
            kind, value = receive.recv()
        except EOFError:
            child.join(5)
            if child.exitcode == OUT_OF_MEMORY:
                kind, value = "memory", None
            else:
                raise SourceError(
                    f"the reader of {what} crashed on this file (exit {child.exitcode})", where=where, hint="the file is probably damaged"
                ) from None
    finally:
        receive.close()
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join()
    if kind == "ok":
        return value
    if kind == "memory":
        raise SourceError(
            f"reading {what} needs more than {megabytes} MB of memory, so it was stopped",
            where=where,
            hint="a hostile or damaged file? raise KGTOOL_READER_MEMORY_MB if it is a real document",
        )
    message, hint = value
    raise SourceError(message, where=where, hint=hint)


def _child(send: Connection, read: Callable[..., object], args: tuple[object, ...], megabytes: int) -> None:
    """Set the memory limit (what this process has mapped, plus the budget), read, send the outcome;
    out of memory even for that, exit with OUT_OF_MEMORY, which the parent reads as the same."""
    mapped = _mapped_bytes()
    limit = mapped + megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        send.send(_outcome(read, args, mapped + 0.9 * megabytes * 1024 * 1024))
        send.close()
    except MemoryError:
        os._exit(OUT_OF_MEMORY)


def _outcome(read: Callable[..., object], args: tuple[object, ...], near_limit: float) -> tuple[str, object]:
    try:
        return ("ok", read(*args))
    except MemoryError:
        return ("memory", None)
    except SourceError as e:
        return ("error", (e.message, e.hint))
    except RecursionError:
        return ("error", ("nested too deeply to read (a hostile file?)", None))
    except Exception as e:  # noqa: BLE001  (a library's own failure on a damaged file: one line, not a traceback)
        if _caused_by_memory(e) or _mapped_bytes("VmPeak") >= near_limit:
            return ("memory", None)  # a library that wraps the MemoryError, or C code failing its own way
        said = " ".join(str(e).split())[:200]
        return ("error", (f"cannot be read: {type(e).__name__}: {said}", "the file is probably damaged"))


def _caused_by_memory(error: BaseException) -> bool:
    """Whether a MemoryError lies under a library's own exception (as its cause, context or argument)."""
    seen: set[int] = set()
    stack = [error]
    while stack:
        e = stack.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, MemoryError):
            return True
        stack.extend(x for x in (e.__cause__, e.__context__, *e.args) if isinstance(x, BaseException))
    return False


def _mapped_bytes(field: str = "VmSize") -> int:
    """This process's virtual memory size (VmSize: the base the limit is added to; VmPeak: the most
    it has had)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
