"""Documents as they are published (issue 13): a web page, a DOCX, a DOC and a PDF of each of the
five texts (tests/data/published/, made by scripts/make-published-fixtures.py with python-docx
and LibreOffice) give the graph the text gives; hostile files get one line and exit 2.

The graphs are compared by what an analyst reads off them: the posts, each duty (holders, text
without whitespace, types), the frequencies, principles and sanctions, and the metadata (文号,
title, date, issuer); a failure lists every difference.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS

from kgtool.build import build_one, context
from kgtool.cli import cli
from kgtool.read.formats import detect
from kgtool.read.formats.libreoffice import soffice

try:
    from sources import copy_project
except ImportError:  # tests/ imported as a package
    from tests.sources import copy_project

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ROOT / "tests" / "data" / "published"
SLUGS = sorted(p.stem for p in (ROOT / "data" / "sources").glob("*.txt"))
WSA = Namespace("https://w3id.org/wsa/ontology#")
needs_libreoffice = pytest.mark.skipif(
    soffice() is None and not os.environ.get("CI"), reason="LibreOffice (libreoffice-writer-nogui) is not installed"
)


def facts(graph: Graph) -> dict[str, object]:
    """What the comparison compares, as plain values."""

    def label(node: object) -> str:
        return str(graph.value(node, RDFS.label) or node)

    def squeezed(text: object) -> str:
        return re.sub(r"\s", "", str(text))

    doc = next(graph.subjects(RDF.type, WSA.PolicyDocument))
    return {
        "posts": Counter(label(p) for p in graph.subjects(RDF.type, WSA.Post)),
        "duties": Counter(
            (
                tuple(sorted(label(h) for h in graph.subjects(WSA.hasDuty, d))),
                squeezed(graph.value(d, WSA.text)),
                tuple(sorted(str(t).rsplit("/", 1)[-1] for t in graph.objects(d, WSA.dutyType))),
            )
            for d in graph.subjects(RDF.type, WSA.Duty)
        ),
        "frequencies": Counter(
            (str(graph.value(f, WSA.period)), str(graph.value(f, WSA.minOccurrences)), str(graph.value(f, WSA.action)).rsplit("/", 1)[-1])
            for f in graph.subjects(RDF.type, WSA.FrequencyRequirement)
        ),
        "principles": Counter(str(p).rsplit("/", 1)[-1] for p in graph.objects(doc, WSA.invokesPrinciple)),
        "sanctions": Counter(str(s).rsplit("/", 1)[-1] for s in graph.objects(doc, WSA.providesSanction)),
        "metadata": {
            "文号": graph.value(doc, WSA.documentNumber),
            "title": graph.value(doc, DCTERMS.title),
            "issued": graph.value(doc, DCTERMS.issued),
            "creator": graph.value(graph.value(doc, DCTERMS.creator), RDFS.label),
        },
    }


def differences(text: dict[str, object], published: dict[str, object]) -> list[str]:
    """Every way the published file's graph falls short of (or goes past) the text's."""
    out = []
    for key, want in text.items():
        got = published[key]
        if isinstance(want, Counter) and isinstance(got, Counter):
            out += [f"{key}: missing {item}" for item in sorted((want - got).elements(), key=str)]
            out += [f"{key}: extra {item}" for item in sorted((got - want).elements(), key=str)]
        elif isinstance(want, dict) and isinstance(got, dict):  # at least as complete: every value the text gives
            out += [f"metadata {k}: {got.get(k)!r} instead of {v!r}" for k, v in want.items() if v is not None and got.get(k) != v]
    return out


@pytest.fixture(scope="module")
def reading() -> tuple:
    return context(ROOT)


@pytest.fixture(scope="module")
def from_text(reading) -> dict[str, dict[str, object]]:
    return {slug: facts(build_one(ROOT / "data" / "sources" / f"{slug}.txt", ROOT, *reading, slug=slug).graph) for slug in SLUGS}


FORMATS = ["html", "docx", pytest.param("doc", marks=[needs_libreoffice, pytest.mark.slow]), "pdf"]


@pytest.mark.parametrize("extension", FORMATS)
@pytest.mark.parametrize("slug", SLUGS)
def test_each_format_gives_the_graph_of_the_text(slug, extension, reading, from_text):
    built = build_one(PUBLISHED / f"{slug}.{extension}", ROOT, *reading, slug=slug)
    found = differences(from_text[slug], facts(built.graph))
    assert not found, f"{slug}.{extension} differs from {slug}.txt:\n  " + "\n  ".join(found)


def test_the_comparison_sees_a_lost_duty(reading, from_text, tmp_path):
    """The comparison can fail: a page missing one duty's paragraph is caught and the duty named."""
    page = (PUBLISHED / "wuxi-towns-2021.html").read_text(encoding="utf-8")
    cut = re.sub(r"<p[^>]*>\(三\)[^<]*</p>", "", page, count=1)
    assert cut != page
    broken = tmp_path / "wuxi-towns-2021.html"
    broken.write_text(cut, encoding="utf-8")
    found = differences(from_text["wuxi-towns-2021"], facts(build_one(broken, ROOT, *reading).graph))
    assert any(line.startswith("duties: missing") and "充实本级安委办力量" in line for line in found), found


@pytest.mark.parametrize("extension,expected", [("html", "html"), ("docx", "docx"), ("pdf", "pdf"), ("doc", "word97")])
def test_format_is_told_by_content_not_name(extension, expected, reading, tmp_path):
    data = (PUBLISHED / f"wuxi-towns-2021.{extension}").read_bytes()
    assert detect(data, where="x") == expected
    if expected != "word97":  # a wrong name changes nothing
        renamed = tmp_path / "wuxi-towns-2021.txt"
        renamed.write_bytes(data)
        assert build_one(renamed, ROOT, *reading).summary is not None


def test_gb2312_page_is_decoded_from_its_own_declaration():
    data = (PUBLISHED / "bazhong-econ-2018.html").read_bytes()
    assert b"charset=gb2312" in data[:1024] and data.decode("gb18030")
    from kgtool.read.formats.webpage import read_html

    text = read_html(data, "bazhong")
    assert "巴市经信发〔2018〕23号" in text and "委领导安全生产工作职责" in text


def test_page_metadata_and_tables_are_read_without_the_site():
    from kgtool.read.formats.webpage import read_html

    text = read_html((PUBLISHED / "bazhong-econ-2018.html").read_bytes(), "bazhong")
    assert "文号 | 巴市经信发〔2018〕23号 |" in text and "发布机构 | 巴中市经济和信息化委员会 |" in text
    for furniture in ("政务服务", "网站标识码", "分享到", "相关文件", "请输入关键字"):
        assert furniture not in text, furniture
    assert "\t全面领导责任\n\t委党组书记、主任\n\t负责本系统安全生产的全面领导管理。" in text  # a row, cell by cell


def test_docx_numbering_drawn_by_word_is_read():
    """Mianyang's DOCX numbers its articles with Word's own list numbering (第%1条, chineseCounting)."""
    from kgtool.read.formats.word import read_docx

    data = (PUBLISHED / "mianyang-union-2020.docx").read_bytes()
    assert b"chineseCounting" in zipfile.ZipFile(io.BytesIO(data)).read("word/numbering.xml")
    text = read_docx(data, "mianyang")
    assert "\n第一条 为切实加强" in text and "\n第十二条 " in text


def test_pdf_running_header_and_page_numbers_are_left_out():
    from kgtool.read.formats.pdf import read_pdf

    text = read_pdf((PUBLISHED / "mianyang-union-2020.pdf").read_bytes(), "mianyang")
    assert text.count("绵阳市总工会办公室文件") == 1  # the body's own line, not the header of every page
    assert not re.search(r"^[—-] ?\d+ ?[—-]$", text, re.MULTILINE)
    assert "督促检查，组织开展分管业务" in text  # a paragraph broken by the page, joined


# --- hostile files ---------------------------------------------------------------------------


@pytest.fixture()
def project(tmp_path, monkeypatch) -> Path:
    copy_project(tmp_path / "project")
    monkeypatch.setenv("KGTOOL_HOME", str(tmp_path / "project"))
    return tmp_path / "project"


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def zip_bomb(path: Path) -> None:
    """A DOCX-shaped zip whose document.xml unpacks to 250 MB (it is 250 KB on disk)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            chunk = b" " * (1 << 20)
            for _ in range(250):
                member.write(chunk)


def scanned_pdf(path: Path) -> None:
    """A PDF holding only an image, as a scanner makes it (matplotlib's PDF writer, no text)."""
    import numpy as np
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8.27, 11.69))
    figure.figimage(np.random.default_rng(0).random((200, 150)), resize=True)
    figure.savefig(path, format="pdf")


def pdf_bomb(path: Path) -> None:
    """A one-page PDF whose content stream inflates from 400 KB to 400 MB (FlateDecode), offsets exact."""
    import zlib

    stream = zlib.compress(b" " * (400 << 20), 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))


def damaged_docx(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04" + os.urandom(2000))


def truncated_pdf(path: Path) -> None:
    path.write_bytes((PUBLISHED / "wuxi-towns-2021.pdf").read_bytes()[:1500])


HOSTILE = [
    ("encrypted.pdf", lambda p: shutil.copy(PUBLISHED / "hostile" / "encrypted.pdf", p), "an encrypted PDF", {}),
    ("damaged.pdf", truncated_pdf, "damaged PDF", {}),
    ("notazip.docx", damaged_docx, "not a valid ZIP archive", {}),
    ("bomb.docx", zip_bomb, "a zip bomb: the DOCX unpacks to 262 MB", {}),
    (
        "nav-only.html",
        lambda p: p.write_text(
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>某市人民政府</title></head><body>'
            '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li></ul>'
            '<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; 政策文件</div><div class="content"></div>'
            '<div class="footer">版权所有：某市人民政府 网站标识码：5100000001</div></body></html>',
            encoding="utf-8",
        ),
        "no article found in the page",
        {},
    ),
    ("empty.pdf", lambda p: p.write_bytes(b""), "empty file (0 bytes)", {}),
    (
        "big.pdf",
        lambda p: shutil.copy(PUBLISHED / "wuxi-towns-2021.pdf", p),
        "raise KGTOOL_MAX_SOURCE_BYTES",
        {"KGTOOL_MAX_SOURCE_BYTES": "100000"},
    ),
    ("scanned.pdf", scanned_pdf, "a PDF with no text layer (a scan?)", {}),
    ("picture.docx", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100), "a PNG image, not a format kgtool reads", {}),
    (
        "slow.pdf",
        lambda p: shutil.copy(PUBLISHED / "wuxi-towns-2021.pdf", p),
        "took longer than 0.05 s",
        {"KGTOOL_READER_TIMEOUT_S": "0.05"},
    ),
    ("bomb.pdf", pdf_bomb, "needs more than 200 MB of memory", {"KGTOOL_READER_MEMORY_MB": "200"}),
]


@pytest.mark.parametrize("name,make,message,env", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_file_gets_one_line_and_exit_2(project, tmp_path, monkeypatch, name, make, message, env):
    path = tmp_path / name
    make(path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    before = tree_digest(project / "data")
    result = CliRunner().invoke(cli, ["ingest", str(path)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("kgtool: error: ") and str(path) in lines[0] and message in lines[0], lines[0]
    assert tree_digest(project / "data") == before


def test_doc_without_libreoffice_names_the_package(project, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice here
    result = CliRunner().invoke(cli, ["ingest", str(PUBLISHED / "wuxi-towns-2021.doc")])
    assert result.exit_code == 2
    assert "needs LibreOffice" in result.output and "apt-get install libreoffice-writer-nogui" in result.output


# --- kept as published ------------------------------------------------------------------------


def test_ingest_keeps_the_published_file_and_build_reads_it(project, tmp_path):
    source = tmp_path / "qingshan.pdf"
    shutil.copy(PUBLISHED / "tongchuan-town-2022.pdf", source)
    result = CliRunner().invoke(cli, ["ingest", str(source), "--slug", "tongchuan-pdf"])
    assert result.exit_code == 0, result.output
    kept = project / "data" / "sources" / "tongchuan-pdf.pdf"
    assert kept.read_bytes() == source.read_bytes()
    turtle = (project / "data" / "tongchuan-pdf.ttl").read_text(encoding="utf-8")
    assert "data/sources/tongchuan-pdf.pdf" in turtle
    assert CliRunner().invoke(cli, ["build", "--check"]).exit_code == 0
    (project / "data" / "tongchuan-pdf.ttl").unlink()
    assert CliRunner().invoke(cli, ["build"]).exit_code == 0
    assert (project / "data" / "tongchuan-pdf.ttl").read_text(encoding="utf-8") == turtle


def test_two_sources_of_one_id_are_refused(project):
    shutil.copy(PUBLISHED / "wuxi-towns-2021.html", project / "data" / "sources" / "wuxi-towns-2021.html")
    result = CliRunner().invoke(cli, ["build", "--check"])
    assert result.exit_code == 2
    assert "wuxi-towns-2021.html and wuxi-towns-2021.txt would both be the document 'wuxi-towns-2021'" in result.output


@needs_libreoffice
def test_wps_is_read_as_the_word_document_it_is_and_kept_by_its_name(project, tmp_path):
    """Kingsoft WPS writes the binary Word streams: a .wps goes through LibreOffice as a .doc does."""
    source = tmp_path / "tongchuan.wps"
    shutil.copy(PUBLISHED / "tongchuan-town-2022.doc", source)
    result = CliRunner().invoke(cli, ["ingest", str(source), "--slug", "tongchuan-wps"])
    assert result.exit_code == 0, result.output
    assert (project / "data" / "sources" / "tongchuan-wps.wps").read_bytes() == source.read_bytes()


@needs_libreoffice
def test_libreoffice_past_the_time_limit_is_stopped(project, monkeypatch):
    monkeypatch.setenv("KGTOOL_READER_TIMEOUT_S", "0.2")
    result = CliRunner().invoke(cli, ["ingest", str(PUBLISHED / "wuxi-towns-2021.doc")])
    assert result.exit_code == 2
    assert "LibreOffice took longer than 0.2 s" in result.output and len(result.output.strip().splitlines()) == 1


def test_a_page_in_another_charset_than_it_declares_needs_encoding():
    from kgtool.errors import SourceError
    from kgtool.read.formats.webpage import read_html

    page = (PUBLISHED / "benxi-hitech-2019.html").read_bytes().replace(b"charset=gbk", b"charset=utf-8")
    with pytest.raises(SourceError, match="not valid utf-8") as err:
        read_html(page, "benxi.html")
    assert "--encoding" in str(err.value)
    assert "本高党政办发〔2019〕58号" in read_html(page, "benxi.html", "gbk")


@pytest.mark.parametrize("extension", ["html", "pdf"])
def test_provenance_points_into_the_text_read_from_the_file(extension, reading):
    """Every duty's provision spans a passage of the document's text (wsa:sourceText) that holds the duty."""
    graph = build_one(PUBLISHED / f"benxi-hitech-2019.{extension}", ROOT, *reading, slug="benxi-hitech-2019").graph
    text = str(next(graph.objects(None, WSA.sourceText)))
    duties = list(graph.subjects(RDF.type, WSA.Duty))
    assert duties
    for duty in duties:
        provision = graph.value(duty, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
        start, end = int(graph.value(provision, WSA.charStart)), int(graph.value(provision, WSA.charEnd))
        passage = re.sub(r"\s", "", text[start:end])
        assert re.sub(r"\s", "", str(graph.value(duty, WSA.text)))[:20] in passage, duty
