"""The Jena gap report split into document units, each one Java run with a bounded heap.

One Jena run over everything (`kgtool.gaps.jena.jena_validate`) holds the whole graph in one
Java heap: 2 GB at a million triples, 8 GB at 5.2 million. The shapes only look at a document's
own nodes plus the shared context (ontology/, places), which is what `kgtool.gaps.units`
relies on to split pySHACL's work; the same split serves Jena here:

- `kgtool.gaps.units.plan_units` groups the documents into units of about `UNIT_BYTES`
  of Turtle (larger than pySHACL's: each unit pays Java's start-up, a second or two), plus the
  context on its own;
- each unit is one task on an executor (`kgtool.executor`: local processes or Dask workers):
  its documents and the whole context written as N-Triples and validated by one Jena run with
  ``-Xmx`` of ``KGTOOL_JENA_UNIT_HEAP_MB``; of a document unit only the results whose focus node
  is one of its documents' own subjects are kept (the context's come from the context unit);
- the same checks as pySHACL's split decide whether it holds (`shape_limits`, `check_split`), and
  when a document reaches into another every document is validated in one unit, as there;
- findings are read in the worker (labels, documents and passages from the unit's own triples)
  and merged exactly as pySHACL's units are (`merge_outcomes`).

So the heap a run needs is set by the unit, not the corpus: with the default 1 GB heap, two
workers each running one unit at a time stay within a few GB whatever the corpus
(benchmarks/cluster.py measures it).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef

from kgtool.errors import KgtoolError
from kgtool.executor import Pool, Progress, gather, open_executor
from kgtool.gaps.findings import Report, read_findings
from kgtool.gaps.jena import StoreLookups, missing, shacl_validate
from kgtool.gaps.single import load_shapes
from kgtool.gaps.units import (
    Outcome,
    Unit,
    check_split,
    largest_first,
    merge_outcomes,
    plan_units,
    report_triples,
    shape_limits,
    shared_results,
    unsplit,
    whole_unit,
)
from kgtool.settings import setting
from kgtool.store.files import parse_turtle
from kgtool.vocab import SH

__all__ = ["UNIT_BYTES", "jena_unit_validate", "validate_unit"]

#: Turtle bytes per unit to aim for: about 250k triples, a few hundred MB of Jena heap, so a
#: 1 GB heap holds a unit with room to spare and Java's start-up is paid a few dozen times at 5M triples.
UNIT_BYTES = 24_000_000


def jena_unit_validate(
    root: Path, *, shapes_dir: Path, executor: str | None = None, workers: int | None = None, progress: Progress | None = None
) -> Report:
    """The gap report of `kgtool.gaps.jena.jena_validate` (the same findings), one Jena run per unit.

    Args:
        root: the project (ontology/ and data/); on a cluster the workers must see it at this path.
        shapes_dir: folder of SHACL shapes.
        executor: where the units run: None or "local" for local processes, or a Dask
            scheduler's address (`kgtool.executor`).
        workers: local processes (None: one per CPU); a cluster has its own.
        progress: called with (units done, units) as units finish.

    Raises:
        KgtoolError: if Jena is not installed here (local) or on a worker.
        ShapesError: if the shapes cannot be read or Jena fails (out of heap, say).
        ClusterError: if the cluster cannot be reached or loses a worker.
    """
    started = time.perf_counter()
    reason = missing()
    if reason and executor in (None, "local"):
        raise KgtoolError(f"Jena's SHACL engine is not available: {reason}", where="--engine", hint="install it, or use --engine pyshacl")
    shapes = load_shapes(Path(shapes_dir))
    limit, inverse = shape_limits(shapes)
    heap = int(setting("jena_unit_heap_mb"))
    with open_executor(executor, workers=workers, sees=(Path(root), Path(shapes_dir))) as pool:
        units, context = plan_units(Path(root), workers=pool.slots, unit_bytes=UNIT_BYTES)
        todo = [whole_unit(units, context)] if limit is not None else [*units, context]
        outcomes = _run(pool, todo, inverse, shapes_dir, heap, progress)
        notes = unsplit(outcomes)
        if notes:  # a document reaches into another: everything in one run
            outcomes = _run(pool, [whole_unit(units, context)], inverse, shapes_dir, heap, progress)
    return merge_outcomes(outcomes, shapes, started, notes=notes)


def _run(pool: Pool, units: list[Unit], inverse: frozenset[str], shapes_dir: Path, heap: int, progress: Progress | None) -> list[Outcome]:
    outcomes = gather(
        pool, validate_unit, [(u, inverse, str(shapes_dir), heap) for u in units], order=largest_first(units), progress=progress
    )
    for outcome in outcomes:
        if outcome.error is not None:
            raise KgtoolError(outcome.error[0], where=outcome.error[1])
    return outcomes


#: The context parsed once per worker process: (paths, their sizes and times) -> triples, subjects.
_CONTEXT: dict[tuple, tuple[list[ox.Triple], set]] = {}


def _context(paths: tuple[str, ...]) -> tuple[list[ox.Triple], set]:
    key = tuple((p, Path(p).stat().st_mtime_ns, Path(p).stat().st_size) for p in paths)
    if key not in _CONTEXT:
        _CONTEXT.clear()
        triples = [t for p in paths for t in parse_turtle(Path(p))]
        _CONTEXT[key] = (triples, {t.subject for t in triples})
    return _CONTEXT[key]


def validate_unit(unit: Unit, inverse: frozenset[str], shapes_dir: str, heap_mb: int) -> Outcome:
    """A task: one unit validated by one Jena run in this worker, its findings read here.

    Returns an `Outcome` with the split's breaks (and nothing validated) when a document of the
    unit reaches outside it, or with the error of a file that cannot be read.
    """
    reason = missing()
    if reason:
        raise KgtoolError(
            f"Jena's SHACL engine is not available on this worker: {reason}",
            where="--engine",
            hint="install it where the workers run, or use --engine pyshacl",
        )
    try:
        context, context_subjects = _context(unit.context)
        documents = [parse_turtle(Path(p)) for p in unit.documents]
    except KgtoolError as exc:  # parse_turtle's error names the file
        return Outcome((), (), (), (), error=(exc.message, exc.where or ""))
    shared: list[tuple[str, str]] = []
    if unit.keep == "documents":
        for triples in documents:
            breaks, described = check_split(triples, inverse, context_subjects)
            if breaks:
                return Outcome((), (), (), tuple(breaks))
            shared.extend(described.items())
    store = ox.Store()
    with tempfile.TemporaryDirectory(prefix="kgtool-jena-unit-") as tmp:
        work = Path(tmp)
        shapes = load_shapes(Path(shapes_dir))
        shapes.serialize(work / "shapes.ttl", format="turtle", encoding="utf-8")
        with (work / "data.nt").open("wb") as sink:
            for triples in (context, *documents):
                ox.serialize(triples, sink, format=ox.RdfFormat.N_TRIPLES)
                store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        report = shacl_validate(work / "shapes.ttl", work / "data.nt", workdir=work, java_options=(f"-Xmx{heap_mb}m",))
    own = {URIRef(t.subject.value) for triples in documents for t in triples if isinstance(t.subject, ox.NamedNode)}
    keep: list = [
        result
        for result in report.objects(None, SH.result)  # blank nodes, as Jena writes them
        if unit.keep == "all" or report.value(result, SH.focusNode) in own
    ]
    results = report_triples(report, keep)
    kept = Graph()
    for prefix, namespace in shapes.namespaces():  # paths are written with the shapes' prefixes, as jena_validate does
        kept.bind(prefix, namespace, override=False)
    for triple in results:
        kept.add(triple)
    for result in keep:
        kept.add((BNode(), SH.result, result))
    return Outcome(
        tuple(read_findings(kept, StoreLookups(store))),
        tuple(results),
        tuple(keep),
        (),
        shared=tuple(shared),
        shared_results=shared_results(report, keep, shared),
    )
