"""Issue 18, "a newcomer's first hour": what a new user met in the README's tour and the smaller
surprises (item 4's tour query, item 7's list). Each test failed before its fix."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgtool.cli import cli
from sources import copy_project

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def kgtool(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env={"KGTOOL_HOME": str(ROOT), **(env or {})})


def readme_row(command: str) -> str:
    """The README's table row documenting `kgtool <command>`."""
    rows = [line for line in README.splitlines() if line.startswith(f"| `kgtool {command}")]
    assert len(rows) == 1, f"README has {len(rows)} rows for kgtool {command}"
    return rows[0]


# --- item 4: the tour's query shows what it is about -------------------------------------------


def test_the_tour_query_names_a_first_responsible_person():
    """The tour asked about 无锡市, whose document names none: one row with the post columns empty."""
    line = next(line for line in README.splitlines() if line.startswith("kgtool query first-responsible-persons"))
    args = line.split("#")[0].split()[1:]
    result = kgtool(*args, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and all(r["postLabel"] for r in rows), rows


# --- item 7: the smaller surprises ----------------------------------------------------------------


def test_a_parameter_left_to_its_default_is_said():
    """duties-mentioning-keyword with no keyword silently searched for 演练."""
    result = kgtool("query", "duties-mentioning-keyword", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "kgtool: note: --param keyword not given: using its default 演练" in result.stderr
    assert "keyword=演练" in kgtool("queries").stdout
    given = kgtool("query", "duties-mentioning-keyword", "-p", "keyword=隐患", "--format", "csv")
    assert given.exit_code == 0 and "default" not in given.stderr


def test_validate_header_and_summary_count_the_same_findings():
    """`validate --severity Warning` said "0 Info" at the top and "15 infos" at the bottom."""
    result = kgtool("validate", "--severity", "Warning")
    assert result.exit_code in (0, 1), result.output
    header = result.stdout.splitlines()[0]
    top = {s.lower(): int(n) for n, s in re.findall(r"(\d+) (Violation|Warning|Info)\b", header)}
    bottom = {s: int(n) for n, s in re.findall(r"(\d+) (violation|warning|info)s?\b", result.stderr.splitlines()[-1])}
    assert top == bottom and top["info"] > 0, (header, result.stderr)
    assert header.endswith("shown: Warning")


@pytest.mark.parametrize(
    "args, where",
    [
        (["--by", "roles"], "the roles comparison"),
        (["mianyang", "wuxi", "--diff"], "a diff"),
        (["--by", "frequency", "--format", "svg"], "an SVG chart"),
    ],
)
def test_wording_is_refused_where_it_would_change_nothing(args, where):
    """`compare --by roles --wording` silently ignored --wording."""
    result = kgtool("compare", *args, "--wording")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("kgtool: error: --wording: has no effect on " + where)
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_wording_still_works_with_the_frequency_table():
    result = kgtool("compare", "wuxi", "--by", "frequency", "--wording")
    assert result.exit_code == 0 and "每季度至少1次系统听取安全生产工作情况汇报" in result.stdout


@pytest.mark.parametrize("home, what", [("/nonexistent/kgtool-home", "is not a folder"), (None, "has no ontology/ or data/ folder")])
def test_a_kgtool_home_that_is_no_project_is_an_error(tmp_path, home, what):
    """`KGTOOL_HOME=/nonexistent kgtool stats` printed nothing and exited 0."""
    result = kgtool("stats", env={"KGTOOL_HOME": home or str(tmp_path)})
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("kgtool: error: KGTOOL_HOME: ") and what in result.stderr
    assert result.stdout == ""


def test_the_store_lock_is_not_left_untracked():
    """`build --store` leaves data/.store.lock (a flock'd file: removing it would race) for git to ignore."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    for path in ("data/.store.lock", "data/.store/MANIFEST", "data/.store.tmp-123/x"):
        done = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT)
        assert done.returncode == 0, f"git does not ignore {path}"


def test_readme_and_help_say_where_ingest_writes():
    """ingest without --out copies the text into data/sources/ and writes data/<slug>.ttl."""
    for text in (readme_row("ingest"), kgtool("ingest", "--help").stdout):
        flat = " ".join(text.split())
        assert "data/sources/<slug>.txt" in flat and "data/<slug>.ttl" in flat, text


def _long_options(command) -> set[str]:
    return {opt for param in command.params for opt in getattr(param, "opts", ()) if opt.startswith("--") and opt != "--help"}


def _sharing_endpoint() -> set[str]:
    """The commands README's paragraph "`query`, `sparql` … take `--endpoint URL`" names."""
    said = re.search(r"((?:`\w+`,? )+and `\w+`) take `--endpoint URL`", README)
    return set(re.findall(r"`(\w+)`", said.group(1))) if said else set()


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_readme_documents_every_option_of_every_command(name):
    """README omitted `reason --limit`, `compare --wording/--out` and `serve --threads`
    (--endpoint may be said once for all the commands that take it)."""
    row = readme_row(name)
    shared = {"--endpoint"} if name in _sharing_endpoint() else set()
    missing = {o for o in _long_options(cli.commands[name]) - shared if o not in row}
    assert not missing, f"README's row for kgtool {name} does not mention {sorted(missing)}"


def test_readme_and_help_agree_on_the_auto_engine():
    """README said auto picks single for a small graph; --help said jena if installed, else pyshacl."""
    help_text = " ".join(kgtool("validate", "--help").stdout.split())
    assert "auto: single for a small graph" in help_text
    assert "`auto` picks `single` for a small graph" in readme_row("validate")


# --- item 7: the web takes the names the CLI takes --------------------------------------------------


def _checked(page: str) -> set[str]:
    return set(re.findall(r'name="j" value="([^"]+)" checked', page))


@pytest.mark.parametrize(
    "query, chosen",
    [
        ("j=mianyang", {"mianyang-union-2020"}),
        ("j=无锡市&j=Benxi", {"wuxi-towns-2021", "benxi-hitech-2019"}),
        ("j=四川省", {"mianyang-union-2020", "bazhong-econ-2018"}),
        ("j=tongchuan-town-2022", {"tongchuan-town-2022"}),
    ],
)
def test_compare_page_takes_the_names_the_cli_takes(web_client, query, chosen):
    """`/compare?j=mianyang` answered 400 where `kgtool compare mianyang` works."""
    response = web_client.get(f"/compare?{query}&lang=en")
    assert response.status_code == 200
    assert _checked(response.get_data(as_text=True)) == chosen
    if "mianyang" in query:
        assert web_client.get(f"/compare/chart/frequency.svg?{query}").status_code == 200


def test_compare_page_names_what_it_does_not_know(web_client):
    response = web_client.get("/compare?j=nowhere&j=wuxi&lang=en")
    assert response.status_code == 400
    assert "nowhere" in response.get_data(as_text=True)


# --- item 7: a line added after a source's footer is read, and build --check sees it ---------------


def test_a_line_after_the_footer_is_read_and_makes_the_data_stale(tmp_path, monkeypatch):
    """无锡's web copy ends with page furniture (责编:司法局); a sentence added after it is text
    like any other: `build --check` reports the data stale, and `build` reads the sentence."""
    copy_project(tmp_path)
    monkeypatch.setenv("KGTOOL_HOME", str(tmp_path))
    source = tmp_path / "data" / "sources" / "wuxi-towns-2021.txt"
    added = "各镇(街道、园区)每月至少组织1次安全生产检查。"
    source.write_text(source.read_text(encoding="utf-8").rstrip("\n") + "\n" + added + "\n", encoding="utf-8")
    check = CliRunner().invoke(cli, ["build", "--check"])
    assert check.exit_code == 1 and "stale: data/wuxi-towns-2021.ttl" in check.output
    assert CliRunner().invoke(cli, ["build"]).exit_code == 0
    assert added in (tmp_path / "data" / "wuxi-towns-2021.ttl").read_text(encoding="utf-8")
