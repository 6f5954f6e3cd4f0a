"""What every format's reader gives: paragraphs, tables and the page's metadata, written as the
text the pipeline reads.

Why one writer: the structure parser already reads two table forms, and the front matter reads a
metadata table "key | value |"; each reader only finds paragraphs, cells and metadata in its
format, and this module writes them in those forms, so nothing downstream knows the format.

- a paragraph is one line (a line break inside it stays a line break); "" is a blank line, which
  the parser reads as a gap (and, after a line with no final punctuation, as a page break);
- a table is written as the one-cell-per-line form of `kgtool.read.structure._table`: each cell
  opens with a TAB, a cell's further paragraphs follow on lines of their own, a blank line ends a
  row, and a row of one cell is a caption. Not the pipe form: a pipe row is one line, so a duties
  cell's paragraphs would run on ("…调查处理。二、在进行…") and split differently;
- a table whose rows all have one cell is a layout box, not a table: its paragraphs are written
  as paragraphs (a caption-only table would otherwise swallow its text);
- metadata pairs come first, as the lines "key | value |" that `kgtool.read.frontmatter` reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of cells; each cell is its paragraphs. Merged cells appear once per row."""

    rows: tuple[tuple[tuple[str, ...], ...], ...]


#: A paragraph ("" for a blank line) or a table, in reading order.
Block = str | Table

_SPACES = re.compile(r"[\t\v\f\r]+")


def paragraph(text: str) -> str:
    """A paragraph's text as one line per line break: TABs (which open a table cell) and other
    control whitespace become spaces, and each line is stripped.

    >>> paragraph("\\t第一条\\t为了安全。 \\n  第二款")
    '第一条 为了安全。\\n第二款'
    """
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def write(blocks: Iterable[Block], metadata: Sequence[tuple[str, str]] = ()) -> str:
    """The text the pipeline reads: metadata lines, then each block (see the module's docstring)."""
    out = [f"{paragraph(key)} | {paragraph(value).replace(chr(10), ' ')} |" for key, value in metadata]
    for block in blocks:
        if isinstance(block, Table):
            out.extend(_table_lines(block))
        else:
            out.append(paragraph(block))
    return "\n".join(out).strip("\n") + "\n"


def _table_lines(table: Table) -> list[str]:
    rows = [[[line for p in cell for line in paragraph(p).split("\n") if line] for cell in row] for row in table.rows]
    rows = [[cell for cell in row if cell] for row in rows]
    rows = [row for row in rows if row]
    if all(len(row) == 1 for row in rows):  # a layout box: its paragraphs, not a table
        return ["", *(p for row in rows for p in row[0]), ""]
    out = [""]
    for row in rows:
        for cell in row:
            out.append("\t" + cell[0])
            out.extend(cell[1:])
        out.append("")
    return out
