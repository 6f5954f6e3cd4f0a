"""The command line: one thin command per stage (parse, call the stage, render).

Exit codes: 0 ok; 1 validate found violations; 2 bad input or usage; 3 engine unreachable or
too slow; 130 interrupted (Ctrl-C).
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from tqdm import tqdm

from kgtool.errors import KgtoolError
from kgtool.settings import project_root

if TYPE_CHECKING:
    from rdflib.term import Identifier

    from kgtool.query.saved import SavedQuery
    from kgtool.store import Result, Store


class Group(click.Group):
    """Turns a KgtoolError into one line on stderr and its exit code, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KgtoolError as e:
            click.echo(f"kgtool: error: {e}", err=True)
            ctx.exit(e.exit_code)
        except KeyboardInterrupt:
            # the stack has unwound (temporary files removed); a query thread still inside the
            # engine must not hold the exit up, so leave at once with the shell's code for SIGINT
            click.echo("kgtool: interrupted", err=True)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)


def _progress(label: str):
    def wrap(items):
        items = list(items)
        return tqdm(items, desc=label, unit="doc", file=sys.stderr, disable=not sys.stderr.isatty() and len(items) < 20)
    return wrap


class _Bar:
    """A progress callback (done, total) drawn as a tqdm bar on stderr once the total is known."""

    def __init__(self, label: str, unit: str):
        self.label, self.unit = label, unit
        self.bar: tqdm | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = tqdm(total=total, desc=self.label, unit=self.unit, file=sys.stderr,
                            disable=not sys.stderr.isatty() and total < 20)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def executor_option(what: str, more: str = ""):
    """--executor: where per-document work runs (`kgtool.executor`)."""
    return click.option("--executor", metavar="local|tcp://HOST:8786", default=None,
                        help=f"Where {what} runs: local processes (the default), or the workers of the Dask scheduler "
                             f"at tcp://HOST:8786, which must see this project at the same path.{more}")


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kgtool")
def cli() -> None:
    """kgtool: a knowledge graph of work-safety accountability (安全生产责任) in Chinese public bodies."""


@cli.command()
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 if any committed data/*.ttl, or the dataset description, is stale.")
@click.option("--store", "with_store", is_flag=True,
              help="Also write the on-disk store data/.store/ (kept up to date by later builds), "
                   "which query, serve and compare then open in a moment instead of loading the files.")
@executor_option("reading the sources")
@click.option("--without-corrections", is_flag=True,
              help="Leave out the analysts' corrections (data/corrections/): what the reader alone reads. Needs --out.")
@click.option("--out", type=click.Path(path_type=Path), metavar="DIR",
              help="Write DIR/data/<slug>.ttl instead, DIR made a folder shaped like the project (ontology/, shapes/, "
                   "queries/, data/places.ttl copied), so that it can be scored, queried and validated on its own.")
def build(check: bool, with_store: bool, executor: str | None, without_corrections: bool, out: Path | None) -> None:
    """Regenerate data/<slug>.ttl from every file in data/sources/ (text, web page, DOCX, DOC/WPS,
    PDF), with the analysts' corrections of data/corrections/ applied, and the dataset's VoID + DCAT
    description data/dataset/void.ttl from them (`kgtool.publish.void`). Corrections that no longer
    apply are reported by file and line (and make --check fail)."""
    from kgtool.build import build as run_build
    from kgtool.build import project_copy
    from kgtool.store.persist import MANIFEST, store_path

    root = project_root()
    if out is not None:
        if check or with_store:
            raise click.UsageError("--out writes a separate folder: not with --check or --store")
        project_copy(root, out)
        run_build(root, progress=_progress("build"), executor=executor, corrections=not without_corrections, out=out)
        click.echo(f"wrote {out}/data/ ({'the reader alone' if without_corrections else 'with corrections'})", err=True)
        return
    if without_corrections:
        raise click.UsageError("--without-corrections writes elsewhere: give --out DIR (data/ keeps the corrections)")
    stale: list = []
    changed = run_build(root, check=check, progress=_progress("build"), executor=executor, on_stale=stale.append)
    for item in stale:
        click.echo(f"kgtool: warning: {_relative(item, root)}", err=True)
    stale.extend(_orphan_corrections(root))
    if stale:
        slugs = sorted({item.correction.file.parent.name for item in stale
                        if not isinstance(item, Path) and item.correction.file is not None})
        reviews = f" ({', '.join(f'`kgtool review {slug}`' for slug in slugs)})" if slugs else ""
        click.echo(f"kgtool: warning: {len(stale)} correction(s) no longer apply and were left out: review them"
                   f"{reviews}, then correct again or withdraw them (`kgtool correct SLUG withdraw KEY`)", err=True)
    for path in changed:
        click.echo(f"{'stale' if check else 'wrote'}: {path.relative_to(root)}")
    if not check and (with_store or (store_path(root) / MANIFEST).exists()):
        _write_store(root)
    described = _write_description(root, check=check)
    if described is not None:
        click.echo(f"{'stale' if check else 'wrote'}: {described.relative_to(root)}")
        changed.append(described)
    for path in _write_profiles(root, check=check):
        click.echo(f"{'stale' if check else 'wrote'}: {path.relative_to(root)}")
        changed.append(path)
    if check and changed:
        click.echo("kgtool: error: committed RDF is stale; run `kgtool build`", err=True)
        sys.exit(1)
    if check and stale:
        click.echo("kgtool: error: corrections no longer apply (above)", err=True)
        sys.exit(1)
    if not changed:
        click.echo("all data files up to date", err=True)


def _orphan_corrections(root: Path) -> list[Path]:
    """Corrections of documents that are gone from data/sources/: said, and counted as not applying."""
    from kgtool.build import slug_for, sources
    from kgtool.corrections.files import orphans

    found = orphans(root, {slug_for(p) for p in sources(root)})
    for folder in found:
        click.echo(f"kgtool: warning: {folder.relative_to(root)}: target gone: no document {folder.name!r} in "
                   "data/sources/ (remove the folder, or give the document back)", err=True)
    return found


def _relative(stale, root: Path) -> str:
    """A stale correction's report with its file relative to the project."""
    text = str(stale)
    return text.replace(f"{root}/", "", 1)


def _write_profiles(root: Path, *, check: bool) -> list[Path]:
    """Bring data/profiles/ (each document's comparison profile) up to date with data/ and the ontology."""
    from kgtool.compare.profiles import write_profiles

    return write_profiles(root, check=check, progress=_progress("profiles"))


def _write_description(root: Path, *, check: bool) -> Path | None:
    """Bring data/dataset/void.ttl up to date with ontology/ and data/ (with check, only say if it is not)."""
    from kgtool.publish.void import files_store, write_description

    store = files_store(root)
    try:
        return write_description(root, store, check=check)
    finally:
        store.close()


def _write_store(root: Path) -> None:
    """Bring data/.store/ up to date with ontology/ and data/, with a progress bar."""
    from kgtool.store.persist import ensure_store, store_path

    bar = None

    def progress(path: Path, done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc="store", unit="file", file=sys.stderr,
                       disable=not sys.stderr.isatty() and total < 20)
        bar.update(1)

    store = ensure_store(root, progress=progress)
    if bar is not None:
        bar.close()
    where = store_path(root).relative_to(root)
    if store.built:
        triples = len(store.ox)
        click.echo(f"store: wrote {where} ({triples} triples in {store.build_seconds:.1f} s)", err=True)
    else:
        click.echo(f"store: {where} up to date", err=True)
    store.close()


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Write the RDF here instead of data/<slug>.ttl.")
@click.option("--slug", help="Document id (default: from the file name).")
@click.option("--encoding", help="Text encoding of FILE if not UTF-8, e.g. gb18030 (of a web page: instead of "
                                 "the charset it declares).")
@click.option("--force", is_flag=True, help="Replace a different document that has the same id.")
@click.option("--explain", "explain", type=click.Choice(["text", "json"]), is_flag=False, flag_value="text", default=None,
              help="Also print, per provision, the holder read and why, each duty's types and the words "
                   "that decided them, levels, frequencies and the sentences not made duties "
                   "(--explain=json for JSON).")
def ingest(file: Path, out: Path | None, slug: str | None, encoding: str | None, force: bool,
           explain: str | None) -> None:
    """Read a new document of the same kind and write its RDF; report what was recognised.

    FILE is a text, a saved web page, a DOCX, a DOC or WPS (through LibreOffice) or a PDF with a
    text layer, told apart by its content. Without --out the document joins the project: FILE is
    kept as published in data/sources/<slug>.<format> (a text as UTF-8, data/sources/<slug>.txt) and
    its RDF written to data/<slug>.ttl, so `kgtool build` keeps it.
    With --out only the RDF is written, there, and the project is left as it was.
    """
    import json

    from kgtool.build import ingest as run_ingest
    from kgtool.query.counts import of_document

    built, target = run_ingest(file, project_root(), out=out, slug=slug, encoding=encoding, force=force)
    report = explain == "json"  # JSON alone on stdout, the report on stderr
    if explain == "json":
        click.echo(json.dumps(built.summary.explanation.as_json(), ensure_ascii=False, indent=1))
    elif explain == "text":
        click.echo(built.summary.explanation.render())
    click.echo(f"wrote {target} ({len(built.graph)} triples)", err=report)
    if out is None:  # a document joined the project: the dataset's description counts it too
        described = _write_description(project_root(), check=False)
        if described is not None:
            click.echo(f"wrote {described}", err=report)
        from kgtool.compare.profiles import write_profile

        profiled = write_profile(project_root(), target)  # and comparisons read its profile
        if profiled is not None:
            click.echo(f"wrote {profiled}", err=report)
    for key, value in of_document(project_root(), built.turtle).items():
        click.echo(f"  {key:12} {value}", err=report)
    if built.summary.unplaced:
        click.echo("could not place:", err=report)
        for line in built.summary.unplaced:
            click.echo(f"  {line}", err=report)


def endpoint_option(f):
    """--endpoint URL: query a remote SPARQL 1.1 endpoint instead of the embedded store."""
    return click.option("--endpoint", envvar="KGTOOL_ENDPOINT", metavar="URL",
                        help="SPARQL 1.1 endpoint to query (default: the embedded store; env KGTOOL_ENDPOINT).")(f)


def _store(endpoint: str | None):
    from kgtool.store import open_store

    if not endpoint:
        _note_stale_store(project_root())
    return open_store(endpoint=endpoint or "", root=project_root())


def _note_stale_store(root: Path) -> None:
    """Say why the next open takes a while: the on-disk store is rebuilt first."""
    from kgtool.store.persist import MANIFEST, store_is_current, store_path

    if (store_path(root) / MANIFEST).exists() and not store_is_current(root):
        click.echo("kgtool: ontology/ or data/ changed since data/.store was built: rebuilding it first", err=True)


def _emit(result: Result, fmt: str, store: Store | None = None) -> None:
    from kgtool import render

    if result.kind == "graph":
        rdf_fmt = {"table": "turtle", "json": "json-ld", "csv": "nt", "tsv": "nt"}.get(fmt, fmt)
        click.echo(render.graph(result.graph, rdf_fmt), nl=False)
    elif fmt in RDF_FORMATS:
        from kgtool.errors import QueryError

        raise QueryError(f"{fmt} is an RDF syntax, for CONSTRUCT and DESCRIBE results; a {result.kind.upper()} "
                         "query answers in table, csv, tsv, json or xml", where="--format")
    elif fmt == "table":
        from kgtool.labels import in_store

        labels = in_store(store, render.unnamed_iris(result)) if store is not None else None
        click.echo(render.table(result, columns=_terminal_columns(), labels=labels))
    else:
        click.echo(render.results(result, fmt), nl=False)
    if result.truncated:
        click.echo("kgtool: note: the result was cut at the row limit (KGTOOL_MAX_ROWS)", err=True)


def _terminal_columns() -> int | None:
    """How wide a table may be: $COLUMNS, else the terminal's width; None (no wrapping) when
    stdout is a file or a pipe, so that what is saved keeps one line per row."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def _answer(store: Store, saved: SavedQuery, bindings: dict[str, Identifier] | None) -> Result:
    """A saved query's answer, kept in the on-disk store for next time (`kgtool.query.answers`)."""
    from kgtool.query import run_query
    from kgtool.query.answers import answer
    from kgtool.settings import setting

    limit = int(setting("max_rows"))
    return answer(store, saved.sparql, bindings, limit,
                  run=lambda: run_query(store, saved.sparql, bindings=bindings, max_rows=limit))


RDF_FORMATS = ("turtle", "nt", "json-ld")
FORMATS = click.Choice(["table", "csv", "tsv", "json", "xml", *RDF_FORMATS])


@cli.command()
@click.option("--out", type=click.Path(path_type=Path), metavar="DIR",
              help="Write into DIR (created if missing) instead of the project's docs/.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a page in DIR is stale or missing.")
def docs(out: Path | None, check: bool) -> None:
    """Write the ontology's documentation, DIR/ontology.html: every class, property and concept scheme
    with its Chinese and English labels and definitions and its alignments (pyLODE's page, completed;
    the web app serves the same at /ontology)."""
    from kgtool.publish.ontology import stale_pages, write_pages

    root = project_root()
    folder = out if out is not None else root / "docs"

    def shown(path: Path) -> Path:
        return path.relative_to(root) if out is None else path

    if check:
        stale = stale_pages(root, folder)
        for path in stale:
            click.echo(f"stale: {shown(path)}")
        if stale:
            click.echo("kgtool: error: the documentation is stale; run `kgtool docs`", err=True)
            sys.exit(1)
        click.echo("documentation up to date", err=True)
        return
    for path in write_pages(root, folder):
        click.echo(f"wrote {shown(path)}")


@cli.command()
@endpoint_option
def stats(endpoint: str | None) -> None:
    """Counts per document: provisions, bodies, posts, duties, frequencies, persons, principles,
    sanctions, rewards, mitigations (defined in queries/document-statistics.rq, as everywhere)."""
    from rdflib import Literal

    from kgtool.query.counts import KINDS, by_document, counts_query
    from kgtool.store import Result
    from kgtool.vocab import local_name

    store = _store(endpoint)
    counted = by_document(_answer(store, counts_query(project_root()), None))
    if not counted:
        click.echo("kgtool: note: no documents to count: the graph has no wsa:PolicyDocument", err=True)
    rows = tuple((Literal(local_name(doc)), *(Literal(n[k]) for k in KINDS)) for doc, n in counted.items())
    _emit(Result(kind="select", variables=("document", *KINDS), rows=rows), "table")


@cli.command("queries")
def list_queries() -> None:
    """List the saved-query library (queries/*.rq): name=value is a parameter's default, [name] optional."""
    from kgtool.query.saved import library, synopsis

    for q in library(project_root() / "queries").values():
        params = " ".join(map(synopsis, q.params))
        click.echo(f"{q.name}  {q.title_zh} / {q.title_en}" + (f"  ({params})" if params else ""))


@cli.command()
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="K=V", help="Parameter value (repeatable).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@endpoint_option
def query(name: str, params: tuple[str, ...], fmt: str, endpoint: str | None) -> None:
    """Run the saved query NAME (`kgtool queries` lists them and their parameters).

    A parameter left out takes its default, if it has one (shown by `kgtool queries`, and said
    on stderr when used); an optional one left out means "all".
    """
    from kgtool.errors import QueryError
    from kgtool.query.saved import bind, defaults_taken, library

    queries = library(project_root() / "queries")
    if name not in queries:
        raise QueryError(f"no saved query {name!r}", hint="`kgtool queries` lists them")
    values = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise QueryError(f"{item!r} is not K=V", where="--param")
        values[key.strip()] = value.strip()
    store = _store(endpoint)
    saved = queries[name]
    bindings = bind(store, saved, values)
    for param in defaults_taken(saved, values):
        click.echo(f"kgtool: note: --param {param.name} not given: using its default {param.default}", err=True)
    _emit(_answer(store, saved, bindings), fmt, store)


@cli.command()
@click.argument("query_or_file")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@endpoint_option
def sparql(query_or_file: str, fmt: str, endpoint: str | None) -> None:
    """Run ad-hoc SPARQL (SELECT, ASK, CONSTRUCT, DESCRIBE) given as text, a file, or - for stdin.

    The usual prefixes (wsa:, org:, skos:, role: …) are predeclared.
    """
    from kgtool.errors import QueryError
    from kgtool.query import run_query

    if query_or_file == "-":
        text = sys.stdin.read()
    elif not any(c in query_or_file for c in "{ \n") and Path(query_or_file).suffix in (".rq", ".sparql", ".txt"):
        try:
            text = Path(query_or_file).read_text(encoding="utf-8")
        except OSError as e:
            raise QueryError(f"cannot read query file: {e.strerror}", where=query_or_file) from None
    else:
        text = query_or_file
    store = _store(endpoint)
    _emit(run_query(store, text), fmt, store)


@cli.command()
@click.option("--endpoint", required=True, envvar="KGTOOL_ENDPOINT", metavar="URL", help="SPARQL endpoint (query URL).")
@click.option("--graph-store", metavar="URL", help="Graph Store Protocol URL (default: derived from the endpoint).")
@click.option("--graph", metavar="IRI", help="Load everything into this one named graph.")
@click.option("--user", envvar="KGTOOL_ENDPOINT_USER", help="User name (env KGTOOL_ENDPOINT_USER).")
@click.option("--password", envvar="KGTOOL_ENDPOINT_PASSWORD", help="Password (env KGTOOL_ENDPOINT_PASSWORD).")
@click.option("--auth", "auth_scheme", type=click.Choice(["digest", "basic"]), default="digest", show_default=True)
def load(endpoint: str, graph_store: str | None, graph: str | None, user: str | None, password: str | None,
         auth_scheme: str) -> None:
    """Push ontology/ and data/ to a remote store (SPARQL 1.1 Graph Store HTTP Protocol)."""
    from rdflib import URIRef

    from kgtool.store import push

    def progress(iri, done, total, triples):
        click.echo(f"[{done}/{total}] {iri}: {triples} triples", err=True)

    counts = push(project_root(), endpoint, graph_store=graph_store, user=user, password=password,
                  auth_scheme=auth_scheme, graph=URIRef(graph) if graph else None, progress=progress)
    click.echo(f"loaded {sum(counts.values())} triples into {len(counts)} graph(s)")


@cli.command()
@click.option("--document", "documents", multiple=True, metavar="SLUG", help="Reason over these documents only (repeatable).")
@click.option("--limit", default=10, show_default=True, help="Members listed per inferred class.")
def reason(documents: tuple[str, ...], limit: int) -> None:
    """Check consistency with HermiT (owlready2) and list what it inferred, each class and member
    by its label, then its IRI; exit 1 if inconsistent."""
    from rdflib import Graph, URIRef

    from kgtool.errors import SourceError
    from kgtool.gaps.reasoning import reason as run_reason
    from kgtool.labels import in_graphs
    from kgtool.render import named

    root = project_root()
    files = sorted((root / "ontology").glob("*.ttl")) + sorted((root / "data").glob("*.ttl"))
    if documents:
        missing = [d for d in documents if not (root / "data" / f"{d}.ttl").exists()]
        if missing:
            raise SourceError(f"no such document: {', '.join(missing)}", where="--document")
        files = [f for f in files if f.parent.name == "ontology" or f.stem in documents or f.stem == "places"]
    graphs = [Graph().parse(f, format="turtle") for f in _progress("load")(files)]
    click.echo(f"reasoning over {sum(len(g) for g in graphs)} triples with HermiT…", err=True)
    result = run_reason(graphs)
    if not result.consistent:
        click.echo(f"INCONSISTENT: {result.explanation}")
        sys.exit(1)
    click.echo("consistent")
    shown = {URIRef(cls): [URIRef(m) for m in members[:limit]] for cls, members in result.inferred.items()}
    names = in_graphs(graphs, [*shown, *(m for members in shown.values() for m in members)])
    for (cls, members), total in zip(shown.items(), result.inferred.values()):
        click.echo(f"{named([cls], names)[0]}: {len(total)} inferred")
        for line in named(members, names):
            click.echo(f"  {line}")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ttl", "html"]), default="text", show_default=True)
@click.option("--severity", "severities", multiple=True, type=click.Choice(["Violation", "Warning", "Info"]),
              help="Show only these severities (repeatable; default all).")
@click.option("--out", type=click.Path(path_type=Path), help="Write the report here instead of stdout.")
@click.option("--engine", type=click.Choice(["auto", "jena", "pyshacl", "single"]), default="auto", show_default=True,
              help="jena: Apache Jena's SHACL engine (fastest on large corpora; needs Java); pyshacl: pySHACL per "
                   "document in parallel; single: one pySHACL run; auto: single for a small graph (under 1.5 MB "
                   "of Turtle), else jena if installed (pyshacl if Java fails), else pyshacl. Same findings.")
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="With --engine pyshacl, or with --executor local: processes (default: one per CPU; 0: in this process).")
@executor_option("the gap report, split into document units,",
                 " With --engine jena each unit is one Java run of KGTOOL_JENA_UNIT_HEAP_MB heap (1024).")
def validate(fmt: str, severities: tuple[str, ...], out: Path | None, engine: str, workers: int | None,
             executor: str | None) -> None:
    """Check integrity and accountability gaps with the SHACL shapes in shapes/; exit 1 on Violations."""
    from kgtool.atomic import write_atomic
    from kgtool.gaps import gap_report, render_report

    root = project_root()
    bar = _Bar("validate", "unit")
    try:
        report = gap_report(root, shapes_dir=root / "shapes", engine=engine, workers=workers, executor=executor,
                            progress=bar)
    finally:
        bar.close()
    for note in report.notes:
        click.echo(f"kgtool: note: {note}", err=True)
    text = render_report(report, fmt, severities=severities or None)
    if out:
        write_atomic(out, text.encode("utf-8"))
    else:
        click.echo(text, nl=not text.endswith("\n"))
    counts = {s: sum(1 for f in report.findings if f.severity == s) for s in ("Violation", "Warning", "Info")}
    click.echo(", ".join(f"{n} {s.lower()}{'s' if n != 1 else ''}" for s, n in counts.items())
               + f" in {report.seconds:.2f} s", err=True)
    if report.violations:
        sys.exit(1)


@cli.command()
@click.argument("jurisdictions", nargs=-1)
@click.option("--by", type=click.Choice(["roles", "labels", "frequency", "principles", "structure", "similarity"]),
              default="roles", show_default=True, help="Which comparison.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "html", "svg", "graphml"]),
              default="table", show_default=True)
@click.option("--diff", is_flag=True, help="Compare exactly two jurisdictions role by role.")
@click.option("--wording", is_flag=True, help="With --by frequency: one line per requirement with its source wording.")
@click.option("--top", type=int, metavar="K",
              help="With --by similarity: each jurisdiction's K nearest instead of every pair "
                   "(above 50 jurisdictions the 10 nearest are given unless K says otherwise).")
@click.option("--by-level", "level", type=click.Choice(["province", "city", "county", "town", "development_zone"]),
              help="One column per place of this level (every city, county or town), summing the chosen "
                   "documents within it; documents above that level are left out.")
@click.option("--out", type=click.Path(path_type=Path), help="Write to this file instead of stdout.")
@endpoint_option
def compare(jurisdictions: tuple[str, ...], by: str, fmt: str, diff: bool, wording: bool, top: int | None,
            level: str | None, out: Path | None, endpoint: str | None) -> None:
    """Compare duty structures across jurisdictions (document id, place id, or place name such as 无锡市).

    Default: every document, role x duty-type matrix as a table. On the embedded store documents
    are compared from their profiles in data/profiles/ (made again when missing or stale).
    """
    from kgtool.atomic import write_atomic
    from kgtool.compare import compare_command_output

    output = compare_command_output(_store(endpoint), list(jurisdictions), by=by, fmt=fmt, diff=diff, wording=wording,
                                    top=top, level=level, root=None if endpoint else project_root())
    data = output if isinstance(output, bytes) else output.encode("utf-8")
    if out:
        write_atomic(out, data)
    elif isinstance(output, bytes):
        sys.stdout.buffer.write(data)
    else:
        click.echo(output, nl=not output.endswith("\n"))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (0.0.0.0 exposes it).")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=16, show_default=True, type=int, help="Worker threads of the WSGI server.")
@endpoint_option
@click.option("--review", is_flag=True,
              help="Also let analysts correct documents from their pages (forms that write data/corrections/, as "
                   "`kgtool correct` does); only on 127.0.0.1 unless --token is given.")
@click.option("--token", envvar="KGTOOL_REVIEW_TOKEN", metavar="SECRET",
              help="With --review: the secret an analyst opens the site with once (?token=SECRET) before any form "
                   "is shown or taken; needed to review on another address (env KGTOOL_REVIEW_TOKEN).")
@click.option("--analyst", envvar="KGTOOL_ANALYST", metavar="NAME",
              help="With --review: the name the forms put in \"by\" unless the analyst types another (env KGTOOL_ANALYST).")
def serve(host: str, port: int, threads: int, endpoint: str | None, review: bool, token: str | None,
          analyst: str | None) -> None:
    """Serve the web browser and the read-only SPARQL endpoint (waitress); with --review, the
    review forms too (the public server has no route that writes)."""
    from kgtool.errors import KgtoolError
    from kgtool.web.serve import serve as run_serve

    if (token or analyst) and not review:
        raise click.UsageError("--token and --analyst go with --review")
    if not endpoint:
        _note_stale_store(project_root())
    config = {"REVIEW": True, "REVIEW_TOKEN": token, "ANALYST": analyst or ""} if review else None
    try:
        run_serve(host=host, port=port, endpoint=endpoint or None, root=project_root(), threads=threads,
                  config=config)
    except OSError as e:  # the port is taken, or the address is not this machine's
        raise KgtoolError(f"cannot listen on {host}:{port}: {e.strerror}", where="--port",
                          hint="choose another --port, or stop what is using it") from None


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["nq", "ttl", "jsonld"]), default=None,
              help="nq: N-Quads, each statement in its named graph; ttl (Turtle) and jsonld (JSON-LD): the union "
                   "of the graphs. Default: what --out's name says (x.ttl.gz is Turtle), else nq.")
@click.option("--out", type=click.Path(path_type=Path), metavar="FILE",
              help="Write to FILE (atomically; gzip-compressed when FILE ends in .gz) instead of stdout.")
def export(fmt: str | None, out: Path | None) -> None:
    """Dump the whole graph (ontology/ and data/, as the store holds them) as N-Quads, Turtle or JSON-LD."""
    import errno

    from kgtool.publish.dumps import export as run_export
    from kgtool.publish.dumps import format_for, write
    from kgtool.store import EmbeddedStore

    chosen = format_for(out, fmt)
    store = _store(None)
    assert isinstance(store, EmbeddedStore)  # endpoint "" is always the embedded engine
    try:
        if out is None:
            write(store.ox, chosen, sys.stdout.buffer)
            sys.stdout.buffer.flush()
            return
        dump = run_export(store.ox, chosen, out)
        unit = "quads" if chosen.quads else "triples"
        click.echo(f"wrote {out} ({dump.statements} {unit}, {dump.size} bytes, sha256 {dump.sha256})", err=True)
    except OSError as e:
        if e.errno != errno.EPIPE:  # a reader that stopped early (| head) is no error of ours
            raise KgtoolError(f"cannot write: {e.strerror or e}", where=str(out or "stdout")) from None
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
    finally:
        store.close()


@cli.command()
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("--provision", metavar="ID", help="Only this provision (and those under it), e.g. a.s3.")
@click.option("--out", type=click.Path(path_type=Path), help="Write the review here instead of stdout.")
def review(slug: str, fmt: str, provision: str | None, out: Path | None) -> None:
    """Review what the reader read from document SLUG, provision by provision: the holders and what
    named them, each duty with its holders, types (and the words that decided them) and
    frequencies, the levels, the sentences not placed and the designations not resolved; and the
    corrections in force or no longer applying (+ put there by a correction, − taken away by one).
    Each resource is named as `kgtool correct` takes it (duty/a.s3.i4, post/main.principal_head)."""
    from kgtool.atomic import write_atomic
    from kgtool.review import render_review
    from kgtool.review import review as run_review

    text = render_review(run_review(project_root(), slug), fmt, provision=provision)
    if out:
        write_atomic(out, text.encode("utf-8"))
        click.echo(f"wrote {out}", err=True)
    else:
        click.echo(text)


def _correction_options(f):
    """What every correction says besides its kind's fields: where it rests, who, why."""
    for option in reversed((
        click.option("--why", required=True, help="Why: the reason, for the next analyst (quote the text)."),
        click.option("--by", envvar="KGTOOL_ANALYST", metavar="NAME",
                     help="Who makes the correction (env KGTOOL_ANALYST)."),
        click.option("--passage", metavar="WORDS", help="The words of the text the correction rests on; they must stand "
                                                        "in the provision (and name it when --provision is not given)."),
        click.option("--provision", metavar="ID", help="The provision it rests on (default: the one whose text holds "
                                                       "--passage, else the one the duty was read from)."),
    )):
        f = option(f)
    return f


def _correct(kind: str, fields: dict, *, provision: str | None, passage: str | None, by: str | None, why: str) -> None:
    """Make a correction of the document the `correct` group was given, and say what was written."""
    from kgtool.review import make_correction

    if not by:
        raise click.UsageError("who is correcting? give --by NAME (or set KGTOOL_ANALYST)")
    root, slug = project_root(), _slug()
    made = make_correction(root, slug, kind, {k: v for k, v in fields.items() if v not in (None, (), [])},
                           by=by, why=why, passage=passage, provision=provision)
    click.echo(f"wrote {made.file.relative_to(root)} ({made.correction.id}, provision {made.correction.provision})")
    click.echo(f"wrote {made.data.relative_to(root)}")
    described = _write_description(root, check=False)
    if described is not None:
        click.echo(f"wrote {described.relative_to(root)}")
    for stale in made.stale:
        click.echo(f"kgtool: warning: {_relative(stale, root)}", err=True)


class _Slug:
    def __init__(self, slug: str) -> None:
        self.slug = slug


def _slug() -> str:
    """The document the `correct` group was given."""
    found = click.get_current_context().find_object(_Slug)
    assert found is not None  # every command of the group runs under it
    return found.slug


@cli.group()
@click.argument("slug")
@click.pass_context
def correct(ctx: click.Context, slug: str) -> None:
    """Correct what the reader read from document SLUG: merge, split, move, type, add, reject (and
    withdraw a correction). Each names the document's resources as `kgtool review SLUG` shows them,
    is checked (what it names is there, it changes something, the corrected graph keeps the
    integrity rules of shapes/integrity.ttl), written atomically to
    data/corrections/SLUG/<provision>.yaml with who, when and why, and data/SLUG.ttl is rebuilt."""
    ctx.obj = _Slug(slug)


@correct.command("merge")
@click.argument("post")
@click.argument("into")
@_correction_options
def correct_merge(post: str, into: str, **common) -> None:
    """POST and INTO are one office: POST's wordings, duties, levels and links go to INTO (posts or bodies)."""
    _correct("merge", {"post": post, "into": into}, **common)


@correct.command("split")
@click.argument("post")
@click.option("--label", required=True, help="The new post's name, as the text words it.")
@click.option("--role", help="Its role (default: POST's), e.g. business_deputy.")
@click.option("--body", "bodies", multiple=True, metavar="BODY", help="Its body (repeatable; default: POST's).")
@click.option("--duty", "duties", multiple=True, metavar="DUTY", help="A duty of POST the new post takes (repeatable).")
@click.option("--wording", "wordings", multiple=True, help="A wording of POST that names the new post (repeatable).")
@click.option("--level", "levels", multiple=True, help="A responsibility level of POST the new post takes (repeatable).")
@_correction_options
def correct_split(post: str, label: str, role: str | None, bodies: tuple, duties: tuple, wordings: tuple,
                  levels: tuple, **common) -> None:
    """POST is two offices: a new post takes the duties, wordings and levels named."""
    _correct("split", {"post": post, "label": label, "role": role, "bodies": list(bodies), "duties": list(duties),
                       "wordings": list(wordings), "levels": list(levels)}, **common)


@correct.command("move")
@click.argument("duties", nargs=-1, required=True)
@click.option("--to", "to", required=True, metavar="HOLDER", help="The post or body that holds the duties.")
@click.option("--from", "source", metavar="HOLDER", help="Move them from this holder only (default: from every holder).")
@_correction_options
def correct_move(duties: tuple, to: str, source: str | None, **common) -> None:
    """DUTIES go to another holder (from the one the reader gave them, or from none)."""
    _correct("move", {"duties": list(duties), "to": to, "from": source}, **common)


@correct.command("type")
@click.argument("duty")
@click.option("--add", "add", multiple=True, metavar="TYPE", help="A duty type to set, e.g. meeting (repeatable).")
@click.option("--remove", "remove", multiple=True, metavar="TYPE", help="A duty type to take away (repeatable).")
@_correction_options
def correct_type(duty: str, add: tuple, remove: tuple, **common) -> None:
    """Set or remove duty types of DUTY."""
    _correct("type", {"duty": duty, "add": list(add), "remove": list(remove)}, **common)


@correct.command("reject")
@click.argument("node", required=False)
@click.option("--statement", nargs=3, metavar="S P O", help='One statement: subject, predicate, object (a name, or a literal "…"@zh).')
@_correction_options
def correct_reject(node: str | None, statement: tuple[str, str, str] | None, **common) -> None:
    """NODE (a post, body, duty, frequency or person: all that is said of it), or one --statement, is not what the text says."""
    triple = dict(zip(("subject", "predicate", "object"), statement, strict=True)) if statement else None
    _correct("reject", {"node": node, "statement": triple}, **common)


@correct.command("withdraw")
@click.argument("key")
def correct_withdraw(key: str) -> None:
    """Take back the correction KEY (as `kgtool review` shows it) and rebuild the document without it."""
    from kgtool.review import withdraw

    root, slug = project_root(), _slug()
    file, data = withdraw(root, slug, key)
    click.echo(f"wrote {file.relative_to(root)}")
    click.echo(f"wrote {data.relative_to(root)}")
    described = _write_description(root, check=False)
    if described is not None:
        click.echo(f"wrote {described.relative_to(root)}")


@correct.group("add")
def correct_add() -> None:
    """Add what the reader missed: a post, duty, level, frequency, principle or sanction (with its passage)."""


@correct_add.command("post")
@click.option("--label", required=True, help="The post's name, as the text words it.")
@click.option("--role", required=True, help="Its role, e.g. department_head.")
@click.option("--body", "bodies", multiple=True, required=True, metavar="BODY", help="Its body (repeatable).")
@click.option("--level", help="Its responsibility level, e.g. first_responsible.")
@_correction_options
def add_post(label: str, role: str, bodies: tuple, level: str | None, **common) -> None:
    """A post the reader missed."""
    _correct("add", {"what": "post", "label": label, "role": role, "bodies": list(bodies), "level": level}, **common)


@correct_add.command("duty")
@click.option("--text", required=True, help="The duty as the provision words it (it must stand there).")
@click.option("--holder", metavar="HOLDER", help="The post or body that holds it.")
@click.option("--type", "types", multiple=True, metavar="TYPE", help="Its types (default: as the reader types the text).")
@_correction_options
def add_duty(text: str, holder: str | None, types: tuple, **common) -> None:
    """A duty the reader missed (typed and timed as the reader types and times a text, unless --type)."""
    _correct("add", {"what": "duty", "text": text, "holder": holder, "types": list(types)}, **common)


@correct_add.command("level")
@click.option("--post", required=True, metavar="POST")
@click.option("--level", required=True, help="e.g. first_responsible.")
@_correction_options
def add_level(post: str, level: str, **common) -> None:
    """A responsibility level the text gives a post (give --passage: the words that give it)."""
    _correct("add", {"what": "level", "post": post, "level": level}, **common)


@correct_add.command("frequency")
@click.option("--duty", required=True, metavar="DUTY")
@click.option("--period", required=True, help="P1M, P3M, P6M, P1Y or P3Y.")
@click.option("--min", "minimum", required=True, type=int, help="At least this many times a period.")
@click.option("--action", required=True, help="What is done, a duty type: meeting, inspection, reporting …")
@click.option("--wording", required=True, help="The words of the text that say it.")
@_correction_options
def add_frequency(duty: str, period: str, minimum: int, action: str, wording: str, **common) -> None:
    """How often a duty must be done, as the text says."""
    _correct("add", {"what": "frequency", "duty": duty, "period": period, "min": minimum, "action": action,
                     "wording": wording}, **common)


@correct_add.command("principle")
@click.argument("principle")
@_correction_options
def add_principle(principle: str, **common) -> None:
    """A principle the document invokes (give --passage: the words that invoke it)."""
    _correct("add", {"what": "principle", "principle": principle}, **common)


@correct_add.command("sanction")
@click.argument("sanction")
@_correction_options
def add_sanction(sanction: str, **common) -> None:
    """A sanction the document provides (give --passage: the words that provide it)."""
    _correct("add", {"what": "sanction", "sanction": sanction}, **common)
