"""Source files as they are published -> the text the pipeline reads.

A plain text is decoded as it always was (`kgtool.read.normalise.decode`), so the committed
graphs do not move. A web page, a DOCX, a DOC or WPS and a PDF are told apart by their bytes
(`detect`), read by their own reader into paragraphs, tables and metadata, and written by
`layout.write` in the forms the structure parser and the front matter already read: everything
after this point (normalise, structure, extract, provenance offsets into the text) is the same
for every format. Each reader runs in a child process under the time and memory limits of
kgtool.settings (`limits`); DOC and WPS go through LibreOffice first (`libreoffice`).
"""

from __future__ import annotations

from pathlib import Path

from kgtool.read.formats.detect import Format, detect
from kgtool.read.formats.libreoffice import to_docx
from kgtool.read.formats.limits import run_limited
from kgtool.read.formats.pdf import read_pdf
from kgtool.read.formats.webpage import read_html
from kgtool.read.formats.word import read_docx
from kgtool.read.normalise import decode

__all__ = ["EXTENSIONS", "Format", "detect", "read_text", "source_files"]

#: The file name a kept source gets for each format (`kgtool ingest` keeps the original file).
EXTENSIONS: dict[Format, str] = {"text": ".txt", "html": ".html", "docx": ".docx", "word97": ".doc", "pdf": ".pdf"}
_NAMES: dict[Format, str] = {"html": "a web page", "docx": "a DOCX", "word97": "a DOC/WPS document", "pdf": "a PDF"}


def read_text(data: bytes, *, where: str, encoding: str | None = None) -> str:
    """The text of a source file's bytes, whatever its format (see the module's docstring).

    Args:
        encoding: the charset of a text file, or of a web page that declares none or a wrong one.

    Raises:
        SourceError: an empty, unsupported, damaged, hostile or scanned file, one line naming it.
    """
    kind = detect(data, where=where)
    if kind == "text":
        return decode(data, where=where, encoding=encoding)
    if kind == "html":
        return run_limited(read_html, data, where, encoding, where=where, what=_NAMES[kind], libraries=("lxml.html", "readability"))
    if kind == "pdf":
        return run_limited(
            read_pdf,
            data,
            where,
            where=where,
            what=_NAMES[kind],
            libraries=("pdfplumber", "pdfminer.pdfdocument", "pdfplumber.utils.exceptions"),
        )
    if kind == "word97":
        data = to_docx(data, where)
    return run_limited(read_docx, data, where, where=where, what=_NAMES[kind], libraries=("docx", "docx.opc.exceptions", "docx.table"))


def source_files(folder: Path) -> list[Path]:
    """The source files of a folder, in name order: every regular file but hidden ones (editor and
    temp files), whatever its name; its format is found when it is read."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))
