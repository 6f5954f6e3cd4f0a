"""Wires the analysts' commands: review (what the reader read from one document, and the
corrections on it) and the correct group (merge, split, move, type, reject, withdraw, and add
post, duty, level, frequency, principle or sanction), each writing data/corrections/ and
rebuilding the document through `kgtool.review`.
"""

from __future__ import annotations

from pathlib import Path

import click

from kgtool.cli.common import relative, write_description
from kgtool.settings import project_root


@click.command()
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
    for option in reversed(
        (
            click.option("--why", required=True, help="Why: the reason, for the next analyst (quote the text)."),
            click.option("--by", envvar="KGTOOL_ANALYST", metavar="NAME", help="Who makes the correction (env KGTOOL_ANALYST)."),
            click.option(
                "--passage",
                metavar="WORDS",
                help="The words of the text the correction rests on; they must stand "
                "in the provision (and name it when --provision is not given).",
            ),
            click.option(
                "--provision",
                metavar="ID",
                help="The provision it rests on (default: the one whose text holds --passage, else the one the duty was read from).",
            ),
        )
    ):
        f = option(f)
    return f


def _correct(kind: str, fields: dict, *, provision: str | None, passage: str | None, by: str | None, why: str) -> None:
    """Make a correction of the document the `correct` group was given, and say what was written."""
    from kgtool.review import make_correction

    if not by:
        raise click.UsageError("who is correcting? give --by NAME (or set KGTOOL_ANALYST)")
    root, slug = project_root(), _slug()
    made = make_correction(
        root, slug, kind, {k: v for k, v in fields.items() if v not in (None, (), [])}, by=by, why=why, passage=passage, provision=provision
    )
    click.echo(f"wrote {made.file.relative_to(root)} ({made.correction.id}, provision {made.correction.provision})")
    click.echo(f"wrote {made.data.relative_to(root)}")
    described = write_description(root, check=False)
    if described is not None:
        click.echo(f"wrote {described.relative_to(root)}")
    for stale in made.stale:
        click.echo(f"kgtool: warning: {relative(stale, root)}", err=True)


class _Slug:
    def __init__(self, slug: str) -> None:
        self.slug = slug


def _slug() -> str:
    """The document the `correct` group was given."""
    found = click.get_current_context().find_object(_Slug)
    assert found is not None  # every command of the group runs under it
    return found.slug


@click.group()
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
def correct_split(post: str, label: str, role: str | None, bodies: tuple, duties: tuple, wordings: tuple, levels: tuple, **common) -> None:
    """POST is two offices: a new post takes the duties, wordings and levels named."""
    _correct(
        "split",
        {
            "post": post,
            "label": label,
            "role": role,
            "bodies": list(bodies),
            "duties": list(duties),
            "wordings": list(wordings),
            "levels": list(levels),
        },
        **common,
    )


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
    described = write_description(root, check=False)
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
    _correct("add", {"what": "frequency", "duty": duty, "period": period, "min": minimum, "action": action, "wording": wording}, **common)


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
