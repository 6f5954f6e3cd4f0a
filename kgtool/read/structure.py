"""Normalised text -> provision tree (章/条/一、/（一）/1./（1）, and annex tables).

Each provision keeps its character span in the normalised text so every statement
extracted from it can point back to the exact passage.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from kgtool.read.numerals import CN_CHARS as _CN
from kgtool.read.numerals import cn_number
from kgtool.read.wordings import load

#: (kind, id prefix, regex) — the numbered markers, tried in this order at a line start.
MARKERS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("chapter", "c", re.compile(rf"第([{_CN}\d]+)章[ \t]*")),
    ("section", "e", re.compile(rf"第([{_CN}\d]+)节[ \t]*")),
    ("article", "a", re.compile(rf"第([{_CN}\d]+)条[ \t]*")),
    ("part", "s", re.compile(rf"([{_CN}]+)[、．.][ \t]*")),
    ("clause", "p", re.compile(rf"[（(][ \t]*([{_CN}]+)[ \t]*[)）][ \t]*")),
    ("item", "i", re.compile(r"(\d{1,3})[ \t]*[.、．](?!\d)[ \t]*")),
    ("subitem", "n", re.compile(r"[（(][ \t]*(\d{1,3})[ \t]*[)）][ \t]*")),
)
#: Markers strong enough to open a list at any number (articles are numbered through a text).
STRONG = {"chapter", "section", "article"}
#: The strong markers from the outermost in: a chapter holds sections, a section holds articles.
_RANKS = ("chapter", "section", "article")


def rules() -> dict:
    """The structure wordings (rules/structure.yaml)."""
    return load("structure")


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell: its column header as written and its span in the normalised text."""

    column: str
    text: str
    char_start: int
    char_end: int


@dataclass(frozen=True, slots=True)
class Provision:
    """One chapter/article/item/table row; offsets let the web page highlight the source passage."""

    id: str  # "c3.a8.p2", stable across rebuilds of the same text
    kind: str  # document, chapter, article, part, clause, item, subitem, annex, table, row
    text: str  # the whole passage, page-break joins removed
    char_start: int  # into the normalised text
    char_end: int
    marker: str | None = None  # numbering as written: "第八条", "（二）", "1."
    ordinal: int | None = None
    heading: str | None = None
    lead: str = ""  # text before the first child (after the heading)
    cells: tuple[Cell, ...] = ()
    children: tuple[Provision, ...] = ()

    def walk(self):
        """This provision and all below it, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class _Node:
    kind: str
    prefix: str
    ordinal: int | None
    marker: str | None
    start: int
    end: int = 0
    body_start: int = 0
    cells: list[Cell] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int
    text: str


def _lines(text: str, start: int = 0, end: int | None = None) -> list[_Line]:
    end = len(text) if end is None else end
    out, pos = [], start
    while pos <= end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        out.append(_Line(pos, stop, text[pos:stop]))
        if nl < 0:
            break
        pos = nl + 1
    return out


def _match_marker(line: str) -> tuple[str, str, int | None, str, int] | None:
    """(kind, id prefix, ordinal, marker text, marker length) for a line that opens a provision."""
    body = line.lstrip("\t")
    indent = len(line) - len(body)
    for kind, prefix, pattern in MARKERS:
        m = pattern.match(body)
        if m and m.end() < len(body):
            return kind, prefix, cn_number(m.group(1)), m.group(0).strip(), indent + m.end()
    squeezed = re.sub(r"\s+", "", body)
    for kind, words in rules()["bare_headings"].items():
        if squeezed in words:
            return kind, kind[0], None, body.strip(), len(line)
    return None


def _accept(stack: list[_Node], kind: str, ordinal: int | None) -> int | None:
    """Stack depth at which a marker opens a provision, or None if it is plain text."""
    depth = next((i for i in range(len(stack) - 1, 0, -1) if stack[i].kind == kind), None)
    if ordinal is None:  # bare heading such as 总则 / 附件: a top-level part
        return depth if depth is not None else 1
    if depth is None:
        return len(stack) if (ordinal == 1 or kind in STRONG) else None
    last = stack[depth].ordinal or 0
    if last <= ordinal <= last + 3 or ordinal == 1:
        return depth
    return None


def _is_final(line: str) -> bool:
    return bool(line) and line[-1] in rules()["sentence_final"]


def _joined(text: str, start: int, end: int) -> str:
    """The passage as a reader sees it: page breaks (no final punctuation, blank line) joined."""
    final = rules()["sentence_final"]
    paras = [p.strip() for p in re.split(r"\n\s*\n", text[start:end])]
    out: list[str] = []
    for para in (p for p in paras if p):
        para = "\n".join(x.strip() for x in para.split("\n"))
        if out and out[-1][-1] not in final and _match_marker(para.split("\n")[0]) is None:
            out[-1] += para
        else:
            out.append(para)
    return "\n".join(out)


def _squeeze_heading(text: str) -> str:
    """Drop layout spaces between CJK characters: "总 则" -> "总则"."""
    return re.sub(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])", "", text).strip().rstrip("：:")


def parse(text: str) -> Provision:
    """Parse a normalised text into its provision tree, rooted at a "document" provision.

    >>> doc = parse("通知\\n第一章 总则\\n第一条 为了安全。\\n第二条 职责如下：\\n（一）检查。\\n（二）报告。")
    >>> for p in list(doc.walk())[1:]:  # the root, "front", is the text before 第一章
    ...     print(p.id, p.kind, p.heading)
    c1 chapter 总则
    c1.a1 article None
    c1.a2 article 职责如下
    c1.a2.p1 clause None
    c1.a2.p2 clause None

    Markers that run on inside a line count when they are real ones (see `_split_run_on`):

    >>> [(p.id, p.text) for p in parse("第一条 职责:(一)检查;(二)报告。第二条 依据第一条规定执行。").walk()][1:]
    [('a1', '第一条 职责:(一)检查;(二)报告。'), ('a1.p1', '(一)检查;'), ('a1.p2', '(二)报告。'), ('a2', '第二条 依据第一条规定执行。')]
    """
    root = _Node("document", "", None, None, 0, body_start=0)
    stack = [root]
    seen: dict[str, int] = {}
    lines = _lines(text)
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.text.startswith("\t"):
            i = _table(text, lines, i, stack)
            continue
        if _is_pipe_row(line.text):
            i = _pipe_table(text, lines, i, stack)
            continue
        found = _match_marker(line.text)
        depth = _accept(stack, found[0], found[2]) if found else None
        if found and depth is not None:
            kind, prefix, ordinal, marker, length = found
            _push(text, stack, seen, depth, _Node(kind, prefix, ordinal, marker, line.start, body_start=line.start + length))
        _split_run_on(text, line.start, line.end, stack, seen)
        i += 1
    for node in stack:
        node.end = _trim_end(text, len(text))
    return _freeze(text, root, "")


def _push(text: str, stack: list[_Node], seen: dict[str, int], depth: int, node: _Node) -> None:
    """Close the provisions at `depth` and below where `node` starts, and open `node` there."""
    for open_node in stack[depth:]:
        open_node.end = _trim_end(text, node.start)
    del stack[depth:]
    stack[-1].children.append(node)
    stack.append(node)
    if node.kind in STRONG and node.ordinal is not None:
        seen[node.kind] = node.ordinal


#: Where a numbered marker can begin inside a line.
_RUN_ON_HEAD = re.compile(rf"第|[（(]|[{_CN}]|\d")
#: Sentence or clause punctuation inside a would-be heading.
_HEADING_STOPS = frozenset("。；;：:，,！？!?")
_MORE_ON_LINE = re.compile(r"[ \t]*[^\s]")


def _match_at(text: str, pos: int, end: int) -> tuple[str, str, int, str, int, int] | None:
    """(kind, id prefix, ordinal, marker, marker length, end of the numbering) for a numbered marker
    at text[pos:end] with text after it; the numbering ends before the spaces that follow it."""
    for kind, prefix, pattern in MARKERS:
        m = pattern.match(text, pos, end)
        if m and m.end() < end:
            numbering = m.group(0).rstrip(" \t")
            return kind, prefix, cn_number(m.group(1)), numbering, m.end() - pos, pos + len(numbering)
    return None


def _bracketed(text: str, start: int, end: int) -> list[bool]:
    """Per position of text[start:end], whether it lies strictly inside a bracket pair closed on the line.

    An opening bracket that never closes on the line protects nothing: a stray "(" must not stop every
    later marker of a flattened page from being read.
    """
    pairs = rules()["run_on_brackets"]
    closer_of = {pair[1]: pair[0] for pair in pairs}
    openers: dict[str, list[int]] = {pair[0]: [] for pair in pairs}
    inside = [False] * (end - start + 1)
    for i in range(start, end):
        char = text[i]
        if char in openers:
            openers[char].append(i)
        elif char in closer_of and openers[closer_of[char]]:
            left = openers[closer_of[char]].pop()
            inside[left + 1 - start : i - start] = [True] * (i - left - 1)
    return inside


def _after_heading(text: str, node: _Node, pos: int) -> bool:
    """Whether `node`'s text so far, on the line of `pos`, is a short heading: "二、职责内容 (一)…"."""
    if node.kind == "document" or "\n" in text[node.body_start : pos]:
        return False
    heading = _squeeze_heading(text[node.body_start : pos])
    return 0 < len(heading) <= rules()["max_heading_chars"] and not _HEADING_STOPS & set(heading)


def _accept_run_on(text: str, stack: list[_Node], seen: dict[str, int], kind: str, ordinal: int, pos: int, punctuated: bool) -> int | None:
    """Stack depth at which a marker inside a line opens a provision, or None if it is plain text.

    Stricter than `_accept` at a line start: the marker must be numbered next after its open sibling
    (article, chapter and section numbers run through the text, so next after the last one seen), or be
    the first of a new list; a first (一)/1./一、 needs punctuation or a short heading before it. As at a
    line start, the first 第X条/章/节 of the text may carry any number if punctuation comes before it.
    """
    depth = next((i for i in range(len(stack) - 1, 0, -1) if stack[i].kind == kind), None)
    if kind in STRONG:
        first = kind not in seen and punctuated  # the first 第X章 after an unnumbered 总则 can be 第二章
        if not (ordinal == seen.get(kind, 0) + 1 or (depth is None and ordinal == 1) or first):
            return None
        if depth is None:  # a 第二章 closes the open 第五条 rather than opening inside it
            rank = _RANKS.index(kind)
            depth = next((i for i in range(1, len(stack)) if stack[i].kind in _RANKS[rank:]), len(stack))
        return depth
    if depth is not None:
        return depth if ordinal == (stack[depth].ordinal or 0) + 1 else None
    if ordinal == 1 and (punctuated or _after_heading(text, stack[-1], pos)):
        return len(stack)
    return None


def _split_run_on(text: str, start: int, end: int, stack: list[_Node], seen: dict[str, int]) -> None:
    """Open, in order, the provisions whose markers run on inside the line text[start:end].

    Why: web copies lose line breaks ("…制定本办法。第二条 本办法…", "…职责:(一)…;(二)…"). A marker
    there counts only after sentence or clause punctuation (or a space, see `_accept_run_on` and the
    rules), outside citations and parentheses, when it is not a cross-reference (第五条规定) and when
    it is numbered in sequence. The text is not changed: the new provisions start inside the line.
    """
    r = rules()
    after = r["run_on_after"]
    references = tuple(r["run_on_references"])
    inside: list[bool] | None = None
    for head in _RUN_ON_HEAD.finditer(text, start + 1, end):
        pos = head.start()
        before = pos
        while before > start and text[before - 1] in " \t":
            before -= 1
        if before == start or (before == pos and text[pos - 1] not in after):
            continue  # at the line start (read there already) or glued to the word before it
        found = _match_at(text, pos, end)
        if found is None:
            continue
        kind, prefix, ordinal, marker, length, numbering_end = found
        punctuated = text[before - 1] in after
        if kind in STRONG and text.startswith(references, numbering_end):
            continue  # 第五条规定, 第二章所规定: a reference
        if kind == "part" and text[numbering_end : numbering_end + 1] in _CN:
            continue  # 一、二级: a range of numbers, not a list
        if inside is None:
            inside = _bracketed(text, start, end)
        if inside[pos - start]:
            continue
        depth = _accept_run_on(text, stack, seen, kind, ordinal, pos, punctuated)
        if depth is not None:
            _push(text, stack, seen, depth, _Node(kind, prefix, ordinal, marker, pos, body_start=pos + length))


def _shares_line(text: str, pos: int) -> bool:
    """Whether a provision boundary at pos falls inside a line, with text before and after it on the line."""
    line_start = text.rfind("\n", 0, pos) + 1
    return bool(text[line_start:pos].strip()) and _MORE_ON_LINE.match(text, pos) is not None


def _trim_end(text: str, end: int) -> int:
    while end > 0 and text[end - 1] in " \t\n":
        end -= 1
    return end


def _table(text: str, lines: list[_Line], i: int, stack: list[_Node]) -> int:
    """Read a run of one-cell-per-line table rows (cells start with a TAB; rows split by blank lines)."""
    table = _Node("table", "t", None, None, lines[i].start, body_start=lines[i].start)
    header: list[str] = []
    while i < len(lines) and lines[i].text.startswith("\t"):
        row_lines = []
        while i < len(lines) and lines[i].text.strip():
            row_lines.append(lines[i])
            i += 1
        cells: list[list[int]] = []
        for ln in row_lines:
            if ln.text.startswith("\t") or not cells:
                cells.append([ln.start + (len(ln.text) - len(ln.text.lstrip("\t"))), ln.end])
            else:
                cells[-1][1] = ln.end
        texts = [_joined(text, s, e) for s, e in cells]
        if len(cells) == 1:  # a caption: starts a new table unless it is the first line
            if table.children or table.marker:
                _close_table(text, stack, table)
                table = _Node("table", "t", None, None, row_lines[0].start, body_start=row_lines[0].start)
            table.marker, header = texts[0], []
        elif not header or texts == header:
            header = texts
        else:
            row = _Node("row", "r", len(table.children) + 1, None, row_lines[0].start, end=row_lines[-1].end, body_start=row_lines[0].start)
            row.cells = [Cell(header[k] if k < len(header) else f"#{k + 1}", texts[k], s, e) for k, (s, e) in enumerate(cells)]
            _cell_items(text, row, cells[-1])
            table.children.append(row)
        table.end = row_lines[-1].end
        while i < len(lines) and not lines[i].text.strip():
            i += 1
    _close_table(text, stack, table)
    return i


def _is_pipe_row(line: str) -> bool:
    """Whether a line is a row of a table written with | separators ("| 1 | 党组书记 | 第一责任人 | 1.…；2.… |"),
    as web pages and Markdown copies of a document give its tables; at least two cells."""
    return bool(re.fullmatch(r"[ \t]*\|(?:[^|\n]*\|){2,}[ \t]*", line))


def _pipe_cells(line: _Line) -> list[tuple[int, int]]:
    """The spans of a pipe row's cells, without the spaces around each."""
    bars = [line.start + k for k, ch in enumerate(line.text) if ch == "|"]
    spans = []
    for left, right in itertools.pairwise(bars):
        cell = line.text[left + 1 - line.start : right - line.start]
        lead = len(cell) - len(cell.lstrip())
        spans.append((left + 1 + lead, left + 1 + max(lead, len(cell.rstrip()))))  # an empty cell: an empty span
    return spans


def _pipe_table(text: str, lines: list[_Line], i: int, stack: list[_Node]) -> int:
    """Read a run of pipe-table lines: the first is the header, each later one a row. A cell is one
    line, so the numbered items of its duties cell ("1.…；2.…") run on: they are split as in a
    flattened text, whatever `run_on_in_table_cells` says of one-cell-per-line tables."""
    table = _Node("table", "t", None, None, lines[i].start, body_start=lines[i].start)
    header = [text[s:e] for s, e in _pipe_cells(lines[i])]
    table.end = lines[i].end
    i += 1
    while i < len(lines) and _is_pipe_row(lines[i].text):
        cells = _pipe_cells(lines[i])
        if all(re.fullmatch(r":?-+:?", text[s:e]) for s, e in cells):  # a Markdown separator left in
            i += 1
            continue
        row = _Node("row", "r", len(table.children) + 1, None, lines[i].start, end=lines[i].end, body_start=lines[i].start)
        row.cells = [Cell(header[k] if k < len(header) else f"#{k + 1}", text[s:e], s, e) for k, (s, e) in enumerate(cells)]
        _cell_items(text, row, list(cells[-1]), run_on=True)
        table.children.append(row)
        table.end = lines[i].end
        i += 1
    _close_table(text, stack, table)
    return i


def _close_table(text: str, stack: list[_Node], table: _Node) -> None:
    if not table.children:
        return
    parent = next((n for n in reversed(stack) if n.kind in ("annex", "document")), stack[0])
    for node in stack[stack.index(parent) + 1 :]:
        node.end = min(node.end or table.start, _trim_end(text, table.start))
    del stack[stack.index(parent) + 1 :]
    table.ordinal = sum(1 for c in parent.children if c.kind == "table") + 1
    parent.children.append(table)


def _cell_items(text: str, row: _Node, span: list[int], *, run_on: bool = False) -> None:
    """Numbered items inside the last (duties) cell of a row become the row's children; run_on also
    splits items that run on inside a line."""
    stack = [row]
    seen: dict[str, int] = {}
    for line in _lines(text, span[0], span[1]):
        found = _match_marker(line.text.lstrip("\t"))
        depth = _accept(stack, found[0], found[2]) if found else None
        if found and depth is not None and found[2] is not None:
            kind, prefix, ordinal, marker, length = found
            offset = len(line.text) - len(line.text.lstrip("\t"))
            for node in stack[depth:]:
                node.end = _trim_end(text, line.start)
            del stack[depth:]
            node = _Node(kind, prefix, ordinal, marker, line.start + offset, body_start=line.start + offset + length - offset)
            stack[-1].children.append(node)
            stack.append(node)
        if run_on or rules()["run_on_in_table_cells"]:
            _split_run_on(text, line.start, line.end, stack, seen)
    for node in stack[1:]:
        node.end = _trim_end(text, span[1])


def _freeze(text: str, node: _Node, parent_id: str, seen: set[str] | None = None) -> Provision:
    seen = set() if seen is None else seen
    own = f"{node.prefix}{node.ordinal if node.ordinal is not None else ''}" if node.kind != "document" else ""
    pid = ".".join(x for x in (parent_id, own) if x) or "front"
    base, n = pid, 2
    while pid in seen:
        pid, n = f"{base}-{n}", n + 1
    seen.add(pid)
    first_child = node.children[0].start if node.children else node.end
    heading, lead_start = None, node.body_start
    if node.kind == "table":
        heading = node.marker
    elif node.kind not in ("document", "row"):
        heading = _heading(text, node.body_start, first_child)
        if heading is not None:
            nl = text.find("\n", node.body_start, first_child)
            lead_start = first_child if nl < 0 else nl
    lead = _joined(text, lead_start, _trim_end(text, first_child) if node.children else node.end)
    children = tuple(_freeze(text, c, pid if node.kind != "document" else "", seen) for c in node.children)
    return Provision(
        id=pid,
        kind=node.kind,
        text=_joined(text, node.start, node.end),
        char_start=node.start,
        char_end=node.end,
        marker=node.marker if node.kind != "table" else None,
        ordinal=node.ordinal,
        heading=heading,
        lead=lead,
        cells=tuple(node.cells),
        children=children,
    )


def _heading(text: str, start: int, stop: int) -> str | None:
    """The heading on a marker's line: short, no sentence inside, not broken by a page break."""
    nl = text.find("\n", start, stop)
    first = text[start : stop if nl < 0 else nl].strip()
    squeezed = _squeeze_heading(first)
    if not squeezed or len(squeezed) > rules()["max_heading_chars"] or "。" in first:
        return None
    if first.endswith(("：", ":")):
        return squeezed
    if _is_final(first):
        return None
    if nl < 0 and _shares_line(text, stop):
        return squeezed  # the next provision runs on in the same line: "第一章 总则 第一条 …"
    if _broken_after(text, start):
        return None
    return squeezed


def _broken_after(text: str, pos: int) -> bool:
    """Whether the line starting at pos was broken by a page break (see rules: sentence_final)."""
    nl = text.find("\n", pos)
    if nl < 0:
        return False
    line = text[pos:nl].rstrip()
    rest = text[nl:]
    m = re.match(r"\n[ \t]*\n\s*", rest)
    if not m or _is_final(line) or not line:
        return False
    nxt = rest[m.end() :].split("\n", 1)[0]
    return bool(nxt) and _match_marker(nxt) is None and not nxt.startswith("\t")
