"""The gap report through Apache Jena's SHACL engine, when Java and Jena are installed.

pySHACL evaluates shapes node by node in Python: about 400 s for a million triples on two
cores, and splitting the work per document (`kgtool.gaps.per_document`) gains at most the number of
cores. Jena's engine (Java) validates the same graph with the same shapes in well under a
minute and gives the same findings (tests/test_scale.py and tests/test_shapes_jena.py compare
every field on the real documents and on a generated corpus), so `kgtool validate` uses it
when it can and falls back to pySHACL otherwise.

Jena comes from Debian's ``libapache-jena-java`` (jars only, no scripts), which has two
packaging traps (see shared RECIPES.md), both handled here:

1. The shaded Xerces classes (package ``xerces.*``) look up their message bundles at
   ``xerces/...`` while jena-core holds them at ``org/apache/jena/ext/xerces/...``; without
   them the first datatype check dies with ``RuntimeException: internal error``. The bundles
   are copied to a ``xerces/`` tree in a scratch folder put first on the classpath.
2. ``-cp '/usr/share/java/*'`` brings in several slf4j bindings and dies; the jars Jena needs
   are listed explicitly, with exactly one binding (slf4j-simple).

The data is handed over as N-Triples written by pyoxigraph's parser, not its store, which
would rewrite literals such as "12.0" or "P12M" in canonical form and change what sh:in sees.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kgtool.errors import KgtoolError, ShapesError
from kgtool.gaps.findings import Report, finding_order, read_findings
from kgtool.gaps.single import load_shapes
from kgtool.store.files import graph_files, parse_turtle
from kgtool.store.terms import bound_from_ox, to_ox
from kgtool.vocab import SH

__all__ = ["StoreLookups", "jena_validate", "missing", "shacl_validate"]

#: The jars Jena's commands need, as globs in the Java folder; one slf4j binding only.
JAR_GLOBS = (
    "jena-*.jar",
    "commons-*.jar",
    "jackson-*.jar",
    "gson*.jar",
    "guava*.jar",
    "httpclient*.jar",
    "httpcore*.jar",
    "dexx*.jar",
    "jsonld-java*.jar",
    "titanium-json-ld*.jar",
    "jakarta.json-api*.jar",
    "protobuf*.jar",
    "thrift*.jar",
    "slf4j-api*.jar",
    "slf4j-simple*.jar",
)
_BUNDLE_PREFIX = "org/apache/jena/ext/"
#: Longest a Jena run may take (seconds): a 5M-triple corpus takes a few minutes.
TIMEOUT_S = 3600.0


def _java_dir() -> Path:
    """Where the jars are: Debian's /usr/share/java, or $KGTOOL_JAVA_DIR."""
    return Path(os.environ.get("KGTOOL_JAVA_DIR", "/usr/share/java"))


def missing() -> str | None:
    """Why Jena cannot run here, or None when it can.

    >>> missing() is None or "Jena" in missing() or "java" in missing()
    True
    """
    if shutil.which("java") is None:
        return "no `java` on PATH (Debian: default-jre-headless)"
    if not any(_java_dir().glob("jena-cmds*.jar")):
        return f"Apache Jena is not installed: no jena-cmds jar in {_java_dir()} (Debian: libapache-jena-java)"
    return None


def _jars() -> list[Path]:
    """The jars to put on the classpath, each once (Debian has versioned names and symlinks)."""
    seen: dict[Path, Path] = {}
    for pattern in JAR_GLOBS:
        for jar in sorted(_java_dir().glob(pattern)):
            seen.setdefault(jar.resolve(), jar)
    return list(seen.values())


def _xerces_bundles(into: Path) -> Path:
    """Copy the shaded Xerces message bundles to into/xerces/..., where the classes look for them."""
    for jar in sorted(_java_dir().glob("jena-core*.jar")):
        with zipfile.ZipFile(jar) as archive:
            for name in archive.namelist():
                if name.startswith(_BUNDLE_PREFIX + "xerces/") and name.endswith(".properties"):
                    target = into / name[len(_BUNDLE_PREFIX) :]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(archive.read(name))
        break
    return into


def _classpath(workdir: Path) -> str:
    bundles = _xerces_bundles(workdir / "xerces-bundles")
    return os.pathsep.join([str(bundles), *(str(j) for j in _jars())])


def shacl_validate(shapes: Path, data: Path, *, workdir: Path, timeout: float = TIMEOUT_S, java_options: Sequence[str] = ()) -> Graph:
    """Run Jena's `shacl validate` on two files and return its W3C validation report graph.

    The command exits 0 whether or not the data conforms: read sh:conforms from the report.
    ``java_options`` come after $KGTOOL_JAVA_OPTS, so they win (a unit's bounded heap).

    Raises:
        ShapesError: if Jena fails or runs out of time, with the end of its stderr.
    """
    # C1 only: a short run on a small machine spends more on C2 compilation than it saves.
    # $KGTOOL_JAVA_OPTS (e.g. -Xmx12g) for corpora beyond Java's default heap, a quarter of memory
    command = [
        "java",
        "-XX:TieredStopAtLevel=1",
        *shlex.split(os.environ.get("KGTOOL_JAVA_OPTS", "")),
        *java_options,
        "-cp",
        _classpath(workdir),
        "shacl.shacl",
        "validate",
        "--shapes",
        str(shapes),
        "--data",
        str(data),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise ShapesError(
            f"Jena's SHACL engine ran longer than {timeout:g} s", where=str(data), hint="run `kgtool validate --engine pyshacl`"
        ) from None
    if done.returncode != 0 and "java.lang.OutOfMemoryError" in done.stderr:
        heap = next((o for o in reversed(command) if o.startswith("-Xmx")), "Java's default")
        raise ShapesError(
            f"Jena's SHACL engine ran out of Java heap ({heap})",
            where=str(data),
            hint="give it more: KGTOOL_JAVA_OPTS=-Xmx…, or per document unit KGTOOL_JENA_UNIT_HEAP_MB",
        )
    if done.returncode != 0:
        raise ShapesError(
            f"Jena's SHACL engine failed (exit {done.returncode}): {done.stderr.strip()[-600:]}",
            where=str(data),
            hint="run `kgtool validate --engine pyshacl`",
        )
    report = Graph()
    report.parse(data=done.stdout, format="turtle")
    return report


class StoreLookups:
    """The few rdflib Graph calls the findings make (labels, documents, passages), answered by
    pyoxigraph: an rdflib graph of a million triples would take a minute to build."""

    def __init__(self, store: ox.Store):
        self.store = store

    def objects(self, subject, predicate) -> Iterator:
        if subject is None:
            return
        for quad in self.store.quads_for_pattern(to_ox(subject), to_ox(predicate), None, None):
            yield bound_from_ox(quad.object)

    def value(self, subject, predicate):
        return next(iter(self.objects(subject, predicate)), None)

    def __contains__(self, triple: tuple) -> bool:
        s, p, o = (to_ox(t) for t in triple)
        return next(iter(self.store.quads_for_pattern(s, p, o, None)), None) is not None


def _write_ntriples(root: Path, out: Path, store: ox.Store) -> None:
    """ontology/ and data/ as one N-Triples file for Jena, and into ``store`` for the lookups."""
    with out.open("wb") as sink:
        for paths in graph_files(root).values():
            for path in paths:
                triples = parse_turtle(path)
                ox.serialize(triples, sink, format=ox.RdfFormat.N_TRIPLES)
                store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)


def jena_validate(root: Path, *, shapes_dir: Path) -> Report:
    """The gap report of `kgtool.gaps.single.validate` over ontology/ + data/ under root, by Jena.

    Raises:
        KgtoolError: if Jena is not installed (`missing` says why).
        ShapesError: if the shapes cannot be read or Jena fails.
        SourceError: if a data file cannot be read.
    """
    reason = missing()
    if reason:
        raise KgtoolError(f"Jena's SHACL engine is not available: {reason}", where="--engine", hint="install it, or use --engine pyshacl")
    started = time.perf_counter()
    shapes = load_shapes(Path(shapes_dir))
    store = ox.Store()
    with tempfile.TemporaryDirectory(prefix="kgtool-jena-") as tmp:
        work = Path(tmp)
        shapes.serialize(work / "shapes.ttl", format="turtle", encoding="utf-8")
        _write_ntriples(Path(root), work / "data.nt", store)
        report = shacl_validate(work / "shapes.ttl", work / "data.nt", workdir=work)
    for prefix, namespace in shapes.namespaces():
        report.bind(prefix, namespace, override=False)
    findings = tuple(sorted(read_findings(report, StoreLookups(store)), key=finding_order))
    conforms = next(iter(report.objects(None, SH.result)), None) is None  # as pySHACL: any result at all
    return Report(conforms=conforms, findings=findings, report_graph=report, seconds=time.perf_counter() - started)
