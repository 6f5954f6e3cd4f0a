"""Which engine makes the gap report: the fastest one installed, all giving the same findings.

- ``jena``: Apache Jena's SHACL engine in one Java run (`kgtool.shacl_jena`), several times
  quicker than the others at a million triples; needs Java and Jena;
- ``pyshacl``: pySHACL per document in parallel processes (`kgtool.fastgaps`);
- ``single``: one pySHACL run over the whole graph (`kgtool.validate`), the reference;
- ``auto``: ``single`` for a small graph (below `SMALL_BYTES` of Turtle, where starting Java
  or worker processes costs more than it saves), else ``jena`` when installed, else ``pyshacl``.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from kgtool.errors import KgtoolError, ShapesError
from kgtool.validate import Report

ENGINES = ("auto", "jena", "pyshacl", "single")
#: Measured here: the five documents (0.6 MB) take 1.2 s in one pySHACL run and 2 s through Jena;
#: ten generated jurisdictions (5.4 MB) take 11 s in one pySHACL run and 4 s through Jena.
SMALL_BYTES = 1_500_000


def gap_report(root: Path, *, shapes_dir: Path, engine: str = "auto", workers: int | None = None) -> Report:
    """The gap report of ontology/ + data/ under root with the shapes in shapes_dir.

    Raises:
        KgtoolError: for an unknown engine, or ``jena`` when it is not installed.
    """
    from kgtool import fastgaps, shacl_jena, validate

    if engine not in ENGINES:
        raise KgtoolError(f"unknown engine {engine!r}", where="--engine", hint="one of " + ", ".join(ENGINES))
    chosen = engine == "auto"
    if chosen:
        from kgtool.store import graph_files

        size = sum(path.stat().st_size for paths in graph_files(Path(root)).values() for path in paths)
        engine = "single" if size < SMALL_BYTES else "jena" if shacl_jena.missing() is None else "pyshacl"
    if engine == "jena":
        try:
            return shacl_jena.jena_validate(Path(root), shapes_dir=shapes_dir)
        except ShapesError as exc:
            if not chosen:
                raise
            report = fastgaps.fast_validate(Path(root), shapes_dir=shapes_dir, workers=workers)
            # Java out of memory, say: the same findings, only slower
            return dataclasses.replace(report, notes=(f"Jena failed ({exc}); used pySHACL per document",))
    if engine == "single":
        return validate.validate(validate.load_data(Path(root)), shapes_dir=shapes_dir)
    return fastgaps.fast_validate(Path(root), shapes_dir=shapes_dir, workers=workers)
