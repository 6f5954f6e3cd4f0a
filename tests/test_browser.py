"""The web app in a real headless Chromium (Debian's), as a person would click through it.

Needs `apt-get install chromium fonts-wqy-microhei` and `pip install playwright` (never
`playwright install`). Skipped when either is missing, unless CI is set: then it fails.
Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest

from kgtool.settings import project_root
from kgtool.web import create_app

try:
    from web_server import running
except ImportError:  # tests/ imported as a package
    from tests.web_server import running

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
#: Without the networking flags Chromium keeps trying to reach Google's services.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = project_root() / "test-artifacts" / "screenshots"
TIMEOUT_MS = 30_000


def _need(what: str) -> None:
    message = f"browser tests need {what}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI is set, so this is a failure, not a skip)")
    pytest.skip(message)


@pytest.fixture(scope="module")
def base_url():
    if not CHROMIUM.exists():
        _need("Debian's chromium: apt-get install -y chromium fonts-wqy-microhei")
    app = create_app({"ROOT": project_root(), "ENDPOINT": "", "SPARQL_WORKERS": 1})
    site = app.extensions["kgtool"]

    def warm():  # the gap report and the SPARQL worker take seconds: start them now
        with app.app_context():
            from kgtool.web.report import get_report

            site.runner.warm()
            get_report()

    threading.Thread(target=warm, daemon=True).start()
    with running(app) as url:
        yield url
    site.close()


@pytest.fixture(scope="module")
def chromium_browser(base_url):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need("Playwright for Python: pip install playwright")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# (Fixture names differ from pytest-playwright's `browser` and `page`, so that plugin, if
# installed, neither parametrizes nor launches anything here.)


@pytest.fixture()
def web_page(chromium_browser):
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on(
        "console",
        lambda msg: problems.append(f"console: {msg.text}") if msg.type == "error" or "Content Security Policy" in msg.text else None,
    )
    page.problems = problems
    yield page
    context.close()
    assert not problems, problems  # no script errors, no CSP violations


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def test_click_from_home_to_the_highlighted_source_passage(web_page, base_url):
    page = web_page
    page.goto(base_url + "/?lang=zh")
    shot(page, "01-home")
    page.click("a.doc-link:has-text('无锡市镇')")
    page.wait_for_url(re.compile(r"/id/wuxi-towns-2021$"))
    page.wait_for_selector("#orgchart[data-ready]")
    assert page.get_attribute("#orgchart", "data-ready") not in ("error", "0")
    assert page.locator("#orgchart canvas").count() > 0
    page.locator("#orgchart-panel").scroll_into_view_if_needed()
    shot(page, "02-document-orgchart")
    page.click("a.chip.post:has-text('行政主要负责人')")
    page.wait_for_url(re.compile(r"/post/"))
    assert page.inner_text("#resource-label") == "镇(街道、园区)行政主要负责人"  # as the title names it
    assert page.locator("#duties li.duty").count() == 12  # 二、职责内容 (一)–(十二)
    shot(page, "03-post")
    page.click("#duties li.duty >> nth=0 >> a >> nth=0")
    page.wait_for_url(re.compile(r"/duty/s2\.p1$"))
    mark = page.locator("#source-passages mark").first
    assert "每季度至少1次系统听取安全生产工作情况汇报" in mark.inner_text()
    background = mark.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    mark.scroll_into_view_if_needed()
    shot(page, "04-duty-source-passage")
    page.click("#source-passages figcaption a:has-text('在文件中查看')")
    page.wait_for_url(re.compile(r"#p-s2\.p1$"))
    border = page.locator("section.prov:target").evaluate("el => getComputedStyle(el).borderLeftColor")
    assert border == "rgb(27, 108, 168)"  # the provision the passage came from is marked


def test_run_a_saved_query_with_a_parameter(web_page, base_url):
    page = web_page
    page.goto(base_url + "/queries")
    page.click("a[href='/queries/duties-of-role']")
    page.fill("#param-role", "role:safety_deputy")
    page.fill("#param-jurisdiction", "绵阳市")
    page.click("#run")
    page.wait_for_selector("#results")
    assert page.locator("#results tbody tr").count() == 6
    assert "绵阳市" in page.inner_text("#results")
    shot(page, "05-saved-query")


def test_run_an_ad_hoc_query_in_yasgui(web_page, base_url):
    page = web_page
    page.goto(base_url + "/sparql/editor")
    page.wait_for_selector("#yasgui[data-ready] .CodeMirror")
    page.click("#yasgui .CodeMirror")
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(
        "PREFIX wsa: <https://w3id.org/wsa/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?post ?label WHERE {\n  ?post a wsa:Post ; rdfs:label ?label ;\n"
        "        wsa:definedIn <https://w3id.org/wsa/id/wuxi-towns-2021> .\n}\n"
    )
    page.click(".yasqe_queryButton")
    cell = page.wait_for_selector(".yasr table.dataTable tbody td:has-text('行政主要负责人')")
    assert cell.is_visible()
    shot(page, "06-yasgui")


def test_gap_report_and_comparison(web_page, base_url):
    page = web_page
    page.goto(base_url + "/gaps?lang=zh")
    page.wait_for_selector("#findings article.finding", timeout=120_000)
    total = page.locator("#findings article.finding").count()
    assert total > 0
    assert page.locator("#findings a.focus").count() > 0
    shot(page, "07-gaps")
    page.click("#gap-filters a.sev-warning")
    assert 0 < page.locator("#findings article.finding").count() <= total
    assert page.locator("#findings .sev-badge.sev-violation").count() == 0

    page.goto(base_url + "/compare?lang=zh")
    if page.locator("#not-available").count():
        pytest.skip("kgtool.compare is not available")
    page.uncheck("input[name=j][value=bazhong-econ-2018]")
    page.click("#compare-run")
    page.wait_for_url(re.compile(r"j=wuxi-towns-2021"))
    heads = page.inner_text("#view-roles thead")
    assert "wuxi-towns-2021" in heads and "bazhong-econ-2018" not in heads
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('figure.chart img')).slice(0, 2).every(img => img.complete && img.naturalWidth > 0)",
        timeout=60_000,
    )
    shot(page, "08-compare")


def test_switch_language(web_page, base_url):
    page = web_page
    page.goto(base_url + "/id/wuxi-towns-2021?lang=zh")
    assert page.get_attribute("html", "lang") == "zh-Hans"
    assert "组织结构图" in page.inner_text("#orgchart-panel h2")
    page.click("#lang-switch")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert "Organisation chart" in page.inner_text("#orgchart-panel h2")
    page.goto(base_url + "/")  # the choice is remembered
    assert page.inner_text("header nav").startswith("Home")
    assert "Wuxi" in page.inner_text("#jurisdictions")
    shot(page, "09-english-home")


def test_dataset_page_and_dumps(web_page, base_url):
    """Issue 17: from any page's footer to the dataset's description, then a dump whose bytes
    match the SHA-256 the page lists."""
    import hashlib

    page = web_page
    page.goto(base_url + "/?lang=zh")
    page.click("#footer-dataset")
    page.wait_for_url(re.compile(r"/dataset$"))
    assert page.inner_text("#dataset-title") == "安全生产责任知识图谱"
    assert page.locator("#subsets tbody tr").count() >= 7  # five documents, the places, the ontology
    assert page.locator("#subsets a.subset-source:has-text('无锡市镇')").count() == 1
    assert page.inner_text("#sparql-endpoint") == base_url + "/sparql"
    shot(page, "dataset-page")
    page.click("#dataset-dumps p a[href='/dumps/']")
    page.wait_for_url(re.compile(r"/dumps/$"))
    rows = page.locator("#dumps tbody tr")
    assert rows.count() == 2
    listed = rows.first.locator("code.digest").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", listed)
    shot(page, "dataset-dumps")
    with page.expect_download() as download:
        rows.first.locator("a.dump-link").click()
    assert download.value.suggested_filename == "kgtool.nq.gz"
    assert hashlib.sha256(Path(download.value.path()).read_bytes()).hexdigest() == listed


def test_ontology_page_renders_with_its_inline_styles_allowed_by_hash(web_page, base_url):
    """pyLODE's page at /ontology: its two inline stylesheets apply (the CSP names them by hash, so
    a CSP violation would be a console message, which the fixture fails on) and an IRI's fragment
    lands on its term."""
    page = web_page
    page.goto(base_url + "/?lang=en")
    page.click("#footer-ontology")
    page.wait_for_url(re.compile(r"/ontology$"))
    heading = page.locator("#PolicyDocument h3")
    assert heading.is_visible()
    assert "政策文件" in heading.inner_text() and "Policy document" in heading.inner_text()
    assert page.locator("#toc").evaluate("el => getComputedStyle(el).position") == "fixed"  # pyLODE's stylesheet
    page.goto(base_url + "/ontology#Post")
    post = page.locator("#Post")
    assert post.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(255, 246, 213)"  # ours: :target
    assert post.evaluate("el => Math.abs(el.getBoundingClientRect().top) < 50")  # scrolled to the term
    shot(page, "ontology-page")
