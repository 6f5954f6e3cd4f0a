"""Every `kgtool …` command the docs show runs as the docs say, on the five documents.

Which commands are examples (the rule):

- README.md and docs/*.md are read. An example is a line of a fenced code block (``sh``,
  ``bash``, ``console``, ``shell`` or no language) that starts with ``kgtool `` (after an optional
  ``$ `` and ``NAME=value`` environment settings), or an inline code span starting with
  ``kgtool `` in a Markdown table row (a line starting with ``|``). Inline code in prose is a
  mention ("a one-shot `kgtool query` …"), not an example.
- A synopsis is not an example: a command containing ``[``, ``…``, ``\\|`` or an upper-case
  placeholder word (FILE, NAME, URL, SLUG, K=V …) shows the usage and is not run.
- In a code block, what follows `` # `` is the example's comment; in a table, the rest of the
  row is. A ``> FILE`` redirection is dropped (the output is checked instead of written).

How each example runs: in a fresh process (``python -m kgtool``), with a time limit, from a
temporary working folder (so ``--out`` files land there). Commands that start a server
(``serve``) or push to one (``load``) are skipped. Commands that write into the project
(``build`` without ``--check``, ``ingest`` without ``--out``, ``correct``) run on a temporary copy of
ontology/, data/, queries/ and shapes/ (``KGTOOL_HOME``); all others on the project itself.

An example fails when:

- its output holds a Python traceback;
- it exits with a code other than 0 that its comment does not announce ("exit 1", "exits 1");
- its answer is empty (nothing printed at all, a table of "(0 rows)", or a CSV/TSV of a header
  alone) and its comment does not explain it ("no rows", "prints nothing", "empty answer").

The same command shown twice runs once (where it is first shown).

The saved queries' parameter descriptions give examples too ("a label such as 无锡市"): each
must name exactly one resource, and a label example must give rows.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from kgtool.errors import KgtoolError
from kgtool.query import run_query
from kgtool.query.saved import bind, library
from sources import copy_project

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TIMEOUT_S = 180
SHELL_FENCES = {"", "sh", "bash", "console", "shell"}
#: Copied for commands that write into the project.
PROJECT_PARTS = ("ontology", "data", "queries", "shapes")


@dataclass(frozen=True)
class Example:
    """One documented command: where it is, its words, and the doc's comment on it."""

    where: str  # README.md:28
    line: str  # the command as written
    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    comment: str

    @property
    def allowed_exits(self) -> set[int]:
        return {0, *(int(n) for n in re.findall(r"\bexits? (\d+)", self.comment))}

    @property
    def explains_empty(self) -> bool:
        return bool(re.search(r"\b(no rows|prints nothing|empty answer)\b", self.comment, re.I))

    @property
    def writes_project(self) -> bool:
        command = self.argv[0] if self.argv else ""
        return (
            (command == "build" and "--check" not in self.argv)
            or (command == "ingest" and "--out" not in self.argv)
            or command == "correct"
        )

    @property
    def skipped(self) -> str | None:
        command = self.argv[0] if self.argv else ""
        return {"serve": "starts a server", "load": "pushes to a remote store"}.get(command)


def is_synopsis(command: str) -> bool:
    """A usage line: optional parts, alternatives or placeholders, not something to run.

    >>> is_synopsis("kgtool query NAME [--param k=v …]"), is_synopsis("kgtool compare --by frequency")
    (True, False)
    >>> is_synopsis("kgtool load --endpoint URL"), is_synopsis("kgtool query x -p jurisdiction=无锡市")
    (True, False)
    >>> is_synopsis("kgtool build --executor tcp://HOST:8786")  # a placeholder host in an address
    True
    """
    words = command.split()
    return any(mark in command for mark in ("[", "…", "\\|")) or any(
        re.fullmatch(r"[A-Z][A-Z_]*(=[A-Z]+)?", w) or re.search(r"://[A-Z][A-Z_]*\b", w) for w in words[1:]
    )


def parse(command: str, comment: str, where: str) -> Example:
    """The argv after `kgtool`, the environment it sets, and its comment; redirections dropped."""
    words = shlex.split(re.sub(r"^\$\s+", "", command))
    env = []
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        name, _, value = words.pop(0).partition("=")
        env.append((name, value))
    assert words and words[0] == "kgtool", f"{where}: not a kgtool command: {command}"
    argv: list[str] = []
    rest = iter(words[1:])
    for word in rest:
        if word in (">", "2>", ">>"):
            next(rest, None)
        elif re.fullmatch(r"2?>>?\S+", word):
            continue
        else:
            assert word not in ("|", "<", "&&", ";"), f"{where}: shell syntax the docs test cannot run: {command}"
            argv.append(word)
    return Example(where, command, tuple(argv), tuple(env), comment)


def examples_in(path: Path) -> list[Example]:
    """The runnable `kgtool …` examples of one Markdown file (see the module docstring)."""
    found: list[Example] = []
    fence: str | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        where = f"{path.relative_to(ROOT)}:{number}"
        opening = re.match(r"^\s*```\s*(\w*)", line)
        if opening:
            fence = None if fence is not None else opening.group(1).lower()
            continue
        if fence is not None:
            if fence not in SHELL_FENCES:
                continue
            parts = re.split(r"\s+#\s", line, maxsplit=1)
            command, comment = parts[0].strip(), (parts[1] if len(parts) > 1 else "")
            if re.match(r"^(\$\s+)?([A-Z_][A-Z0-9_]*=\S*\s+)*kgtool\s", command + " ") and not is_synopsis(command):
                found.append(parse(command, comment, where))
        elif line.lstrip().startswith("|"):
            for span in re.findall(r"`([^`]+)`", line):
                if re.match(r"^kgtool\s", span + " ") and not is_synopsis(span):
                    found.append(parse(span, line, where))
    return found


def _first_of_each(examples: list[Example]) -> list[Example]:
    """A command shown in several places runs once: one run answers for all of them."""
    seen: dict[tuple, Example] = {}
    for e in examples:
        seen.setdefault((e.argv, e.env), e)
    return list(seen.values())


EXAMPLES = _first_of_each([e for path in DOCS for e in examples_in(path)])


def _project_copy(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project", PROJECT_PARTS)


def empty_answer(stdout: str, stderr: str) -> bool:
    """Nothing said at all, a table of no rows, or a CSV/TSV of its header alone.

    >>> empty_answer("", ""), empty_answer("a  b\\n(0 rows)\\n", ""), empty_answer("a,b\\n", "")
    (True, True, True)
    >>> empty_answer("", "all data files up to date"), empty_answer("a,b\\n1,2\\n", "")
    (False, False)
    """
    lines = stdout.strip().splitlines()
    if not lines:
        return not stderr.strip()
    if re.fullmatch(r"\(0 rows?\)", lines[-1].strip()):
        return True
    return len(lines) == 1 and bool(re.fullmatch(r"\w+([,\t]\w+)+", lines[0].strip()))


def run(example: Example, tmp_path: Path) -> subprocess.CompletedProcess:
    home = _project_copy(tmp_path) if example.writes_project else ROOT
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "KGTOOL_HOME": str(home), "PYTHONIOENCODING": "utf-8", **dict(example.env)}
    env.pop("KGTOOL_ENDPOINT", None)
    try:
        return subprocess.run(
            [sys.executable, "-m", "kgtool", *example.argv], cwd=work, env=env, capture_output=True, text=True, timeout=TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{example.where}: `{example.line}` ran past {TIMEOUT_S} s")


def test_the_docs_show_examples():
    """The rule finds the tour, the comparison examples and the query examples."""
    shown = {" ".join(e.argv[:1]) for e in EXAMPLES}
    assert {"build", "query", "validate", "compare", "serve", "stats", "queries"} <= shown, shown
    assert len(EXAMPLES) >= 15


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"{e.where} {' '.join(e.argv)}")
def test_documented_command_runs_as_documented(example: Example, tmp_path: Path):
    if example.skipped:
        pytest.skip(f"`{example.line}` {example.skipped}")
    done = run(example, tmp_path)
    said = f"{example.where}: `{example.line}`"
    assert "Traceback (most recent call last)" not in done.stderr + done.stdout, f"{said} crashed:\n{done.stderr}"
    assert done.returncode in example.allowed_exits, (
        f"{said} exited {done.returncode}, which the doc does not announce:\n{done.stderr[-2000:]}"
    )
    assert example.explains_empty or not empty_answer(done.stdout, done.stderr), (
        f"{said} gave an empty answer the doc does not explain:\n{done.stdout[-1000:]}{done.stderr[-1000:]}"
    )


# --- the saved queries' own examples ---------------------------------------------------------------


def _parameter_examples() -> list[tuple[str, str, str]]:
    """(query, parameter, value) for each "such as X" in a parameter's description."""
    out = []
    for query in library(ROOT / "queries").values():
        for param in query.params:
            for value in re.findall(r"such as ([^;,)…\s]+)", param.description):
                out.append((query.name, param.name, value))
    return out


@pytest.mark.parametrize("name, param, value", _parameter_examples(), ids=lambda v: str(v))
def test_documented_parameter_example_names_one_resource(store, name, param, value):
    """`duties-of-role -p role=分管安全生产负责人` once named two resources (the role and Bazhong's
    post of that name): a documented example must name one, and a label must give rows."""
    query = library(ROOT / "queries")[name]
    try:
        bindings = bind(store, query, {param: value})
    except KgtoolError as e:
        pytest.fail(f"queries/{name}.rq documents {param}={value}, which fails: {e}")
    result = run_query(store, query.sparql, bindings=bindings)
    is_label = not re.match(r"^[A-Za-z][\w-]*:", value) and next(p for p in query.params if p.name == param).type == "resource"
    if is_label and result.kind == "select":
        assert result.rows, f"queries/{name}.rq: {param}={value} gives no rows"
