"""The ontology's documentation (issue 17): every term on the page with its anchor, both
languages, the concept schemes and alignments pyLODE leaves out, /ontology with content
negotiation, `kgtool docs`, and docs/ontology.html kept current with ontology/.

The page is read back with html5lib (as a browser parses it), never searched as text, so that
an id must really be an element's id and a label really inside its heading.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import subprocess
import sys
from xml.etree.ElementTree import Element

import html5lib
import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kgtool.cli import cli
from kgtool.publish.ontology import PAGE, load_ontology, ontology_files, ontology_html, style_hashes
from kgtool.settings import project_root
from kgtool.vocab import ELI, ODRL, ORG, WSA

ROOT = project_root()
PROV = "http://www.w3.org/ns/prov#"
#: The standards the issue names, whose alignments must be visible.
STANDARDS = (str(ORG), str(ODRL), PROV, str(ELI))


# --- the page, made once ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def graph() -> Graph:
    return load_ontology(ontology_files(ROOT))


@pytest.fixture(scope="module")
def page(graph) -> str:
    return ontology_html(graph)


@pytest.fixture(scope="module")
def tree(page) -> Element:
    return html5lib.parse(page, namespaceHTMLElements=False)


@pytest.fixture(scope="module")
def ids(tree) -> dict[str, Element]:
    return {element.get("id"): element for element in tree.iter() if element.get("id") is not None}


def text(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())


def documented(tree: Element) -> dict[str, str]:
    """IRI -> id of the block documenting it (the block's first <code> is the term's IRI)."""
    found = {}
    for block in tree.iter("div"):
        if "entity" in (block.get("class") or "").split() and block.get("id"):
            first = next(block.iter("code"), None)
            if first is not None:
                found[text(first)] = block.get("id")
    return found


def terms(graph: Graph, *kinds) -> set[URIRef]:
    return {s for kind in kinds for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)}


# --- every term with its anchor -----------------------------------------------------------------
def test_every_class_property_and_concept_scheme_has_a_block_with_an_anchor(graph, tree):
    wanted = terms(graph, OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, SKOS.ConceptScheme)
    assert len(terms(graph, OWL.Class)) > 20 and len(terms(graph, SKOS.ConceptScheme)) == 6
    found = documented(tree)
    missing = sorted(str(term) for term in wanted if str(term) not in found)
    assert not missing, f"not documented on the page: {missing}"
    for term in wanted:
        if str(term).startswith(str(WSA)):
            assert found[str(term)] == str(term)[len(str(WSA)) :], term


def test_every_wsa_iri_of_the_ontology_resolves_to_its_anchor(graph, tree, ids):
    """https://w3id.org/wsa/ontology#Name, opened on the page, lands on the block about Name."""
    used = {str(t) for triple in graph for t in triple if isinstance(t, URIRef) and str(t).startswith(str(WSA))}
    used.discard(str(WSA))
    assert len(used) > 40
    found = documented(tree)
    wrong = sorted(iri for iri in used if found.get(iri) != iri[len(str(WSA)) :] or iri[len(str(WSA)) :] not in ids)
    assert not wrong, f"fragments that are not the anchor of their term: {wrong}"


def test_ids_are_unique_and_no_link_points_at_a_blank_node(tree):
    seen: dict[str, int] = {}
    for element in tree.iter():
        if element.get("id") is not None:
            seen[element.get("id")] = seen.get(element.get("id"), 0) + 1
    assert not [i for i, n in seen.items() if n > 1]
    assert "" not in seen  # pyLODE gave foaf:Agent an empty id
    hrefs = [a.get("href") for a in tree.iter("a")]
    internal = {h[1:] for h in hrefs if h and h.startswith("#")}
    assert not internal - set(seen), f"links to no anchor: {sorted(internal - set(seen))}"
    odd = [h for h in hrefs if h and not re.match(r"^(#|https?://|mailto:)", h)]
    assert not odd, f"links that are neither anchors nor web addresses (blank node ids?): {odd[:5]}"


def test_a_class_has_its_chinese_and_english_label_and_definition_each_in_its_language(ids, graph):
    block = ids["PolicyDocument"]
    heading = next(block.iter("h3"))
    spans = {span.get("lang"): text(span) for span in heading.iter("span") if span.get("lang")}
    assert spans == {"zh-Hans": "政策文件", "en": "Policy document"}
    for comment in graph.objects(WSA.PolicyDocument, RDFS.comment):
        tagged = [e for e in block.iter("p") if text(e) == str(comment)]
        assert [e.get("lang") for e in tagged] == [{"zh": "zh-Hans"}.get(comment.language, comment.language)]


def test_the_page_title_and_heading_name_the_ontology_in_both_languages(tree):
    assert text(next(tree.iter("title"))) == "安全生产党政同责、一岗双责本体 / Work-safety accountability ontology"
    heading = next(tree.iter("h1"))
    assert [span.get("lang") for span in heading.iter("span") if span.get("lang")] == ["zh-Hans", "en"]


# --- what pyLODE leaves out ----------------------------------------------------------------------
def test_every_concept_scheme_lists_its_concepts_with_both_labels(graph, ids):
    for scheme in terms(graph, SKOS.ConceptScheme):
        block = ids["scheme-" + str(scheme).rsplit("/", 1)[-1]]
        rows = {row.get("id"): row for row in block.iter("tr") if row.get("id")}
        concepts = set(graph.subjects(SKOS.inScheme, scheme))
        assert len(rows) == len(concepts) > 3, scheme
        for concept in concepts:
            row = rows[str(concept).replace(str(scheme) + "/", str(scheme).rsplit("/", 1)[-1] + ":")]
            for label in graph.objects(concept, SKOS.prefLabel):
                assert any(text(cell) == str(label) and cell.get("lang", "").startswith(label.language) for cell in row.iter("span")), (
                    concept,
                    label,
                )


def test_a_narrower_concept_follows_its_broader_one(ids):
    rows = [row.get("id") for row in ids["scheme-sanction"].iter("tr") if row.get("id")]
    assert rows.index("sanction:accountability") < rows.index("sanction:admonition")
    admonition = ids["sanction:admonition"]
    assert "depth-1" in next(admonition.iter("td")).get("class")


def test_alignments_to_org_odrl_prov_and_eli_are_shown(graph, ids):
    section = ids["alignments"]
    rows = [[text(cell) for cell in row.iter("td")] for row in section.iter("tr")]
    expected = []
    for prop in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, SKOS.closeMatch, SKOS.exactMatch):
        for s, o in graph.subject_objects(prop):
            if str(s).startswith(str(WSA)) and isinstance(o, URIRef) and str(o).startswith(STANDARDS):
                expected.append((s, prop, o))
    assert len(expected) > 10
    names = dict(graph.namespaces())
    prefix = {str(ns): p for p, ns in names.items()}

    def short(iri) -> str:
        ns = max((n for n in prefix if str(iri).startswith(n)), key=len)
        return f"{prefix[ns]}:{str(iri)[len(ns) :]}"

    for s, prop, o in expected:
        assert [short(s), short(prop), short(o)] in rows, (s, prop, o)
    assert ["", "used directly", "prov:wasDerivedFrom"] in rows  # PROV is reused as it is
    for block in ("align-org", "align-odrl", "align-prov", "align-eli"):
        assert block in ids


def test_a_terms_block_shows_its_close_matches_and_class_expressions(ids):
    body = text(ids["Body"])
    assert "Close Match" in body and "org:FormalOrganization" in body
    provision = text(ids["Provision"])
    assert "dcterms:isPartOf only ( wsa:PolicyDocument or wsa:Provision )" in provision
    assert "wsa:Post and ( wsa:hasDuty some ( wsa:Duty and ( wsa:frequency some wsa:FrequencyRequirement ) ) )" in text(
        ids["PostWithPeriodicDuty"]
    )
    # wsa:hasDuty's domain is (wsa:Post or wsa:Body): pyLODE alone lists it under neither
    for owner in ("Post", "Body"):
        assert "#hasDuty" in [a.get("href") for a in ids[owner].iter("a")], owner


def test_making_the_page_leaves_logging_as_it_was():
    """pyLODE 3.4.1 calls logging.basicConfig(level=DEBUG) on import, and logging.info() (which
    configures the root logger) while it works; kgtool undoes both."""
    code = (
        "import logging; from pathlib import Path; from kgtool.publish.ontology import pages; pages(Path('.')); "
        "root = logging.getLogger(); print(root.level, len(root.handlers))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(logging.WARNING), "0"]


def test_the_page_loads_nothing_from_elsewhere(tree, page):
    assert not [s for s in tree.iter("script") if s.get("src")]
    assert all(s.get("type") == "application/ld+json" for s in tree.iter("script"))  # data, never run
    for link in tree.iter("link"):
        assert (link.get("href") or "").startswith("data:"), link.attrib
    assert "@import" not in page and "url(http" not in page


def test_style_hashes_are_those_of_the_style_elements(tree, page):
    expected = [f"'sha256-{base64.b64encode(hashlib.sha256(s.text.encode()).digest()).decode()}'" for s in tree.iter("style")]
    assert style_hashes(page) == expected and len(expected) == 2


# --- docs/ontology.html ----------------------------------------------------------------------------
def test_the_committed_page_is_current_with_the_ontology(page):
    committed = ROOT / "docs" / PAGE
    assert committed.is_file(), "docs/ontology.html is missing: run `kgtool docs`"
    assert committed.read_bytes() == page.encode("utf-8"), (
        "docs/ontology.html is stale: ontology/ changed since it was written; run `kgtool docs`"
    )


def test_kgtool_docs_writes_the_page_and_checks_it(tmp_path, page):
    out = tmp_path / "site"
    run = CliRunner().invoke(cli, ["docs", "--out", str(out)])
    assert run.exit_code == 0, run.output
    assert run.stdout.splitlines() == [f"wrote {out / PAGE}"]
    assert (out / PAGE).read_bytes() == page.encode("utf-8")
    assert not [p for p in out.iterdir() if p.name != PAGE]  # no temporary file left behind
    assert CliRunner().invoke(cli, ["docs", "--out", str(out), "--check"]).exit_code == 0
    (out / PAGE).write_text("old", encoding="utf-8")
    stale = CliRunner().invoke(cli, ["docs", "--out", str(out), "--check"])
    assert stale.exit_code == 1 and f"stale: {out / PAGE}" in stale.stdout
    assert (out / PAGE).read_text(encoding="utf-8") == "old"  # --check writes nothing


@pytest.mark.parametrize("inside", [False, True])
def test_kgtool_docs_into_a_file_is_a_one_line_error(tmp_path, inside):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    run = CliRunner().invoke(cli, ["docs", "--out", str(blocker / "sub" if inside else blocker)])
    assert run.exit_code == 2
    assert run.stderr.splitlines() == [f"kgtool: error: --out: {blocker} is a file, not a folder (give a folder to write the pages into)"]
    assert blocker.read_text(encoding="utf-8") == "x"


# --- /ontology ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("accept", "query", "media", "fmt"),
    [
        ("text/turtle", "", "text/turtle", "turtle"),
        ("application/rdf+xml", "", "application/rdf+xml", "xml"),
        ("application/ld+json", "", "application/ld+json", "json-ld"),
        ("text/html;q=0.5, text/turtle", "", "text/turtle", "turtle"),
        (None, "?format=ttl", "text/turtle", "turtle"),
        ("text/html", "?format=rdf", "application/rdf+xml", "xml"),
        (None, "?format=jsonld", "application/ld+json", "json-ld"),
    ],
)
def test_ontology_serialisations_are_the_ontology_files(web_client, graph, accept, query, media, fmt):
    response = web_client.get("/ontology" + query, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.mimetype == media
    assert "Accept" in response.vary
    served = Graph().parse(data=response.data, format=fmt)
    assert len(served) == len(graph) and isomorphic(served, graph)


def test_ontology_page_is_html_by_default_with_a_csp_for_its_own_styles_only(web_client, ids):
    for headers in ({}, {"Accept": "*/*"}, {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}):
        response = web_client.get("/ontology", headers=headers)
        assert response.status_code == 200 and response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    csp = response.headers["Content-Security-Policy"]
    style_src = re.search(r"style-src ([^;]+)", csp).group(1).split()
    assert style_src == ["'self'", *style_hashes(body)] and "'unsafe-inline'" not in csp
    assert "script-src 'self';" in csp
    served = html5lib.parse(body, namespaceHTMLElements=False)
    nav = next(e for e in served.iter("nav") if e.get("id") == "site-nav")
    assert [a.get("href") for a in nav.iter("a")] == ["/", "/ontology?format=ttl", "/ontology?format=rdf", "/ontology?format=jsonld"]
    assert any(e.get("id") == "PolicyDocument" for e in served.iter("div"))


def test_an_accept_header_nothing_matches_is_406(web_client):
    response = web_client.get("/ontology", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "Accept" in response.vary
    assert web_client.get("/ontology?format=pdf").status_code == 400  # an unknown name, as on resource pages


def test_the_site_links_to_the_ontology_page(web_client):
    home = web_client.get("/?lang=en").get_data(as_text=True)
    assert 'id="footer-ontology"' in home and 'href="/ontology"' in home
    term = web_client.get("/ontology/Post?lang=en").get_data(as_text=True)
    assert 'href="/ontology#Post"' in term
