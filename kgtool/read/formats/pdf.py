"""A PDF with a text layer -> the document's text: lines joined into paragraphs, tables as rows and
cells, running headers, footers and page numbers left out.

pdfplumber (over pdfminer.six) gives each page's text lines with their positions, and its tables
from their ruling lines. What a PDF no longer says is recovered from the layout:

- furniture: a line in the top or bottom margin that repeats on most pages (digits aside), or
  that is only a page number (rules/formats.yaml: page_number), is not the document's;
- paragraphs: a line that reaches the right margin goes on in the next line (on this page or the
  next) unless that one is indented; a wider gap than a line's is a blank line, as in the text;
- tables: a cell's lines are joined, a new paragraph after sentence-final punctuation; a table
  that goes on over a page break is one table, and a row Word split over the break is one row.

A PDF without a text layer (a scan) is refused with a message saying so: reading it would need
OCR, and an empty graph would hide that.
"""

from __future__ import annotations

import io
import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from kgtool.errors import SourceError
from kgtool.read.formats.layout import Block, Table, write
from kgtool.read.structure import MARKERS
from kgtool.read.wordings import load

#: Lines inside this share of the page's height, at its top or bottom, may be running furniture.
MARGIN = 0.12
_FINAL = tuple("。；：！？;:!?")


@dataclass(slots=True)
class _Line:
    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


def read_pdf(data: bytes, where: str) -> str:
    """The PDF as the text the pipeline reads (see `kgtool.read.formats.layout`).

    Raises:
        SourceError: an encrypted, damaged or scanned (no text layer) PDF.
    """
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = list(pdf.pages)
    except (PdfminerException, PDFPasswordIncorrect) as e:
        cause = e.args[0] if e.args and isinstance(e.args[0], Exception) else e
        if isinstance(cause, PDFPasswordIncorrect) or "password" in type(cause).__name__.lower():
            raise SourceError(
                "an encrypted PDF that needs a password to open",
                where=where,
                hint="save it again without a password, or give kgtool the unlocked file",
            ) from None
        raise SourceError(
            f"a damaged PDF ({type(cause).__name__}: {str(cause)[:120] or 'unreadable'})",
            where=where,
            hint="download it again, or print it to a new PDF",
        ) from None
    with pdf:
        items: list[tuple[int, float, _Line | list[list[str | None]]]] = []
        chars = 0
        for number, page in enumerate(pages):
            chars += len(page.chars)
            tables = page.find_tables()
            boxes = [t.bbox for t in tables]
            for line in page.extract_text_lines(return_chars=False):
                middle = ((line["x0"] + line["x1"]) / 2, (line["top"] + line["bottom"]) / 2)
                if not any(b[0] <= middle[0] <= b[2] and b[1] <= middle[1] <= b[3] for b in boxes):
                    items.append((number, line["top"], _Line(number, line["text"], line["x0"], line["x1"], line["top"], line["bottom"])))
            for table in tables:
                items.append((number, table.bbox[1], table.extract()))
        if chars == 0:
            raise SourceError(
                "a PDF with no text layer (a scan?): kgtool reads the text of a document, not its image",
                where=where,
                hint="run OCR on it first (e.g. ocrmypdf) and give kgtool the result",
            )
        heights = {number: float(page.height) for number, page in enumerate(pages)}
    items.sort(key=lambda item: (item[0], item[1]))
    furniture = _furniture([i[2] for i in items if isinstance(i[2], _Line)], heights)
    return write(_blocks([(n, body) for n, _, body in items if not (isinstance(body, _Line) and id(body) in furniture)]))


def _furniture(lines: list[_Line], heights: dict[int, float]) -> set[int]:
    """ids of the lines that are running headers, footers or page numbers."""
    page_number = re.compile(load("formats")["page_number"])

    def in_margin(line: _Line) -> bool:
        height = heights[line.page]
        return line.top < MARGIN * height or line.bottom > (1 - MARGIN) * height

    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s", "", line.text))

    candidates = [line for line in lines if in_margin(line)]
    repeats = Counter(key(line) for line in {(line.page, key(line)): line for line in candidates}.values())
    pages = len(heights)
    out = set()
    for line in candidates:
        if page_number.match(re.sub(r"\s", "", line.text)) or (pages > 1 and repeats[key(line)] >= max(2, pages / 2)):
            out.add(id(line))
    return out


def _blocks(items: list[tuple[int, _Line | list[list[str | None]]]]) -> list[Block]:
    """Paragraphs and tables from the page items in reading order (see the module's docstring)."""
    lines = [body for _, body in items if isinstance(body, _Line)]
    if not lines:
        size, left, right, pitch = 12.0, 0.0, 0.0, 20.0
    else:
        size = statistics.median(line.bottom - line.top for line in lines) or 12.0
        left = statistics.median(min(x.x0 for x in lines if x.page == p) for p in {x.page for x in lines})
        right = statistics.median(max(x.x1 for x in lines if x.page == p) for p in {x.page for x in lines})
        steps = [b.top - a.top for a, b in itertools.pairwise(lines) if a.page == b.page and b.top > a.top]
        pitch = statistics.median(steps) if steps else size * 1.5
    out: list[str | list[list[list[str]]]] = []
    rows: list[list[list[str]]] | None = None
    previous: _Line | None = None
    for _number, body in items:
        if not isinstance(body, _Line):
            table = _cells(body)
            if rows is not None and previous is None and table:
                _continue(rows, table)
            else:
                rows = table
                out.append("")
                out.append(rows)
            previous = None
            continue
        if rows is not None:
            rows = None
            out.append("")
        line = body
        if previous is not None and isinstance(out[-1], str):
            goes_on = (
                previous.x1 >= right - 3 * size
                and previous.x0 <= left + 3 * size
                and _continues(previous, line, left, size)
                and not _opens(previous.text, line.text)
            )
            same_page = previous.page == line.page
            if goes_on and (not same_page or line.top - previous.top < pitch * 1.4):
                out[-1] += line.text.strip()
                previous = line
                continue
            if same_page and line.top - previous.top > pitch * 1.6:
                out.append("")
        out.append(line.text.strip())
        previous = line
    return [Table(tuple(tuple(tuple(c) for c in r) for r in b)) if isinstance(b, list) else b for b in out]


def _continues(previous: _Line, line: _Line, left: float, size: float) -> bool:
    """Whether a line starts where a paragraph's next line would: at the margin, under the line
    before (a paragraph indented as a whole), or, after a numbered line, at a hanging indent."""
    if line.x0 <= max(left, previous.x0) + 0.5 * size:
        return True
    numbered = any(pattern.match(previous.text.strip()) for _, _, pattern in MARKERS)
    return numbered and line.x0 <= previous.x0 + 5 * size


def _opens(before: str, line: str) -> bool:
    """Whether a line after a finished sentence opens a provision (第X条, 一、, （一）, 1.): a new
    paragraph, even when the sentence before it ran to the margin."""
    return before.rstrip().endswith(_FINAL) and any(pattern.match(line.strip()) for _, _, pattern in MARKERS)


def _cells(extracted: list[list[str | None]]) -> list[list[list[str]]]:
    """pdfplumber's rows as rows of cells of paragraphs; None (a merged cell's other columns) dropped."""
    rows = []
    for row in extracted:
        cells = [_cell_paragraphs(c) for c in row if c is not None]
        if any(cells):
            rows.append(cells)
    return rows


def _cell_paragraphs(text: str) -> list[str]:
    """A cell's wrapped lines joined, a new paragraph after sentence-final punctuation."""
    out: list[str] = []
    for line in (x.strip() for x in text.split("\n")):
        if not line:
            continue
        if out and not out[-1].endswith(_FINAL):
            out[-1] += line
        else:
            out.append(line)
    return out


def _continue(rows: list[list[list[str]]], more: list[list[list[str]]]) -> None:
    """Add a table's rows from the next page: a repeated header row is dropped, and a first row with
    empty cells is the rest of a row split by the page break."""
    first = more[0]
    if first in rows[:2]:
        more = more[1:]
    elif rows and len(first) == len(rows[-1]) and any(not c for c in first):
        for cell, rest in zip(rows[-1], first, strict=True):
            if rest and cell and not cell[-1].endswith(_FINAL):
                cell[-1] += rest[0]
                cell.extend(rest[1:])
            else:
                cell.extend(rest)
        more = more[1:]
    rows.extend(more)
