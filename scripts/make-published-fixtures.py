"""Make tests/data/published/: the five source texts as they are published, with the real tools.

Each document becomes
  <slug>.html  a saved government page: navigation, breadcrumbs, the page's metadata table, the
               body (tables as <table>), share and print buttons, a footer; Bazhong and Benxi
               are encoded as the page declares (GB2312 / GBK), the others as UTF-8;
  <slug>.docx  a Word document written by python-docx: a running header, a page-number footer,
               the Bazhong annex as real Word tables (caption row merged across the columns) and
               the Mianyang articles numbered by Word itself (第%1条, chineseCounting);
  <slug>.doc   that DOCX saved as Word 97-2003 by LibreOffice;
  <slug>.pdf   that DOCX exported to PDF by LibreOffice (text layer, header and footer on every page);
and hostile/encrypted.pdf is the Wuxi DOCX exported with an open password.

Why a script: anyone can remake the fixtures after a source text changes, and see what each
format was given. Needs python-docx and LibreOffice (Debian libreoffice-writer-nogui) with a CJK
font (fonts-noto-cjk or fonts-wqy-microhei) for the PDF.

    python scripts/make-published-fixtures.py [--only SLUG]
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kgtool.read.frontmatter import front_matter  # noqa: E402
from kgtool.read.normalise import decode, normalise  # noqa: E402
from kgtool.read.structure import _match_marker, parse, rules  # noqa: E402

SOURCES = ROOT / "data" / "sources"
FINAL = rules()["sentence_final"]
OUT = ROOT / "tests" / "data" / "published"
#: The charset each page declares (and is encoded in); the rest are UTF-8.
CHARSETS = {"bazhong-econ-2018": "gb2312", "benxi-hitech-2019": "gbk"}
#: Documents whose numbered articles Word numbers itself (numbering.xml), not typed.
AUTO_NUMBERED = {"mianyang-union-2020"}
#: Lines of a web copy that are the page's own, not the document's (the Wuxi text keeps them).
WEB_LINE = re.compile(r"^(?:發\(fā\)布時間|发布时间)|\|")
SITES = {
    "mianyang-union-2020": "绵阳市总工会",
    "bazhong-econ-2018": "巴中市经济和信息化局",
    "tongchuan-town-2022": "东胜区铜川镇人民政府",
    "wuxi-towns-2021": "无锡市人民政府",
    "benxi-hitech-2019": "本溪高新技术产业开发区",
}


@dataclass
class Table:
    """Rows of cells, each cell a list of paragraphs; a row of one cell is the table's caption."""

    rows: list[list[list[str]]] = field(default_factory=list)


Block = str | Table


def blocks(text: str) -> list[Block]:
    """The text's lines as paragraphs ("" for a blank line), and its runs of TAB cells as tables,
    read as the structure parser reads them (a blank line ends a row, a TAB starts a cell).

    A line of a provision the copy broke at a page break (a long line with no final punctuation, a
    blank line, then a line that opens no provision: the parser's own test) is one paragraph again,
    as in the original; the front matter (before the first provision) and short lines stay as the
    copy has them: the parser never joins those."""
    lines = text.replace("\r\n", "\n").replace("[bookmark: _GoBack]", "").split("\n")
    out: list[Block] = []
    i = 0
    body = False
    while i < len(lines):
        if not lines[i].startswith("\t"):
            line = lines[i]
            i += 1
            body = body or _match_marker(line.strip()) is not None
            while (
                body
                and len(line.strip()) >= 20
                and line.rstrip()[-1] not in FINAL
                and i + 1 < len(lines)
                and not lines[i].strip()
                and lines[i + 1].strip()
                and not lines[i + 1].startswith("\t")
                and _match_marker(lines[i + 1].strip()) is None
            ):
                line = line.rstrip() + lines[i + 1].strip()
                i += 2
            out.append(line)
            continue
        table = Table()
        while i < len(lines) and lines[i].startswith("\t"):
            row: list[list[str]] = []
            while i < len(lines) and lines[i].strip():
                if lines[i].startswith("\t") or not row:
                    row.append([lines[i].lstrip("\t").strip()])
                else:
                    row[-1].append(lines[i].strip())
                i += 1
            if len(row) == 1 and table.rows:  # a caption: a new table
                out.append(table)
                table = Table()
            table.rows.append(row)
            while i < len(lines) and not lines[i].strip():
                i += 1
        out.append(table)
        out.append("")
    return out


def metadata(slug: str, text: str) -> dict[str, str]:
    """The facts a government page shows above the body, read from the text as kgtool reads them."""
    norm = normalise(decode(text.encode("utf-8"), where=slug)).text
    tree = parse(norm)
    meta = front_matter(norm[: tree.children[0].char_start])
    return {"number": meta.number or "", "title": meta.title or "", "issued": meta.issued or "", "creator": meta.creator or ""}


# --- HTML ---------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{title}_政策文件_{site}</title>
<meta name="SiteName" content="{site}">
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{published} 09:30">
<meta name="ContentSource" content="{creator}">
<link rel="stylesheet" href="/css/style.css">
<script src="/js/jquery.min.js"></script>
</head>
<body>
<div class="header">
  <div class="logo"><a href="/"><img src="/images/logo.png" alt="{site}"></a></div>
  <ul class="nav">
    <li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a></li>
    <li><a href="/hdjl/">互动交流</a></li><li><a href="/zjdq/">走进{site}</a></li>
  </ul>
  <form class="search" action="/search"><input name="q" placeholder="请输入关键字"><button>搜索</button></form>
</div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/zcwj/">政策文件</a></div>
<div class="main">
  <div class="sidebar"><h3>政策文件</h3><ul><li><a href="/zwgk/zcwj/szfwj/">市政府文件</a></li>
    <li><a href="/zwgk/zcwj/bmwj/">部门文件</a></li><li><a href="/zwgk/zcwj/zcjd/">政策解读</a></li></ul></div>
  <div class="article">
    <table class="xxgk-meta">
      <tr><th>索引号</th><td>{index}</td><th>主题分类</th><td>安全生产监管</td></tr>
      <tr><th>发布机构</th><td>{creator}</td><th>文号</th><td>{number}</td></tr>
      <tr><th>成文日期</th><td>{issued}</td><th>发布日期</th><td>{published}</td></tr>
      <tr><th>标题</th><td colspan="3">{title}</td></tr>
    </table>
    <h1 class="title">{title}</h1>
    <div class="info">发布时间：{published} 来源：{creator} 【字体：<a>大</a> <a>中</a> <a>小</a>】</div>
    <div class="content" id="zoom">
{body}
    </div>
    <div class="share">分享到：<a class="wx">微信</a><a class="wb">微博</a><a class="qq">QQ空间</a></div>
    <div class="tools"><a href="javascript:window.print()">【打印本页】</a><a href="javascript:window.close()">【关闭窗口】</a></div>
    <div class="related"><h4>相关文件</h4><ul><li><a href="/zwgk/zcwj/1.html">关于做好安全生产工作的通知</a></li>
      <li><a href="/zwgk/zcwj/2.html">关于开展安全生产大检查的通知</a></li></ul></div>
  </div>
</div>
<div class="footer">
  <p><a href="/about">关于我们</a> | <a href="/map">网站地图</a> | <a href="/contact">联系我们</a></p>
  <p>版权所有：{site} 主办单位：{site}办公室 网站标识码：5100000001</p>
  <p>蜀ICP备05003315号 川公网安备 51000002000001号</p>
</div>
</body>
</html>
"""


def page(slug: str, text: str, meta: dict[str, str]) -> bytes:
    charset = CHARSETS.get(slug, "utf-8")
    body = []
    for block in blocks(text):
        if isinstance(block, Table):
            body.append(html_table(block))
        elif block.strip() and not WEB_LINE.search(block):
            indent = len(block) - len(block.lstrip())
            style = ' style="text-align:right"' if indent >= 14 else ' style="text-indent:2em"'
            body.append(f"<p{style}>{html.escape(block.strip())}</p>")
    issued = meta["issued"]
    text_html = PAGE.format(
        charset=charset,
        title=html.escape(meta["title"]),
        site=SITES[slug],
        creator=html.escape(meta["creator"]),
        number=html.escape(meta["number"]),
        issued=issued.replace("-", "年", 1).replace("-", "月") + "日" if issued else "",
        published=issued,
        index=f"11510000MB{zlib.crc32(slug.encode()) % 10**8:08d}/2021-00001",
        body="\n".join(body),
    )
    encoding = "gb18030" if charset in ("gb2312", "gbk") else charset  # what browsers decode them as
    return text_html.encode(encoding)


def html_table(table: Table) -> str:
    width = max(len(row) for row in table.rows)
    rows = []
    for row in table.rows:
        span = f' colspan="{width}"' if len(row) == 1 and width > 1 else ""
        cells = "".join(f"<td{span}>" + "".join(f"<p>{html.escape(p)}</p>" for p in cell) + "</td>" for cell in row)
        rows.append(f"<tr>{cells}</tr>")
    return '<table border="1" cellspacing="0" cellpadding="4">\n' + "\n".join(rows) + "\n</table>"


# --- DOCX ---------------------------------------------------------------------------------


def word(slug: str, text: str, meta: dict[str, str]) -> docx.document.Document:
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.size = Pt(12)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Noto Serif CJK SC")
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.text = f"{meta['creator']}文件"
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    page_field(footer)
    footer.add_run(" —")
    num_id = article_numbering(document) if slug in AUTO_NUMBERED else None
    for block in blocks(text):
        if isinstance(block, Table):
            word_table(document, block)
            continue
        if WEB_LINE.search(block):
            continue
        line = block.strip()
        paragraph = document.add_paragraph()
        indent = len(block) - len(block.lstrip())
        if indent >= 14:  # a signature or date set to the right
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif indent > 4:  # a roster line aligned under the one before
            paragraph.paragraph_format.left_indent = Pt(6 * indent)
        elif indent:  # the first-line indent of 公文 body text
            paragraph.paragraph_format.first_line_indent = Pt(24)
        m = re.match(r"第[一二三四五六七八九十百]+条\s*", line)
        if num_id is not None and m:
            numbered(paragraph, num_id)
            line = line[m.end() :]
        paragraph.add_run(line)
    return document


def page_field(paragraph: docx.text.paragraph.Paragraph) -> None:
    """A PAGE field, as Word writes a page number."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    run.append(t)
    fld.append(run)
    paragraph._p.append(fld)


def article_numbering(document: docx.document.Document) -> int:
    """A list definition numbering 第一条, 第二条 … (chineseCounting), as Word's own list numbering."""
    numbering = document.part.numbering_part.element
    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), "90")
    lvl = OxmlElement("w:lvl")
    lvl.set(qn("w:ilvl"), "0")
    for tag, value in (
        ("w:start", "1"),
        ("w:numFmt", "chineseCounting"),
        ("w:suff", "space"),
        ("w:lvlText", "第%1条"),
        ("w:lvlJc", "left"),
    ):
        el = OxmlElement(tag)
        el.set(qn("w:val"), value)
        lvl.append(el)
    abstract.append(lvl)
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), "90")
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), "90")
    num.append(ref)
    numbering.append(num)
    return 90


def numbered(paragraph: docx.text.paragraph.Paragraph, num_id: int) -> None:
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id


def word_table(document: docx.document.Document, table: Table) -> None:
    width = max(len(row) for row in table.rows)
    grid = document.add_table(rows=0, cols=width)
    grid.style = "Table Grid"
    for row in table.rows:
        cells = grid.add_row().cells
        if len(row) == 1 and width > 1:
            cells = [cells[0].merge(cells[-1])]
        for cell, paragraphs in zip(cells, row, strict=False):
            cell.paragraphs[0].text = paragraphs[0]
            for more in paragraphs[1:]:
                cell.add_paragraph(more)
    document.add_paragraph()


# --- LibreOffice --------------------------------------------------------------------------


def soffice(src: Path, target: str, outdir: Path) -> Path:
    """Convert with LibreOffice headless in a private profile (no shared user profile to lock)."""
    with tempfile.TemporaryDirectory(prefix="kgtool-lo-") as profile:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                target,
                "--outdir",
                str(outdir),
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return outdir / f"{src.stem}.{target.split(':')[0]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="one slug")
    args = parser.parse_args()
    if shutil.which("soffice") is None:
        sys.exit("needs LibreOffice: apt-get install libreoffice-writer-nogui fonts-noto-cjk")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "hostile").mkdir(exist_ok=True)
    for source in sorted(SOURCES.glob("*.txt")):
        slug = source.stem
        if args.only and slug != args.only:
            continue
        text = source.read_text(encoding="utf-8")
        meta = metadata(slug, text)
        (OUT / f"{slug}.html").write_bytes(page(slug, text, meta))
        word(slug, text, meta).save(OUT / f"{slug}.docx")
        soffice(OUT / f"{slug}.docx", "doc", OUT)
        soffice(OUT / f"{slug}.docx", "pdf", OUT)
        print(slug, "html docx doc pdf", file=sys.stderr)
    if not args.only:
        password = {"EncryptFile": {"type": "boolean", "value": "true"}, "DocumentOpenPassword": {"type": "string", "value": "secret"}}
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "encrypted.docx"
            shutil.copy(OUT / "wuxi-towns-2021.docx", src)
            made = soffice(src, "pdf:writer_pdf_Export:" + json.dumps(password), Path(tmp))
            shutil.copy(made, OUT / "hostile" / "encrypted.pdf")


if __name__ == "__main__":
    main()
