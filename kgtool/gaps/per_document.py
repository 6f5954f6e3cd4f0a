"""The gap report of `kgtool.gaps.single`, with the same findings, in a fraction of the time.

pySHACL over the whole graph spends its time in Python, one focus node after another, so
it gets no faster on a bigger machine. The work splits by document instead
(`kgtool.gaps.units`: the plan, the split's checks and the merge, shared with Jena's units):

- each *unit* (a dozen documents or so, so that pySHACL's start-up cost is shared) is
  validated in a worker process (local, or a Dask worker: `kgtool.executor`) on a graph
  holding those documents plus what they reach of the *context* (ontology/ and every data
  file that holds no wsa:PolicyDocument, such as places.ttl), and keeps the findings whose
  focus node is one of its documents' subjects;
- the context alone is validated once more for the findings about its own nodes;
- findings are merged, de-duplicated and sorted exactly as `kgtool.gaps.single.validate` does;
- should the shapes or a document break the split, everything is validated as one unit.

Each worker builds an rdflib graph of its unit from pyoxigraph's parser (several times
quicker than rdflib's, same terms: a pyoxigraph *store* would canonicalise literals such as
"12.0" and "P12M", which changes what sh:in sees), and applies the pySHACL speed-ups of
`kgtool.gaps.tuning` in its own process (never in the caller's). Measured figures:
docs/performance.md.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from kgtool.errors import KgtoolError, ShapesError
from kgtool.executor import Pool, Progress, gather, open_executor
from kgtool.gaps.findings import Report, read_findings
from kgtool.gaps.single import load_shapes, new_graph, run_shapes
from kgtool.gaps.tuning import speedups
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
from kgtool.vocab import SH

__all__ = ["fast_validate"]


# ------------------------------------------------------------------------------- one unit

_WORKER: dict = {}


def _init_worker(shapes_dir: str) -> None:
    """In a worker process, before its first unit: read the shapes (again when they are other
    shapes) and apply the speed-ups for the process's life (a Dask worker's too: they change
    no finding, only leave out the result text nobody reads)."""
    if _WORKER.get("shapes_dir") == shapes_dir:
        return
    _WORKER["shapes"] = load_shapes(Path(shapes_dir))
    _WORKER["shapes_dir"] = shapes_dir
    if "speedups" not in _WORKER:
        _WORKER["speedups"] = speedups()
        _WORKER["speedups"].__enter__()


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class _Terms:
    """pyoxigraph terms as the rdflib terms rdflib's own Turtle parser would have made.

    Parsing with pyoxigraph and converting is several times quicker than rdflib's parser;
    literals keep their lexical form (a pyoxigraph *store* would canonicalise "12.0" to "12"
    and "P12M" to "P1Y", which changes what sh:in and sh:hasValue see). Blank nodes are
    fresh per file, as rdflib makes them."""

    def __init__(self) -> None:
        self.iris: dict[str, URIRef] = {}
        self.blanks: dict[str, BNode] = {}

    def __call__(self, term):
        if isinstance(term, ox.NamedNode):
            value = term.value
            iri = self.iris.get(value)
            if iri is None:
                iri = self.iris[value] = URIRef(value)
            return iri
        if isinstance(term, ox.Literal):
            if term.language:
                return Literal(term.value, lang=term.language)
            datatype = term.datatype.value
            if datatype == _XSD_STRING:
                return Literal(term.value)
            return Literal(term.value, datatype=self(term.datatype))
        if isinstance(term, ox.BlankNode):
            blank = self.blanks.get(term.value)
            if blank is None:
                blank = self.blanks[term.value] = BNode()
            return blank
        raise KgtoolError(f"unsupported RDF term {term!r}", hint="RDF-star triple terms are not supported")


def _parse(path: str) -> list:
    return list(ox.parse(path=path, format=ox.RdfFormat.TURTLE))


class _Context:
    """The context files, parsed once per worker, and what a unit's documents reach of them.

    A shape evaluated at a document's node only reads the context by following links out of
    the document (values of paths, rdf:type and rdfs:subClassOf* for classes and targets), so
    a unit gets the context triples reachable forwards from its documents' objects, in file
    order. Should a context triple use a predicate the shapes walk backwards (an inverse
    path), the whole context is loaded into every unit instead (``whole``)."""

    def __init__(self, paths: tuple[str, ...], inverse: frozenset[str]):
        self.triples: list[tuple] = []
        self.by_subject: dict = {}
        self.subjects: set = set()
        self.whole = False
        for path in paths:
            terms = _Terms()
            for t in _parse(path):
                if t.predicate.value in inverse:
                    self.whole = True
                self.subjects.add(t.subject)
                triple = (terms(t.subject), terms(t.predicate), terms(t.object))
                self.by_subject.setdefault(t.subject, []).append(len(self.triples))
                self.by_subject.setdefault(triple[0], self.by_subject[t.subject])
                self.triples.append(triple)

    def reached(self, documents: list[list]) -> list[tuple]:
        todo = [t.object for parsed in documents for t in parsed if not isinstance(t.object, ox.Literal) and t.object in self.subjects]
        todo += [t.predicate for parsed in documents for t in parsed if t.predicate in self.subjects]
        seen: set = set()
        picked: set[int] = set()
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for i in self.by_subject.get(node, ()):
                picked.add(i)
                obj = self.triples[i][2]
                if not isinstance(obj, Literal) and obj not in seen:
                    todo.append(obj)
        return [self.triples[i] for i in sorted(picked)]


def _context(paths: tuple[str, ...], inverse: frozenset[str]) -> _Context | Outcome:
    key = (paths, inverse)
    cached = _WORKER.get("context")
    if cached is not None and cached[0] == key:
        return cached[1]
    try:
        context = _Context(paths, inverse)
    except (SyntaxError, OSError, ValueError) as exc:
        return Outcome((), (), (), (), error=(f"cannot load: {exc}", str(getattr(exc, "filename", "") or paths)))
    _WORKER["context"] = (key, context)
    return context


def _validate_unit(unit: Unit, inverse: frozenset[str]) -> Outcome:
    """Validate one unit in this process (the speed-ups must be in force)."""
    shapes = _WORKER["shapes"]
    context = _context(unit.context, inverse)
    if isinstance(context, Outcome):
        return context
    graph = Graph()
    add = graph.add
    parsed_documents = []
    shared: list[tuple[str, str]] = []
    for path in unit.documents:
        try:
            parsed = _parse(path)
        except (SyntaxError, OSError, ValueError) as exc:
            return Outcome((), (), (), (), error=(f"cannot load: {exc}", path))
        if unit.keep == "documents":
            breaks, described = check_split(parsed, inverse, context.subjects)
            if breaks:
                return Outcome((), (), (), tuple(breaks))
            shared.extend(described.items())
        parsed_documents.append(parsed)
    # the context first (as load_data reads ontology/ before data/), only what the documents reach
    if unit.keep == "documents" and not context.whole:
        for triple in context.reached(parsed_documents):
            add(triple)
    else:
        for triple in context.triples:
            add(triple)
    own: set = set()
    for parsed in parsed_documents:
        terms = _Terms()
        for t in parsed:
            subject = terms(t.subject)
            own.add(subject)
            add((subject, terms(t.predicate), terms(t.object)))
    _, report = run_shapes(graph, shapes)
    keep = [
        result
        for result in report.objects(None, SH.result)
        if isinstance(result, BNode) and (unit.keep == "all" or report.value(result, SH.focusNode) in own)
    ]  # pySHACL's results are blank nodes
    triples = report_triples(report, keep)
    kept = new_graph()
    for triple in triples:
        kept.add(triple)
    for result in keep:
        kept.add((BNode(), SH.result, result))
    findings = tuple(read_findings(kept, graph))
    return Outcome(findings, tuple(triples), tuple(keep), (), shared=tuple(shared), shared_results=shared_results(report, keep, shared))


def _run_unit(unit: Unit, inverse: frozenset[str], shapes_dir: str) -> Outcome:
    """A task of `fast_validate` in a worker process (local, or a Dask worker)."""
    _init_worker(shapes_dir)
    return _validate_unit(unit, inverse)


# ------------------------------------------------------------------------------- the whole report


def fast_validate(
    source: Path | str | Sequence[Path | str],
    *,
    shapes_dir: Path,
    ontology_dir: Path | None = None,
    workers: int | None = None,
    executor: str | None = None,
    progress: Progress | None = None,
) -> Report:
    """The gap report of `kgtool.gaps.single.validate`, computed per document in parallel.

    Args:
        source: the project root (its ontology/*.ttl and data/*.ttl, as `kgtool validate`
            reads them), or a list of Turtle files making up the graph (ontology files
            included, or given as ontology_dir).
        shapes_dir: folder of SHACL shapes (shapes/).
        ontology_dir: with a list of files, a folder of ontology Turtle files to add.
        workers: local processes to use; None for one per CPU, 0 to run in this process (the
            pySHACL speed-ups are then applied only for the duration of the call).
        executor: where the units run (`kgtool.executor`): None or "local" for local
            processes, or a Dask scheduler's address, whose workers must see the files.
        progress: called with (units done, units) as units finish.

    Returns:
        A `Report` with the same findings as ``validate(load_data(root), shapes_dir=…)``,
        in the same order; ``seconds`` is the wall time of the whole call.

    Raises:
        ShapesError: if the shapes cannot be read or pySHACL rejects them.
        KgtoolError: if a data file cannot be read.
        ClusterError: if the cluster cannot be reached or loses a worker.
    """
    started = time.perf_counter()
    workers = (os.cpu_count() or 1) if workers is None else workers
    shapes = load_shapes(Path(shapes_dir))
    reason, inverse = shape_limits(shapes)
    root = _as_root(source, ontology_dir)
    try:
        if executor is None and workers <= 1:
            outcomes, notes = _plan_and_run(root.path, reason, inverse, shapes_dir, None, progress, workers=workers)
        else:
            with open_executor(executor, workers=workers, sees=(root.path, Path(shapes_dir))) as pool:
                outcomes, notes = _plan_and_run(root.path, reason, inverse, shapes_dir, pool, progress, workers=pool.slots)
    finally:
        root.cleanup()
    return merge_outcomes(outcomes, shapes, started, notes=notes)


def _plan_and_run(
    root: Path, reason: str | None, inverse: frozenset[str], shapes_dir: Path, pool: Pool | None, progress: Progress | None, *, workers: int
) -> tuple[list[Outcome], tuple[str, ...]]:
    """Plan the units, validate them, and validate everything as one unit should a document
    reach outside itself (with a note saying why)."""
    units, planned = plan_units(root, workers=max(1, workers))
    context_unit: Unit | None = planned
    if reason is not None:
        units, context_unit = [whole_unit(units, context_unit)], None
    outcomes = _run(units + ([context_unit] if context_unit else []), inverse, shapes_dir, pool, progress)
    for outcome in outcomes:
        if outcome.error is not None:
            raise KgtoolError(outcome.error[0], where=outcome.error[1])
    notes = unsplit(outcomes)
    if notes:  # some document reaches outside itself: validate everything together
        outcomes = _run([whole_unit(units, context_unit)], inverse, shapes_dir, pool, progress)
    return outcomes, notes


def _run(units: list[Unit], inverse: frozenset[str], shapes_dir: Path, pool: Pool | None, progress: Progress | None) -> list[Outcome]:
    if pool is None:
        saved = dict(_WORKER)
        try:
            _WORKER.clear()
            _WORKER["shapes"] = load_shapes(Path(shapes_dir))
            with speedups():
                return [_validate_unit(u, inverse) for u in units]
        except ShapesError:
            raise
        except Exception as exc:  # pySHACL's own errors
            raise ShapesError(f"pySHACL could not run the shapes: {exc}", where=str(shapes_dir)) from exc
        finally:
            _WORKER.clear()
            _WORKER.update(saved)
    try:
        return gather(pool, _run_unit, [(u, inverse, str(shapes_dir)) for u in units], order=largest_first(units), progress=progress)
    except KgtoolError:
        raise
    except Exception as exc:  # pySHACL's own errors, raised in a worker
        raise ShapesError(f"pySHACL could not run the shapes: {exc}", where=str(shapes_dir)) from exc


@dataclass
class _Root:
    path: Path
    scratch: Path | None = None

    def cleanup(self) -> None:
        if self.scratch is not None:
            import shutil

            shutil.rmtree(self.scratch, ignore_errors=True)


def _as_root(source: Path | str | Sequence[Path | str], ontology_dir: Path | None) -> _Root:
    """A project-shaped folder (ontology/ + data/) for the source: itself, or links to the files."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not (path / "data").is_dir() and not (path / "ontology").is_dir():
            raise KgtoolError(
                f"no ontology/ or data/ folder under {path}", where=str(path), hint="pass the project root, or a list of Turtle files"
            )
        if ontology_dir is not None and Path(ontology_dir).resolve() != (path / "ontology").resolve():
            raise KgtoolError("ontology_dir goes with a list of files, not with a project root")
        return _Root(path)
    import tempfile

    scratch = Path(tempfile.mkdtemp(prefix="kgtool-fastgaps-"))
    (scratch / "data").mkdir()
    (scratch / "ontology").mkdir()
    files = [Path(f) for f in source]
    if ontology_dir is not None:
        files += sorted(Path(ontology_dir).glob("*.ttl"))
    for i, path in enumerate(files):
        if not path.is_file():
            raise KgtoolError("no such file", where=str(path))
        folder = "ontology" if ontology_dir is not None and path.parent.resolve() == Path(ontology_dir).resolve() else "data"
        (scratch / folder / f"{i:05d}-{path.stem}.ttl").symlink_to(path.resolve())
    return _Root(scratch, scratch)


if __name__ == "__main__":  # pragma: no cover - a quick manual check
    import sys

    from kgtool.settings import project_root

    here = Path(sys.argv[1]) if len(sys.argv) > 1 else project_root()
    report = fast_validate(here, shapes_dir=here / "shapes")
    print(f"{len(report.findings)} findings ({report.violations} violations) in {report.seconds:.1f} s")
