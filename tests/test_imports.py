"""No import circles among kgtool's modules (issue 16).

The import graph is read from the source with `ast`, without importing anything:

- every ``import`` and ``from … import`` counts, at module level *and* inside functions:
  an import moved into a function to dodge a circle still makes the two modules depend on
  each other, and it still runs (later, at a worse moment), so it is still a circle;
- imports under ``if TYPE_CHECKING:`` are not counted: they never run, they only feed the
  type checker;
- ``from pkg import name`` is an edge to ``pkg.name`` when that is a module of ours, else
  to ``pkg`` (the package's ``__init__``, where the name is defined);
- importing ``pkg.sub`` is an edge to ``pkg.sub`` only, not to ``pkg`` as well: Python runs
  a package's ``__init__`` before its submodules, but counting that would make every
  package that imports its own submodules a circle by construction;
- ``importlib.import_module`` with a computed name (the lazy attributes of
  ``kgtool/__init__.py``) is not seen.

A circle is reported as one concrete path per strongly connected component, with the file
and line of each import on it.
"""

from __future__ import annotations

import ast
import itertools
from collections import deque
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "kgtool"

#: Circles still present on purpose, by the set of modules involved, with the reason.
KNOWN_CIRCLES: dict[frozenset[str], str] = {}


def _module_names() -> dict[str, Path]:
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST):
    """Every import node, skipping the bodies of ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
            continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of ``name`` that is one of our modules."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def import_graph() -> dict[str, dict[str, int]]:
    """module -> {imported module of ours: line of the first such import}."""
    modules = _module_names()
    graph: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        edges: dict[str, int] = {}
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str | None] = []
            if isinstance(node, ast.Import):
                targets = [_known(alias.name, modules) for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    here = name.split(".") if is_package else name.split(".")[:-1]
                    here = here[: len(here) - (node.level - 1)]
                    base = ".".join(here + ([base] if base else []))
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    targets.append(full if full in modules else _known(base, modules))
            for target in targets:
                if target is not None and target != name:
                    edges.setdefault(target, node.lineno)
        graph[name] = edges
    return graph


def _components(graph: dict[str, dict[str, int]]) -> list[set[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[set[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def _cycle(graph: dict[str, dict[str, int]], component: set[str]) -> list[str]:
    """A shortest circle through the component's first module (breadth-first)."""
    start = min(component)
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph[node]):
            if child not in component:
                continue
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [start, *path[::-1][1:], start] if len(path) > 1 else [start, start]
            if child not in previous:
                previous[child] = node
                queue.append(child)
    raise AssertionError(f"no circle in {component}")


def _describe(graph: dict[str, dict[str, int]], cycle: list[str]) -> str:
    modules = _module_names()
    steps = []
    for a, b in itertools.pairwise(cycle):
        where = modules[a].relative_to(PACKAGE.parent)
        steps.append(f"  {a} -> {b}   ({where}:{graph[a][b]})")
    return " -> ".join(cycle) + "\n" + "\n".join(steps)


def test_the_graph_sees_module_and_function_level_imports():
    graph = import_graph()
    assert "kgtool.errors" in graph["kgtool.store.remote"]  # module level
    assert "kgtool.web.site" in graph["kgtool.web"]  # inside create_app
    assert "kgtool.web.i18n" in graph["kgtool.web.links"]  # `from kgtool.web import i18n`: the submodule


def test_no_import_circles():
    graph = import_graph()
    circles = []
    for component in _components(graph):
        if frozenset(component) in KNOWN_CIRCLES:
            continue
        circles.append(_describe(graph, _cycle(graph, component)))
    assert not circles, "import circles among kgtool modules:\n" + "\n".join(circles)


def test_known_circles_are_still_there():
    """A known exception that has gone must leave the list, so it cannot hide a new one."""
    components = {frozenset(c) for c in _components(import_graph())}
    gone = [sorted(c) for c in KNOWN_CIRCLES if c not in components]
    assert not gone, f"no longer circles, remove from KNOWN_CIRCLES: {gone}"


#: The stages of the data flow (docs/architecture.md), lowest first: a module may import its own
#: stage and the stages below it, never one above, and the question stages (query, gaps,
#: compare, publish) not one another.
STAGES: tuple[tuple[str, ...], ...] = (
    ("kgtool.errors", "kgtool.settings", "kgtool.vocab", "kgtool.atomic", "kgtool.executor"),
    ("kgtool.read",),
    ("kgtool.build", "kgtool.corrections"),
    ("kgtool.store",),
    ("kgtool.render", "kgtool.labels"),
    ("kgtool.query", "kgtool.gaps", "kgtool.compare", "kgtool.publish"),
    ("kgtool.review",),
    ("kgtool.web",),
    ("kgtool.cli", "kgtool.notebook", "kgtool.__main__", "kgtool"),
)
_QUESTIONS = 5


def _stage(module: str) -> tuple[int, str]:
    """(rank, the stage's package or module) of a module: the longest prefix listed in STAGES."""
    best: tuple[int, str] | None = None
    for rank, names in enumerate(STAGES):
        for name in names:
            if (module == name or module.startswith(name + ".")) and (best is None or len(name) > len(best[1])):
                best = (rank, name)
    assert best is not None, f"{module} is in no stage of STAGES: add it"
    return best


def test_imports_run_down_the_stages():
    graph = import_graph()
    modules = _module_names()
    wrong = []
    for source, targets in graph.items():
        rank, stage = _stage(source)
        for target, line in targets.items():
            target_rank, target_stage = _stage(target)
            across = target_rank == rank == _QUESTIONS and target_stage != stage
            if target_rank > rank or across:
                where = modules[source].relative_to(PACKAGE.parent)
                wrong.append(f"  {source} ({stage}) imports {target} ({target_stage})   ({where}:{line})")
    assert not wrong, "imports that run up the stages or across:\n" + "\n".join(wrong)


def test_the_stage_check_sees_an_import_up_the_flow():
    assert _stage("kgtool.store.persist") == (3, "kgtool.store")
    assert _stage("kgtool") == (8, "kgtool")
    assert _stage("kgtool.read.holders")[0] < _stage("kgtool.gaps.jena")[0]
