"""Where the project lives and the limits users may tune, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kgtool.errors import SourceError


@dataclass(frozen=True, slots=True)
class Setting:
    """A tunable limit with its default and a line of help for `kgtool --help` and the docs."""

    name: str
    default: float | int
    help: str


SETTINGS = (
    Setting("query_timeout_s", 10.0, "seconds a SPARQL query may run before it is stopped"),
    Setting("max_rows", 10000, "rows returned by a query before the result is cut (with a notice)"),
    Setting("page_rows", 1000, "rows on one page of a saved query's answer (CLI and web; the page says how many rows there are)"),
    Setting("max_body_bytes", 1_000_000, "largest request body the web endpoint accepts"),
    Setting("remote_timeout_s", 30.0, "seconds to wait for a remote SPARQL endpoint"),
    Setting("max_source_bytes", 10_000_000, "largest source file kgtool reads, in any format (a policy document is under 1 MB as text)"),
    Setting("max_unpacked_bytes", 200_000_000, "largest size a DOCX may unpack to (a zip bomb is refused before it is unpacked)"),
    Setting("reader_timeout_s", 60.0, "seconds a web page, DOCX, DOC/WPS or PDF may take to read (each reader runs in a child process)"),
    Setting("reader_memory_mb", 2048, "memory (MB) a reader's child process may take beyond what it starts with"),
    Setting("cluster_timeout_s", 10.0, "seconds to wait for a Dask scheduler (`--executor tcp://…`) to answer and have a worker"),
    Setting(
        "jena_unit_heap_mb",
        1024,
        "Java heap (MB) of each Jena run when the gap report is split into document units (`validate --engine jena --executor …`)",
    ),
)


def setting(name: str) -> float | int:
    """A setting's value: KGTOOL_<NAME> in the environment, else the default."""
    spec = next(s for s in SETTINGS if s.name == name)
    raw = os.environ.get(f"KGTOOL_{name.upper()}")
    return type(spec.default)(raw) if raw else spec.default


def project_root() -> Path:
    """The folder holding ontology/ and data/: $KGTOOL_HOME, else the checkout kgtool runs from.

    Raises:
        SourceError: if $KGTOOL_HOME names no project folder (a typo would otherwise read as an
            empty project: no documents, no findings, exit 0).
    """
    env = os.environ.get("KGTOOL_HOME")
    if env:
        root = Path(env).resolve()
        if not (root / "ontology").is_dir() and not (root / "data").is_dir():
            what = "has no ontology/ or data/ folder" if root.is_dir() else "is not a folder"
            raise SourceError(
                f"{env} {what}", where="KGTOOL_HOME", hint="point it at a kgtool project folder, or unset it to use this checkout"
            )
        return root
    here = Path(__file__).resolve().parent.parent
    return here if (here / "ontology").is_dir() else Path.cwd()
