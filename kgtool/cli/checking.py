"""Wires the commands that check the graph: validate (the SHACL gap report, its engine, workers
and executor; exit 1 on Violations) and reason (HermiT's consistency check and inferred
classes; exit 1 if inconsistent).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kgtool.cli.common import Bar, executor_option, progress
from kgtool.settings import project_root


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ttl", "html"]), default="text", show_default=True)
@click.option(
    "--severity",
    "severities",
    multiple=True,
    type=click.Choice(["Violation", "Warning", "Info"]),
    help="Show only these severities (repeatable; default all).",
)
@click.option("--out", type=click.Path(path_type=Path), help="Write the report here instead of stdout.")
@click.option(
    "--engine",
    type=click.Choice(["auto", "jena", "pyshacl", "single"]),
    default="auto",
    show_default=True,
    help="jena: Apache Jena's SHACL engine (fastest on large corpora; needs Java); pyshacl: pySHACL per "
    "document in parallel; single: one pySHACL run; auto: single for a small graph (under 1.5 MB "
    "of Turtle), else jena if installed (pyshacl if Java fails), else pyshacl. Same findings.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="With --engine pyshacl, or with --executor local: processes (default: one per CPU; 0: in this process).",
)
@executor_option(
    "the gap report, split into document units,", " With --engine jena each unit is one Java run of KGTOOL_JENA_UNIT_HEAP_MB heap (1024)."
)
def validate(fmt: str, severities: tuple[str, ...], out: Path | None, engine: str, workers: int | None, executor: str | None) -> None:
    """Check integrity and accountability gaps with the SHACL shapes in shapes/; exit 1 on Violations."""
    from kgtool.atomic import write_atomic
    from kgtool.gaps import gap_report, render_report

    root = project_root()
    bar = Bar("validate", "unit")
    try:
        report = gap_report(root, shapes_dir=root / "shapes", engine=engine, workers=workers, executor=executor, progress=bar)
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
    click.echo(", ".join(f"{n} {s.lower()}{'s' if n != 1 else ''}" for s, n in counts.items()) + f" in {report.seconds:.2f} s", err=True)
    if report.violations:
        sys.exit(1)


@click.command()
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
    graphs = [Graph().parse(f, format="turtle") for f in progress("load")(files)]
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
