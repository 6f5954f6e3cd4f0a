"""An analyst reviews a document in a real headless Chromium (issue 14): merges two posts and moves
a duty through the review forms of `kgtool serve --review`, then the files written and the rebuilt
graph are checked. On a copy of the project; screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace, URIRef

from kgtool.web import create_app
from sources import copy_project

try:
    from test_browser import CHROMIUM, CHROMIUM_ARGS, SHOTS, TIMEOUT_MS, _need
    from web_server import running
except ImportError:  # tests/ imported as a package
    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, SHOTS, TIMEOUT_MS, _need
    from tests.web_server import running

pytestmark = pytest.mark.browser

SLUG = "tongchuan-town-2022"
WSA = Namespace("https://w3id.org/wsa/ontology#")
ID = f"https://w3id.org/wsa/id/{SLUG}/"


@pytest.fixture()
def reviewing(tmp_path):
    """The review server on a copy of the project, and a Chromium page on it."""
    if not CHROMIUM.exists():
        _need("Debian's chromium: apt-get install -y chromium fonts-wqy-microhei")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need("Playwright for Python: pip install playwright")
    root = copy_project(tmp_path, ("ontology", "data", "shapes", "queries"))
    app = create_app({"ROOT": root, "ENDPOINT": "", "REVIEW": True, "ANALYST": ""})
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running(app) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on(
            "console",
            lambda msg: problems.append(f"console: {msg.text}") if msg.type == "error" or "Content Security Policy" in msg.text else None,
        )
        yield root, url, page
        context.close()
        browser.close()
    app.extensions["kgtool"].close()
    assert not problems, problems


def submit(page, form, **fields: str) -> None:
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_review_merge_two_posts_and_move_a_duty_through_the_forms(reviewing):
    root, url, page = reviewing
    page.goto(f"{url}/id/{SLUG}?lang=zh")
    page.locator("#review").scroll_into_view_if_needed()
    page.fill("#review-by", "王芳")
    page.locator("#review-s3\\.p4").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "20-review-document.png"))

    # 三(四) 其他副科级以上领导 and 三(三) 铜川镇分管安全生产领导: one office, by the analyst's reading
    merge = page.locator('.statement.post[data-ref="post/main.business_deputy"] form.merge')
    submit(page, merge, into="post/main.safety_deputy", why="test: 三(四) and 三(三) are one office")
    assert re.search(r"\?corrected=merge-[0-9a-f]{8}#review-s3\.p4$", page.url)
    page.fill("#review-by", "王芳")
    # 三(六)7. 完成镇政府交办的其他工作: the town government's, not the enforcement officer's
    move = page.locator('.statement.duty[data-ref="duty/s3.p6.i7"] form.move')
    move.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "21-review-move-form.png"))
    submit(page, move, to="body/633afaba", why="test: 交办 by the town government")
    assert re.search(r"\?corrected=move-[0-9a-f]{8}#review-s3\.p6\.i7$", page.url)
    assert page.locator("#review-done").is_visible()
    listed = page.locator("#corrections li.correction").all_inner_texts()
    assert any("post/main.business_deputy merged into post/main.safety_deputy" in t for t in listed)
    assert any("duty/s3.p6.i7 → body/633afaba" in t for t in listed)
    holder = page.locator('.statement.duty[data-ref="duty/s3.p6.i7"] .added').first
    assert "鄂尔多斯市东胜区铜川镇人民政府" in holder.inner_text()
    color = holder.evaluate("el => getComputedStyle(el).color")
    assert color == "rgb(20, 108, 46)"  # marked as the analyst's
    holder.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "22-review-after-corrections.png"))

    # the files written: one per provision, with who and why
    folder = root / "data" / "corrections" / SLUG
    merged_file, moved_file = folder / "s3.p4.yaml", folder / "s3.p6.i7.yaml"
    assert "by: 王芳" in merged_file.read_text(encoding="utf-8") and "kind: merge" in merged_file.read_text(encoding="utf-8")
    assert "to: body/633afaba" in moved_file.read_text(encoding="utf-8")
    # the graph rebuilt with them
    g = Graph().parse(Path(root) / "data" / f"{SLUG}.ttl")
    assert not list(g.objects(URIRef(ID + "post/main.business_deputy"), None))
    assert (URIRef(ID + "post/main.safety_deputy"), WSA.hasDuty, URIRef(ID + "duty/s3.p4")) in g
    assert list(g.subjects(WSA.hasDuty, URIRef(ID + "duty/s3.p6.i7"))) == [URIRef(ID + "body/633afaba")]
    assert len(list(g.subjects(RDF.type, WSA.Correction))) == 3  # the two, and the committed s4.p1 move
    # and the site answers from it: the duty's page names its new holder
    page.goto(f"{url}/id/{SLUG}/duty/s3.p6.i7?lang=zh")
    assert "鄂尔多斯市东胜区铜川镇人民政府" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "23-review-duty-page.png"))
