"""docs/architecture.md is a true and complete map of the code (issue 16).

- True: every path it names under ``kgtool/`` (a module, a package folder, a rules file), every
  ``rules/*.yaml``, ``queries/*.rq``, ``shapes/*.ttl`` and ``ontology/*.ttl`` exists (a glob must
  match at least one file), and every dotted name ``kgtool.x.y`` resolves: its longest prefix
  that is a module is imported and the rest are attributes of it (``kgtool.read.minting.mint_post``).
- Complete: every module of the package (each ``.py`` under ``kgtool/`` but ``__init__`` and
  ``__main__``) is named at least once, by its path (``kgtool/read/minting.py``) or its dotted
  name (``kgtool.read.minting``), so a new module cannot be added without a place on the map.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
TEXT = DOC.read_text(encoding="utf-8")

#: A path in the tree: under kgtool/ (any file or folder), or a rules, query, shape or ontology file.
PATH = re.compile(
    r"(?<![\w./-])("
    r"kgtool/(?:[\w*<>-]+/)*(?:[\w*<>-]+\.\w+)?"
    r"|(?:rules|queries|shapes|ontology)/[\w*-]+\.(?:yaml|rq|ttl)"
    r")"
)
#: A dotted name: kgtool.x, kgtool.x.y …
DOTTED = re.compile(r"(?<![\w./-])kgtool(?:\.[A-Za-z_]\w*)+")


def named_paths(text: str) -> set[str]:
    """The paths the text names, as written.

    >>> sorted(named_paths("see `kgtool/read/minting.py`, rules/x.yaml and queries/*.rq; kgtool/web/"))
    ['kgtool/read/minting.py', 'kgtool/web/', 'queries/*.rq', 'rules/x.yaml']
    >>> named_paths("data/sources/*.txt, ../shared/DESIGN.md, tests/test_imports.py")
    set()
    """
    return {m.group(1) for m in PATH.finditer(text)}


def named_dotted(text: str) -> set[str]:
    """The dotted names the text uses (a full stop ending a sentence is not part of one).

    >>> sorted(named_dotted("`kgtool.store.open_store` and kgtool.vocab. Not kgtool/vocab.py"))
    ['kgtool.store.open_store', 'kgtool.vocab']
    """
    return set(DOTTED.findall(text))


def in_tree(path: str) -> Path:
    """Where a named path lives: ``rules/`` is kgtool/read/rules/, the others are at the top."""
    return ROOT / ("kgtool/read/" + path if path.startswith("rules/") else path)


def exists(path: str) -> bool:
    if "<" in path:  # a placeholder such as kgtool/web/templates/<blueprint>/
        path = path[: path.index("<")]
    target = in_tree(path)
    if "*" in path:
        return any(target.parent.glob(target.name))
    return target.is_dir() if path.endswith("/") else target.is_file()


def resolves(dotted: str) -> bool:
    """The longest importable prefix is a module of ours and the rest are its attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        module = ".".join(parts[:cut])
        base = ROOT.joinpath(*parts[:cut])
        if not (base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()):
            continue
        obj = importlib.import_module(module)
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def package_modules() -> dict[str, tuple[str, str]]:
    """Every module of kgtool/: path -> (path, dotted name)."""
    out = {}
    for path in sorted((ROOT / "kgtool").rglob("*.py")):
        if path.stem in ("__init__", "__main__"):
            continue
        rel = path.relative_to(ROOT).as_posix()
        out[rel] = (rel, rel[: -len(".py")].replace("/", "."))
    return out


def test_the_doc_draws_the_flow():
    assert "```mermaid" in TEXT and "flowchart" in TEXT
    assert "## To change X, open Y" in TEXT


def test_the_doc_names_something():
    assert len(named_paths(TEXT)) >= 40 and len(named_dotted(TEXT)) >= 5


@pytest.mark.parametrize("path", sorted(named_paths(TEXT)))
def test_every_named_path_exists(path):
    assert exists(path), f"docs/architecture.md names {path}, which is not in the tree"


@pytest.mark.parametrize("dotted", sorted(named_dotted(TEXT)))
def test_every_dotted_name_resolves(dotted):
    assert resolves(dotted), f"docs/architecture.md names {dotted}, which does not import"


def test_every_module_is_on_the_map():
    paths, dotted = named_paths(TEXT), named_dotted(TEXT)
    missing = [
        rel
        for rel, (path, name) in package_modules().items()
        if path not in paths and not any(d == name or d.startswith(name + ".") for d in dotted)
    ]
    assert not missing, f"modules docs/architecture.md does not name (add each to its stage's table): {missing}"
