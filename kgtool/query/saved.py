"""The saved-query library: queries/*.rq with a `#+` YAML header (the grlc convention).

A file stays plain SPARQL that runs in any editor; the header gives its zh/en title,
description and typed parameters. A parameter `x` binds the query's `?x`; values are
turned into RDF terms here, never spliced into the query text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import FOAF, RDFS, SKOS, XSD
from rdflib.term import Identifier

from kgtool.errors import QueryError
from kgtool.store import Store
from kgtool.store.textindex import index_for
from kgtool.vocab import PREFIXES

PARAM_TYPES = ("resource", "string", "integer", "decimal")


@dataclass(frozen=True, slots=True)
class Param:
    """A query parameter: bound to the query variable of the same name."""

    name: str
    type: str = "string"
    optional: bool = False
    default: str | None = None
    description: str = ""
    kind: str | None = None  # for resource: a class (wsa:Jurisdiction, skos:Concept) a label must name


@dataclass(frozen=True, slots=True)
class SavedQuery:
    """One saved query: metadata from its header and the SPARQL text."""

    name: str
    title_zh: str
    title_en: str
    description: str
    params: tuple[Param, ...]
    tags: tuple[str, ...]
    sparql: str
    path: Path


def parse_file(path: Path) -> SavedQuery:
    """Read one .rq file and its `#+` header.

    Raises:
        QueryError: if the header is not YAML or lacks a zh/en title, naming the file and line.
    """
    text = path.read_text(encoding="utf-8")
    header = [line[2:].removeprefix(" ") for line in text.splitlines() if line.startswith("#+")]
    try:
        meta = yaml.safe_load("\n".join(header)) or {}
    except yaml.YAMLError as e:
        line = getattr(getattr(e, "problem_mark", None), "line", -1) + 1
        raise QueryError(f"header is not valid YAML: {getattr(e, 'problem', e)}", where=f"{path}:{line}") from None
    title = meta.get("title")
    if not isinstance(title, dict) or not title.get("zh") or not title.get("en"):
        raise QueryError("header needs `title:` with `zh:` and `en:`", where=str(path))
    params = []
    for raw in meta.get("params") or []:
        param = Param(**{k: v for k, v in raw.items() if k in Param.__slots__})
        if param.type not in PARAM_TYPES:
            raise QueryError(
                f"parameter {param.name!r} has unknown type {param.type!r}", where=str(path), hint="use one of " + ", ".join(PARAM_TYPES)
            )
        if not re.search(rf"[?$]{re.escape(param.name)}\b", text):
            raise QueryError(f"parameter {param.name!r} is not a variable of the query", where=str(path))
        params.append(param)
    return SavedQuery(
        path.stem,
        str(title["zh"]),
        str(title["en"]),
        str(meta.get("description", "")).strip(),
        tuple(params),
        tuple(meta.get("tags") or ()),
        text,
        path,
    )


def library(folder: Path) -> dict[str, SavedQuery]:
    """Every saved query in a folder, by name."""
    return {q.name: q for q in map(parse_file, sorted(folder.glob("*.rq")))}


#: Properties whose values name a resource, for parameters given as a label.
_NAME_PREDICATES = tuple(str(p) for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel, FOAF.name))


def _unnamed(value: str, name: str) -> QueryError:
    return QueryError(
        f"nothing in the graph is called {value!r}",
        where=f"--param {name}",
        hint="give an IRI, a prefixed name such as role:safety_deputy, or an exact label",
    )


def _resource(store: Store, value: str, name: str, kind: str | None = None) -> URIRef:
    """An IRI, a prefixed name (role:party_secretary) or a label (无锡市, Wuxi) as an IRI.

    Labels match whole and ignoring case; with a kind, only resources of that class count.
    """
    if re.match(r"^[a-z][a-z0-9+.-]*://", value):
        return URIRef(value)
    m = re.match(r"^([A-Za-z][\w-]*):([\w./-]+)$", value)
    if m and m.group(1) in PREFIXES:
        return URIRef(PREFIXES[m.group(1)] + m.group(2))
    bindings: dict[str, Identifier] = {"value": Literal(value.lower())}
    typed = ""
    if kind:
        bindings["kind"] = _resource(store, kind, f"{name} (kind)")
        typed = "?x rdf:type/rdfs:subClassOf* ?kind . "
    index = index_for(store, build=False)
    if index is not None:  # whole-label matches from the index instead of a scan of every label
        named = {h.subject for h in index.search(value, predicates=_NAME_PREDICATES) if h.text.lower() == value.lower()}
        if not named:
            raise _unnamed(value, name)
        candidates = " ".join(URIRef(iri).n3() for iri in sorted(named))
        result = store.query(
            f"SELECT DISTINCT ?x WHERE {{ VALUES ?x {{ {candidates} }} {typed}}} ORDER BY ?x LIMIT 5",
            bindings={k: v for k, v in bindings.items() if k == "kind"},
        )
    else:
        result = store.query(
            "SELECT DISTINCT ?x WHERE { ?x ?p ?l . VALUES ?p { rdfs:label skos:prefLabel skos:altLabel foaf:name } "
            f"{typed}FILTER(LCASE(STR(?l)) = ?value) }} ORDER BY ?x LIMIT 5",
            bindings=bindings,
        )
    found = [row[0] for row in result.rows if isinstance(row[0], URIRef)]
    if not found:
        raise _unnamed(value, name)
    if len(found) > 1:
        raise QueryError(
            f"{value!r} names {len(found)} resources: " + ", ".join(map(str, found)),
            where=f"--param {name}",
            hint="give the IRI of the one you mean",
        )
    return found[0]


def defaults_taken(query: SavedQuery, values: dict[str, str]) -> list[Param]:
    """The parameters left out that take their default: worth saying, since the user gave no value."""
    return [p for p in query.params if p.name not in values and p.default not in (None, "")]


def synopsis(param: Param) -> str:
    """How `kgtool queries` shows a parameter: ``[name]`` optional, ``name=default`` defaulted.

    >>> synopsis(Param("keyword", default="演练")), synopsis(Param("jurisdiction", optional=True))
    ('keyword=演练', '[jurisdiction]')
    """
    shown = f"{param.name}={param.default}" if param.default not in (None, "") else param.name
    return f"[{shown}]" if param.optional else shown


def bind(store: Store, query: SavedQuery, values: dict[str, str]) -> dict[str, Identifier]:
    """Turn user-supplied strings into RDF terms for the query's parameters.

    Raises:
        QueryError: for an unknown or missing parameter, or a value of the wrong type.
    """
    known = {p.name: p for p in query.params}
    for name in values:
        if name not in known:
            raise QueryError(
                f"{query.name} has no parameter {name!r}", where=f"--param {name}", hint="parameters: " + (", ".join(known) or "none")
            )
    bound: dict[str, Identifier] = {}
    for param in query.params:
        value = values.get(param.name, param.default)
        if value in (None, ""):
            if not param.optional:
                raise QueryError(
                    f"{query.name} needs parameter {param.name!r}", where=f"--param {param.name}", hint=param.description or None
                )
            continue
        value = str(value)
        if param.type == "resource":
            bound[param.name] = _resource(store, value, param.name, param.kind)
        elif param.type == "integer":
            if not re.fullmatch(r"[+-]?\d+", value):
                raise QueryError(f"{value!r} is not an integer", where=f"--param {param.name}")
            bound[param.name] = Literal(int(value), datatype=XSD.integer)
        elif param.type == "decimal":
            try:
                bound[param.name] = Literal(Decimal(value), datatype=XSD.decimal)
            except InvalidOperation:
                raise QueryError(f"{value!r} is not a number", where=f"--param {param.name}") from None
        else:
            bound[param.name] = Literal(value)
    return bound
