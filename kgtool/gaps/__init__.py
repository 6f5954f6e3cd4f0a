"""The gaps stage: SHACL shapes run over the graph, and what they find made readable.

It takes ontology/ + data/ under a project root and shapes/, and gives a `Report` of
`Finding`s: integrity failures (sh:Violation) and accountability gaps (sh:Warning, sh:Info).
Modules: `findings` (the report graph read back, sorted the same whatever the engine),
`single` (one pySHACL run, the reference), `per_document` (pySHACL per document in
parallel), `jena` (Apache Jena), `jena_units` (Jena per document unit), `report` (text, JSON, Turtle, HTML) and `reasoning`
(OWL reasoning with HermiT, for `kgtool reason`).

Which engine makes the report: the fastest one installed, all giving the same findings.

- ``jena``: Apache Jena's SHACL engine in one Java run (`kgtool.gaps.jena`), several times
  quicker than the others at a million triples; needs Java and Jena;
- ``pyshacl``: pySHACL per document in parallel processes (`kgtool.gaps.per_document`);
- ``single``: one pySHACL run over the whole graph (`kgtool.gaps.single`), the reference;
- ``auto``: ``single`` for a small graph (below `SMALL_BYTES` of Turtle, where starting Java
  or worker processes costs more than it saves), else ``jena`` when installed, else ``pyshacl``.

With ``--executor`` (local processes or a Dask cluster, `kgtool.executor`) ``jena`` runs per
document unit, each Java run with a bounded heap (`jena_units`), and ``pyshacl`` sends its
units there too.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from kgtool.errors import KgtoolError, ShapesError
from kgtool.executor import Progress, check_spec
from kgtool.gaps.findings import SEVERITIES, Finding, Report
from kgtool.gaps.report import FORMATS, render_report
from kgtool.gaps.single import load_data, load_shapes, validate
from kgtool.store.files import graph_files

__all__ = ["ENGINES", "FORMATS", "SEVERITIES", "Finding", "Report", "gap_report", "load_data", "load_shapes", "render_report", "validate"]

ENGINES = ("auto", "jena", "pyshacl", "single")
#: Measured here: the five documents (0.6 MB) take 1.2 s in one pySHACL run and 2 s through Jena;
#: ten generated jurisdictions (5.4 MB) take 11 s in one pySHACL run and 4 s through Jena.
SMALL_BYTES = 1_500_000


def gap_report(
    root: Path,
    *,
    shapes_dir: Path,
    engine: str = "auto",
    workers: int | None = None,
    executor: str | None = None,
    progress: Progress | None = None,
) -> Report:
    """The gap report of ontology/ + data/ under root with the shapes in shapes_dir.

    With an ``executor`` (`kgtool.executor`: "local" processes or a Dask scheduler's address)
    the work is split into document units run there: pySHACL's (``pyshacl``) or one Jena run
    each with a bounded heap (``jena``, `kgtool.gaps.jena_units`); ``auto`` then picks
    between those two. Without one, ``jena`` is one Java run over everything.

    Raises:
        KgtoolError: for an unknown engine, ``jena`` when it is not installed, or ``single``
            with an executor (it runs in this process only).
        ClusterError: the cluster cannot be reached or lost a worker.
    """
    from kgtool.gaps import jena, jena_units, per_document

    if engine not in ENGINES:
        raise KgtoolError(f"unknown engine {engine!r}", where="--engine", hint="one of " + ", ".join(ENGINES))
    check_spec(executor)
    if executor is not None and engine == "single":
        raise KgtoolError(
            "has no effect on --engine single (one pySHACL run in this process)",
            where="--executor",
            hint="use --engine pyshacl or jena to split the work",
        )
    chosen = engine == "auto"
    if chosen:
        size = sum(path.stat().st_size for paths in graph_files(Path(root)).values() for path in paths)
        small = size < SMALL_BYTES and executor is None
        engine = "single" if small else "jena" if jena.missing() is None else "pyshacl"
    if engine == "jena":
        try:
            if executor is not None:
                return jena_units.jena_unit_validate(
                    Path(root), shapes_dir=shapes_dir, executor=executor, workers=workers, progress=progress
                )
            return jena.jena_validate(Path(root), shapes_dir=shapes_dir)
        except ShapesError as exc:
            if not chosen:
                raise
            report = per_document.fast_validate(Path(root), shapes_dir=shapes_dir, workers=workers, executor=executor, progress=progress)
            # Java out of memory, say: the same findings, only slower
            return dataclasses.replace(report, notes=(f"Jena failed ({exc}); used pySHACL per document",))
    if engine == "single":
        return validate(load_data(Path(root)), shapes_dir=shapes_dir)
    return per_document.fast_validate(Path(root), shapes_dir=shapes_dir, workers=workers, executor=executor, progress=progress)
