"""A saved government web page -> the document's text, its tables and the page's metadata.

- charset: a byte-order mark, else the page's own declaration (<meta charset>, http-equiv, an XML
  declaration) in its first 1024 bytes, else UTF-8, else GB18030. GB2312 and GBK are decoded as
  GB18030, their superset, as browsers do: pages declared GB2312 routinely hold GBK characters;
- the article: readability-lxml (Arc90's readability over lxml) finds the body without the site's
  navigation, breadcrumbs, sidebars, share buttons and footer; what survives of those is page
  furniture that `kgtool.read.normalise` drops (rules/normalise.yaml);
- metadata: the page's metadata table (文号, 发布机构, 成文日期, 发布日期 … in cells, or "文号：…"
  lines) and its <meta> fields (rules/formats.yaml) become the front-matter lines the text reader
  already understands; the title is put first when the article does not repeat it;
- the article's block elements become paragraphs (<br> a line break) and its innermost tables
  `layout.Table`s, colspan cells once, rowspan cells repeated in each row they span.
"""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from kgtool.errors import SourceError
from kgtool.read.formats.layout import Block, Table, write
from kgtool.read.normalise import normalise
from kgtool.read.wordings import load

if TYPE_CHECKING:
    import lxml.html

#: Charset labels that browsers decode with the GB18030 decoder (WHATWG Encoding Standard).
_GB = {
    "gb2312",
    "gb_2312",
    "gb_2312-80",
    "gbk",
    "x-gbk",
    "chinese",
    "csgb2312",
    "csiso58gb231280",
    "iso-ir-58",
    "gb18030",
    "cp936",
    "windows-936",
}
_BIG5 = {"big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5"}
_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)|<\?xml[^>]+encoding\s*=\s*["']([-\w.:]+)""", re.IGNORECASE)
_BLOCKS = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "section",
    "article",
    "center",
    "address",
    "figure",
    "figcaption",
    "form",
    "header",
    "footer",
    "main",
    "caption",
    "hr",
    "tr",
    "tbody",
    "thead",
    "tfoot",
    "body",
    "html",
}
_SKIP = {
    "script",
    "style",
    "noscript",
    "template",
    "button",
    "select",
    "input",
    "textarea",
    "iframe",
    "object",
    "embed",
    "svg",
    "canvas",
    "nav",
    "head",
}
_SPACE = re.compile(r"[ \t\r\n\f]+")
#: Below this many characters an article is no article: the page was navigation and links.
MIN_ARTICLE_CHARS = 50


def charset(data: bytes, override: str | None = None) -> str:
    """The Python codec to decode a page with (see the module's docstring).

    >>> charset(b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    'gb18030'
    >>> charset(b'<meta charset="UTF-8"><p>x</p>'), charset("<p>安全</p>".encode("gbk"))
    ('utf-8', 'gb18030')
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    label = override
    if label is None:
        m = _DECLARED.search(data[:1024])
        label = (m.group(1) or m.group(2)).decode("ascii", "replace") if m else None
    if label is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return "gb18030"
        return "utf-8"
    label = label.strip().lower()
    if label in _GB:
        return "gb18030"
    if label in _BIG5:
        return "big5hkscs"
    try:
        return codecs.lookup(label).name
    except LookupError:
        raise SourceError(
            f"the page declares the unknown charset {label!r}", where="", hint="pass --encoding with its real encoding, e.g. gb18030"
        ) from None


def decode_page(data: bytes, where: str, override: str | None = None) -> str:
    """The page's text, refusing one that is mostly not in its declared charset."""
    try:
        codec = charset(data, override)
    except SourceError as e:
        raise SourceError(e.message, where=where, hint=e.hint) from None
    text = data.decode(codec, errors="replace")
    bad = text.count("\ufffd")
    if bad > max(3, len(text) // 200):
        raise SourceError(
            f"{bad} bytes are not valid {codec} (the charset the page declares or implies)",
            where=where,
            hint="pass --encoding with the page's real encoding",
        )
    return text.removeprefix("\ufeff")


def read_html(data: bytes, where: str, encoding: str | None = None) -> str:
    """The page as the text the pipeline reads (see `kgtool.read.formats.layout`).

    Raises:
        SourceError: a page that cannot be decoded or parsed, or that holds no article.
    """
    import lxml.html
    from lxml import etree
    from readability import Document
    from readability.readability import Unparseable

    text = re.sub(r"^\s*<\?xml[^>]*>", "", decode_page(data, where, encoding))
    try:
        page = lxml.html.document_fromstring(text)
        article_html = Document(text).summary(html_partial=True)
        article = lxml.html.fragment_fromstring(article_html, create_parent="div")
    except (etree.ParserError, etree.XMLSyntaxError, Unparseable, ValueError) as e:
        raise SourceError(f"not a readable HTML page ({str(e)[:120] or 'empty'})", where=where) from None
    keys = set(load("formats")["page_metadata_keys"])
    metadata = page_metadata(page, keys)
    blocks = _blocks(article, keys)
    body = "".join(b if isinstance(b, str) else "".join("".join(c) for r in b.rows for c in r) for b in blocks)
    if len(_SPACE.sub("", body)) < MIN_ARTICLE_CHARS:
        raise SourceError(
            "no article found in the page: only navigation, links or a footer",
            where=where,
            hint="save the page of the document itself, or its attachment",
        )
    h1 = page.find(".//h1")
    title = dict(metadata).get("标题") or (_text(h1) if h1 is not None else "")
    if title and _squeeze(normalise(title).text) not in _squeeze(normalise(body).text):
        blocks.insert(0, title)
    return write(blocks, metadata)


def page_metadata(page: lxml.html.HtmlElement, keys: set[str]) -> list[tuple[str, str]]:
    """(key, value) pairs of the page's metadata table or "key：value" lines, then its <meta> fields."""
    pairs: list[tuple[str, str]] = []
    for table in page.iter("table"):
        if _is_metadata_table(table, keys):
            for row in table.iter("tr"):
                cells = [_text(c) for c in row if c.tag in ("td", "th")]
                for key, value in itertools.pairwise(cells):
                    key = _key(key)
                    if key in keys and _key(value) not in keys and value.strip():
                        pairs.append((key, value.strip()))
    if not pairs:
        for el in page.iter("li", "p", "span", "div", "td"):
            if len(el) <= 2:
                m = re.fullmatch(r"\s*([^:：\s]{2,6})\s*[:：]\s*(\S.{0,80}?)\s*", _text(el))
                if m and m.group(1) in keys and (m.group(1), m.group(2)) not in pairs:
                    pairs.append((m.group(1), m.group(2)))
    have = {k for k, _ in pairs}
    named = load("formats")["html_meta"]
    for meta in page.iter("meta"):
        key = named.get((meta.get("name") or "").lower())
        content = (meta.get("content") or "").strip()
        if key and content and key not in have:
            pairs.append((key, content))
            have.add(key)
    return pairs


def _is_metadata_table(table: lxml.html.HtmlElement, keys: set[str]) -> bool:
    cells = [_key(_text(c)) for c in table.iter("td", "th")]
    return sum(c in keys for c in cells) >= 2 and table.find(".//table") is None


def _key(text: str) -> str:
    return re.sub(r"[\s:：]", "", text)


def _squeeze(text: str) -> str:
    return re.sub(r"\s", "", text)


def _text(el: lxml.html.HtmlElement | None) -> str:
    """An element's text with its inline whitespace collapsed, as a browser shows it."""
    if el is None:
        return ""
    return _SPACE.sub(" ", "".join(_inline(el))).strip()


def _inline(el: lxml.html.HtmlElement) -> Iterator[str]:
    """An element's text, <br> as a line break, skipped elements left out."""
    if el.text:
        yield el.text
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _SKIP:
            if child.tag == "br":
                yield "\n"
            else:
                yield from _inline(child)
        if child.tail:
            yield child.tail


def _blocks(el: lxml.html.HtmlElement, keys: set[str]) -> list[Block]:
    """The article's paragraphs and tables in reading order."""
    out: list[Block] = []
    buffer: list[str] = []

    def flush() -> None:
        line = "\n".join(_SPACE.sub(" ", part).strip() for part in "".join(buffer).split("\n"))
        if line.strip():
            out.append(line.strip())
        buffer.clear()

    def walk(node: lxml.html.HtmlElement) -> None:
        if node.text:
            buffer.append(node.text)
        for child in node:
            if not isinstance(child.tag, str) or child.tag in _SKIP:
                pass
            elif child.tag == "br":
                buffer.append("\n")
            elif child.tag == "table":
                flush()
                if not _is_metadata_table(child, keys):
                    out.extend(_table(child, keys))
            elif child.tag in _BLOCKS or child.tag in ("td", "th"):
                flush()
                walk(child)
                flush()
            else:
                walk(child)
            if child.tail:
                buffer.append(child.tail)

    walk(el)
    flush()
    return out


def _table(table: lxml.html.HtmlElement, keys: set[str]) -> list[Block]:
    """An innermost table as a Table; a table holding tables is layout: its cells' blocks in order."""
    if table.find(".//table") is not None:
        return _blocks(table, keys)
    rows: list[tuple[tuple[str, ...], ...]] = []
    spans: dict[int, tuple[tuple[str, ...], int]] = {}  # column -> (cell, rows still to fill)
    for tr in table.iter("tr"):
        row: list[tuple[str, ...]] = []
        col = 0
        cells = [c for c in tr if c.tag in ("td", "th")]
        for cell in cells:
            while col in spans:
                row.append(_take_span(spans, col))
                col += 1
            paragraphs = tuple(b for b in _blocks(cell, keys) if isinstance(b, str))
            row.append(paragraphs)
            rowspan = _int(cell.get("rowspan"))
            colspan = _int(cell.get("colspan"))
            if rowspan > 1:
                spans[col] = (paragraphs, rowspan - 1)
            col += colspan
        while col in spans or any(c > col for c in spans):
            if col in spans:
                row.append(_take_span(spans, col))
            col += 1
        rows.append(tuple(row))
    return [Table(tuple(rows))]


def _take_span(spans: dict[int, tuple[tuple[str, ...], int]], col: int) -> tuple[str, ...]:
    cell, left = spans[col]
    if left <= 1:
        del spans[col]
    else:
        spans[col] = (cell, left - 1)
    return cell


def _int(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 100))
    except ValueError:
        return 1
