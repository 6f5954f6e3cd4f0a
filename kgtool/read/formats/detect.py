"""Which format a source file is in, from its first bytes and, for containers, their contents.

Why by content: a download named .doc is often HTML or DOCX, and a .txt may be a saved page; the
name decides nothing. A format kgtool does not read is named in the error, so the user knows
what to convert it from.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Literal

from kgtool.errors import SourceError

Format = Literal["text", "html", "docx", "word97", "pdf"]

#: Formats by magic bytes at the very start: (prefix, name for a message, read or not).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"{\\rtf", "an RTF document"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"%!PS", "a PostScript file"),
    (b"AT&TFORM", "a DjVu document"),
    (b"\x7fELF", "an executable (ELF)"),
    (b"MZ", "an executable (Windows)"),
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_HTML = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)[\s>]", re.IGNORECASE | re.DOTALL
)
_UTF16 = (b"\xff\xfe", b"\xfe\xff")


def detect(data: bytes, *, where: str) -> Format:
    """The format of a file's bytes.

    >>> detect(b"%PDF-1.7\\n...", where="x"), detect("<!DOCTYPE html><html>".encode(), where="x")
    ('pdf', 'html')
    >>> detect("第一条 为了安全。".encode(), where="x")
    'text'

    Raises:
        SourceError: an empty file, or a format kgtool does not read (named).
    """
    if not data:
        raise SourceError("empty file (0 bytes)", where=where, hint="the source has no content")
    head = data[:2048]
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(_OLE):
        return _ole(data, where)
    if head.startswith(_ZIP):
        return _zip(data, where)
    for magic, name in _MAGIC:
        if head.startswith(magic):
            hint = "run OCR on it first and give kgtool the text" if "image" in name else "kgtool reads text, HTML, DOCX, DOC/WPS and PDF"
            raise SourceError(f"{name}, not a format kgtool reads", where=where, hint=hint)
    if _looks_like_html(head):
        return "html"
    return "text"


def _looks_like_html(head: bytes) -> bool:
    """Whether a file opens as an HTML page does (a doctype, <html>, <head> …, after a BOM, an XML
    declaration or comments), or names <html> in its first bytes."""
    if head.startswith(_UTF16):
        head = head.decode("utf-16", "ignore").encode("utf-8")
    head = head.removeprefix(b"\xef\xbb\xbf")
    return _HTML.match(head) is not None or b"<html" in head.lower()


def _ole(data: bytes, where: str) -> Format:
    """A Word 97-2003 document (.doc, or Kingsoft WPS, which writes the same streams), or
    another OLE2 compound file (Excel, PowerPoint, an encrypted Office file) named."""
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except (OSError, ValueError) as e:
        raise SourceError(f"a damaged OLE2 (Word 97-2003) file: {e}", where=where) from None
    with ole:
        streams = {"/".join(entry) for entry in ole.listdir()}
    if "EncryptedPackage" in streams:
        raise SourceError("an encrypted (password-protected) Office document", where=where, hint="save it again without a password")
    if "WordDocument" in streams:
        return "word97"
    for stream, name in (
        ("Workbook", "an Excel workbook (XLS)"),
        ("Book", "an Excel workbook (XLS)"),
        ("PowerPoint Document", "a PowerPoint presentation (PPT)"),
    ):
        if stream in streams:
            raise SourceError(f"{name}, not a format kgtool reads", where=where, hint="kgtool reads text, HTML, DOCX, DOC/WPS and PDF")
    raise SourceError(
        "an OLE2 compound file that is not a Word document", where=where, hint="kgtool reads text, HTML, DOCX, DOC/WPS and PDF"
    )


def _zip(data: bytes, where: str) -> Format:
    """A DOCX, or another ZIP-based format named (XLSX, PPTX, ODT, EPUB, a plain archive)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100].decode("ascii", "replace") if "mimetype" in names else ""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as e:
        raise SourceError(
            f"not a valid ZIP archive, so not a readable DOCX ({e})",
            where=where,
            hint="the file is damaged or cut short: download it again",
        ) from None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        name = "an Excel workbook (XLSX)"
    elif "ppt/presentation.xml" in names:
        name = "a PowerPoint presentation (PPTX)"
    elif mimetype.startswith("application/vnd.oasis.opendocument"):
        name = f"an OpenDocument file ({mimetype.rsplit('.', 1)[-1]})"
    elif mimetype == "application/epub+zip":
        name = "an EPUB book"
    else:
        name = "a ZIP archive (no word/document.xml, so not a DOCX)"
    raise SourceError(f"{name}, not a format kgtool reads", where=where, hint="kgtool reads text, HTML, DOCX, DOC/WPS and PDF")
