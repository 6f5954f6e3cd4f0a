"""A Word document (DOCX) -> the document's text: paragraphs with Word's own numbering, and tables
read as rows and cells.

python-docx reads the body in order. A paragraph is its characters (line breaks kept) after the
number Word draws for it (`kgtool.read.formats.numbering`); a table is `layout.Table`, a cell
merged across columns once per row, one merged down rows repeated in each (each row then reads
whole, as the one-cell-per-line copies of such tables have it). Headers, footers, footnotes,
comments and text boxes are not the document's text and are left out.

The archive is checked before it is opened: a DOCX that unpacks to more than
`max_unpacked_bytes` is refused as a zip bomb, whatever its size on disk.
"""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING

from kgtool.errors import SourceError
from kgtool.read.formats.layout import Block, Table, write
from kgtool.read.formats.numbering import Numbering
from kgtool.settings import setting

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import Table as DocxTable
    from lxml import etree


def check_archive(data: bytes, where: str) -> None:
    """Refuse a zip bomb (declared sizes are what zipfile will unpack, no more) or a damaged archive."""
    limit = int(setting("max_unpacked_bytes"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as e:
        raise SourceError(
            f"not a valid ZIP archive, so not a readable DOCX ({e})",
            where=where,
            hint="the file is damaged or cut short: download it again",
        ) from None
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limit or len(infos) > 10_000:
        raise SourceError(
            f"a zip bomb: the DOCX unpacks to {unpacked / 1e6:.0f} MB in {len(infos)} parts, more than the {limit / 1e6:.0f} MB allowed",
            where=where,
            hint="not a real Word document? raise KGTOOL_MAX_UNPACKED_BYTES if it is one",
        )


def read_docx(data: bytes, where: str) -> str:
    """The DOCX as the text the pipeline reads (see `kgtool.read.formats.layout`).

    Raises:
        SourceError: a damaged archive, a zip bomb, or a package python-docx cannot open.
    """
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table as DocxTable

    check_archive(data, where)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as e:
        raise SourceError(
            f"not a readable Word document: {str(e)[:160]}",
            where=where,
            hint="the file is damaged: open and save it again in Word or LibreOffice",
        ) from None
    numbering = Numbering(_part_element(document, "numbering_part"), _part_element(document, "styles_part"))
    blocks: list[Block] = []
    for item in document.iter_inner_content():
        if isinstance(item, DocxTable):
            blocks.append(_table(item, numbering))
        else:
            blocks.append(numbering.label(item._p) + item.text)
    return write(blocks)


def _part_element(document: DocxDocument, name: str) -> etree._Element | None:
    """The XML of a part the document may not have (numbering.xml, styles.xml)."""
    try:
        part = getattr(document.part, name)
    except (KeyError, NotImplementedError, AttributeError):
        return None
    return part.element


def _table(table: DocxTable, numbering: Numbering) -> Table:
    rows = []
    for row in table.rows:
        cells: list[tuple[str, ...]] = []
        seen = None
        for cell in row.cells:
            if cell._tc is seen:
                continue
            seen = cell._tc
            paragraphs = [numbering.label(p._p) + p.text for p in cell.paragraphs]
            for inner in cell.tables:  # a table in a cell: its cells' paragraphs, in order
                paragraphs.extend(p.text for r in inner.rows for c in r.cells for p in c.paragraphs)
            cells.append(tuple(paragraphs))
        rows.append(tuple(cells))
    return Table(tuple(rows))
