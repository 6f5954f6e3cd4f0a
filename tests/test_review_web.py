"""Review in the browser, over HTTP (issue 14): `kgtool serve --review` adds forms that write
corrections; a POST needs the CSRF token (and, with --token, the reviewer's cookie; without, a
Host naming this machine); the public server has no route that writes. Each on a copy of the
project, so nothing here writes the real one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kgtool.errors import KgtoolError
from kgtool.web import create_app
from sources import copy_project

SLUG = "tongchuan-town-2022"
HTML = {"Accept": "text/html"}
PARTS = ("ontology", "data", "shapes", "queries")


def files(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in (root / "data").rglob("*") if p.is_file() and ".store" not in p.parts}


@pytest.fixture()
def project(tmp_path) -> Path:
    return copy_project(tmp_path, PARTS)


def app_for(root: Path, **config):
    app = create_app({"ROOT": root, "ENDPOINT": "", "SPARQL_WORKERS": 0, **config})
    app.config["TESTING"] = True
    return app


def token_of(page: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)


def move(csrf: str | None = None, **extra) -> dict:
    data = {
        "kind": "move",
        "duties": "duty/s3.p4",
        "to": "post/main.safety_deputy",
        "provision": "s3.p4",
        "why": "三(四) is the deputies'",
        "by": "Tester",
    }
    if csrf is not None:
        data["csrf"] = csrf
    return {**data, **extra}


def test_the_public_server_has_no_write_route(project):
    """Every route the review app adds that takes a POST, tried on the public app: none is there,
    and nothing is written. The public app's only POST is the read-only SPARQL protocol."""
    review = app_for(project, REVIEW=True)
    public = app_for(project)
    writes = [r for r in review.url_map.iter_rules() if r.endpoint.startswith("review.")]
    assert {r.endpoint for r in writes} == {"review.correct", "review.take_back"}
    assert all("POST" in r.methods for r in writes)
    before = files(project)
    client = public.test_client()
    for rule in writes:
        url = rule.rule.replace("<slug>", SLUG)
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            assert client.open(url, method=method, data=move("x")).status_code in (404, 405), (method, url)
    posting = {r.rule for r in public.url_map.iter_rules() if "POST" in (r.methods or ())}
    assert posting == {"/sparql"}
    page = client.get(f"/id/{SLUG}", headers=HTML).get_data(as_text=True)
    assert "correction-form" not in page and 'name="csrf"' not in page
    assert files(project) == before


def test_a_reviewer_moves_a_duty_and_the_page_shows_the_corrected_graph(project):
    client = app_for(project, REVIEW=True, ANALYST="王芳").test_client()
    page = client.get(f"/id/{SLUG}", headers=HTML).get_data(as_text=True)
    assert 'id="review"' in page and 'data-kind="move"' in page and "未作为职责" in page  # unplaced sentences shown
    response = client.post(f"/review/{SLUG}/correct", data=move(token_of(page), by=""), headers=HTML)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert re.search(r"/id/tongchuan-town-2022\?corrected=move-[0-9a-f]{8}#review-s3\.p4$", response.headers["Location"])
    assert "by: 王芳" in (project / "data" / "corrections" / SLUG / "s3.p4.yaml").read_text(encoding="utf-8")
    duty = client.get(f"/id/{SLUG}/duty/s3.p4", headers=HTML).get_data(as_text=True)
    assert "铜川镇分管安全生产领导" in duty  # the store was loaded again
    again = client.get(f"/id/{SLUG}?corrected=x", headers=HTML).get_data(as_text=True)
    assert 'id="review-done"' in again and 'class="correction"' in again


@pytest.mark.parametrize("case", ["no token", "wrong token", "non-ASCII token", "foreign origin"])
def test_a_forged_post_is_refused_and_nothing_written(project, case):
    client = app_for(project, REVIEW=True, ANALYST="x").test_client()
    real = token_of(client.get(f"/id/{SLUG}", headers=HTML).get_data(as_text=True))
    before = files(project)
    data = {"no token": move(), "wrong token": move("0" * 64), "non-ASCII token": move("令牌" * 32), "foreign origin": move(real)}[case]
    headers = {**HTML, "Origin": "http://evil.example"} if case == "foreign origin" else HTML
    response = client.post(f"/review/{SLUG}/correct", data=data, headers=headers)
    assert response.status_code == 403
    assert "token" in response.get_data(as_text=True).lower() or "令牌" in response.get_data(as_text=True)
    assert files(project) == before


def test_a_correction_naming_a_missing_target_is_a_clear_400(project):
    client = app_for(project, REVIEW=True, ANALYST="x").test_client()
    csrf = token_of(client.get(f"/id/{SLUG}", headers=HTML).get_data(as_text=True))
    before = files(project)
    response = client.post(f"/review/{SLUG}/correct", data=move(csrf, duties="duty/s9.p9"), headers=HTML)
    assert response.status_code == 400 and "duty/s9.p9" in response.get_data(as_text=True)
    response = client.post(f"/review/{SLUG}/correct", data=move(csrf, kind="teleport"), headers=HTML)
    assert response.status_code == 400
    response = client.post("/review/no-such-document/correct", data=move(csrf), headers=HTML)
    assert response.status_code == 400
    assert files(project) == before


def test_another_host_name_gets_no_forms_and_cannot_post(project):
    """A page of another site whose name resolves to 127.0.0.1 (DNS rebinding) is not this machine."""
    client = app_for(project, REVIEW=True, ANALYST="x").test_client()
    csrf = token_of(client.get(f"/id/{SLUG}", headers=HTML).get_data(as_text=True))
    page = client.get(f"/id/{SLUG}", headers=HTML, base_url="http://evil.example:8000").get_data(as_text=True)
    assert "correction-form" not in page
    before = files(project)
    response = client.post(f"/review/{SLUG}/correct", data=move(csrf), headers=HTML, base_url="http://evil.example:8000")
    assert response.status_code == 403
    assert files(project) == before


def test_with_a_token_only_the_browser_that_gave_it_reviews(project):
    app = app_for(project, REVIEW=True, REVIEW_TOKEN="s3cret", ANALYST="x")
    stranger = app.test_client()
    page = stranger.get(f"/id/{SLUG}", headers=HTML, base_url="http://203.0.113.5").get_data(as_text=True)
    assert "correction-form" not in page
    assert stranger.get(f"/id/{SLUG}?token=wrong", headers=HTML).status_code == 403
    assert stranger.get(f"/id/{SLUG}?token=令牌", headers=HTML).status_code == 403
    reviewer = app.test_client()
    response = reviewer.get(f"/id/{SLUG}?token=s3cret&lang=zh", headers=HTML, base_url="http://203.0.113.5")
    assert response.status_code == 303 and "token" not in response.headers["Location"]
    assert "HttpOnly" in response.headers["Set-Cookie"] and "s3cret" not in response.headers["Set-Cookie"]
    page = reviewer.get(f"/id/{SLUG}", headers=HTML, base_url="http://203.0.113.5").get_data(as_text=True)
    csrf = token_of(page)
    before = files(project)
    assert stranger.post(f"/review/{SLUG}/correct", data=move(csrf), headers=HTML, base_url="http://203.0.113.5").status_code == 403
    assert files(project) == before
    assert reviewer.post(f"/review/{SLUG}/correct", data=move(csrf), headers=HTML, base_url="http://203.0.113.5").status_code == 303


def test_serve_refuses_review_on_another_address_without_a_token(project):
    from kgtool.web.serve import serve

    with pytest.raises(KgtoolError, match="without a token"):
        serve(host="0.0.0.0", port=0, root=project, config={"REVIEW": True})


def test_the_gap_report_says_which_findings_rest_on_a_correction(web_client):
    page = web_client.get("/gaps?lang=en", headers=HTML).get_data(as_text=True)
    assert "Rests on an analyst&#39;s correction" in page and "/correction/a.s3.move-" in page
