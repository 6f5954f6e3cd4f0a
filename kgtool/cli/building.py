"""Wires the commands that make the project's files: build (data/*.ttl, the dataset description,
the summaries, the profiles and the on-disk store from data/sources/ and the corrections), ingest (one new
document joins the project, or its RDF is written elsewhere) and docs (the ontology's page).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from tqdm import tqdm

from kgtool.cli.common import executor_option, progress, relative, write_description
from kgtool.settings import project_root


@click.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any committed data/*.ttl, or the dataset description, is stale.")
@click.option(
    "--store",
    "with_store",
    is_flag=True,
    help="Also write the on-disk store data/.store/ (kept up to date by later builds), "
    "which query, serve and compare then open in a moment instead of loading the files.",
)
@executor_option("reading the sources")
@click.option(
    "--without-corrections",
    is_flag=True,
    help="Leave out the analysts' corrections (data/corrections/): what the reader alone reads. Needs --out.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Write DIR/data/<slug>.ttl instead, DIR made a folder shaped like the project (ontology/, shapes/, "
    "queries/, data/places.ttl copied), so that it can be scored, queried and validated on its own.",
)
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
        run_build(root, progress=progress("build"), executor=executor, corrections=not without_corrections, out=out)
        click.echo(f"wrote {out}/data/ ({'the reader alone' if without_corrections else 'with corrections'})", err=True)
        return
    if without_corrections:
        raise click.UsageError("--without-corrections writes elsewhere: give --out DIR (data/ keeps the corrections)")
    stale: list = []
    changed = run_build(root, check=check, progress=progress("build"), executor=executor, on_stale=stale.append)
    for item in stale:
        click.echo(f"kgtool: warning: {relative(item, root)}", err=True)
    stale.extend(_orphan_corrections(root))
    if stale:
        slugs = sorted(
            {item.correction.file.parent.name for item in stale if not isinstance(item, Path) and item.correction.file is not None}
        )
        reviews = f" ({', '.join(f'`kgtool review {slug}`' for slug in slugs)})" if slugs else ""
        click.echo(
            f"kgtool: warning: {len(stale)} correction(s) no longer apply and were left out: review them"
            f"{reviews}, then correct again or withdraw them (`kgtool correct SLUG withdraw KEY`)",
            err=True,
        )
    for path in changed:
        click.echo(f"{'stale' if check else 'wrote'}: {path.relative_to(root)}")
    for path in _write_summaries(root, check=check):  # before the store and the description, which hold them
        click.echo(f"{'stale' if check else 'wrote'}: {path.relative_to(root)}")
        changed.append(path)
    if not check and (with_store or (store_path(root) / MANIFEST).exists()):
        _write_store(root)
    described = write_description(root, check=check)
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
        click.echo(
            f"kgtool: warning: {folder.relative_to(root)}: target gone: no document {folder.name!r} in "
            "data/sources/ (remove the folder, or give the document back)",
            err=True,
        )
    return found


def _write_summaries(root: Path, *, check: bool) -> list[Path]:
    """Bring data/summaries/ (what each document adds to the library-wide counts) up to date with data/."""
    from kgtool.store.summaries import write_summaries

    return write_summaries(root, check=check, progress=progress("summaries"))


def _write_profiles(root: Path, *, check: bool) -> list[Path]:
    """Bring data/profiles/ (each document's comparison profile) up to date with data/ and the ontology."""
    from kgtool.compare.profiles import write_profiles

    return write_profiles(root, check=check, progress=progress("profiles"))


def _write_store(root: Path) -> None:
    """Bring data/.store/ up to date with ontology/ and data/, with a progress bar."""
    from kgtool.store.persist import ensure_store, store_path

    bar = None

    def advance(path: Path, done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc="store", unit="file", file=sys.stderr, disable=not sys.stderr.isatty() and total < 20)
        bar.update(1)

    store = ensure_store(root, progress=advance)
    if bar is not None:
        bar.close()
    where = store_path(root).relative_to(root)
    if store.built:
        triples = len(store.ox)
        click.echo(f"store: wrote {where} ({triples} triples in {store.build_seconds:.1f} s)", err=True)
    else:
        click.echo(f"store: {where} up to date", err=True)
    store.close()


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Write the RDF here instead of data/<slug>.ttl.")
@click.option("--slug", help="Document id (default: from the file name).")
@click.option("--encoding", help="Text encoding of FILE if not UTF-8, e.g. gb18030 (of a web page: instead of the charset it declares).")
@click.option("--force", is_flag=True, help="Replace a different document that has the same id.")
@click.option(
    "--explain",
    "explain",
    type=click.Choice(["text", "json"]),
    is_flag=False,
    flag_value="text",
    default=None,
    help="Also print, per provision, the holder read and why, each duty's types and the words "
    "that decided them, levels, frequencies and the sentences not made duties "
    "(--explain=json for JSON).",
)
def ingest(file: Path, out: Path | None, slug: str | None, encoding: str | None, force: bool, explain: str | None) -> None:
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
    if out is None:  # a document joined the project: its summary, and the dataset's description counts it too
        from kgtool.store.summaries import write_summary

        click.echo(f"wrote {write_summary(project_root(), target)}", err=report)
        described = write_description(project_root(), check=False)
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


@click.command()
@click.option(
    "--out", type=click.Path(path_type=Path), metavar="DIR", help="Write into DIR (created if missing) instead of the project's docs/."
)
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
