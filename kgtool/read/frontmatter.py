"""Front matter -> document metadata: 文号, title, date and issuer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kgtool.read.wordings import load


@dataclass(frozen=True, slots=True)
class Metadata:
    """Front-matter facts of a document."""

    number: str | None
    title: str | None
    issued: str | None
    creator: str | None


def front_matter(lead: str) -> Metadata:
    """文号, title, date and issuer from the text before the first provision.

    >>> m = front_matter("某市政府办公室文件\\n某政办发〔2020〕3号\\n关于印发《办法》的通知\\n某市政府办公室\\n2020年1月2日")
    >>> (m.number, m.title, m.issued, m.creator)
    ('某政办发〔2020〕3号', '关于印发《办法》的通知', '2020-01-02', '某市政府办公室')
    """
    meta: dict[str, str] = {}
    keys = load("extract")["metadata_keys"]
    for line in lead.splitlines():
        for key, value in _metadata_pairs(line):
            if key in keys:
                meta.setdefault(keys[key], value)
    number = meta.get("documentNumber")
    if not number:
        m = re.search(r"[\u4e00-\u9fff]{1,12}[〔\[［(（]\d{4}[〕\]］)）]\d+号", lead)
        number = m.group(0) if m else None
    endings = tuple(load("extract")["title_endings"])
    lines = [x.strip() for x in lead.splitlines() if x.strip()]
    title = None
    for i, line in enumerate(lines):
        if "关于" in line and "|" not in line:
            joined = ""
            for part in lines[i : i + 4]:
                joined = _join_cjk(joined, part)
                if joined.endswith(endings):
                    title = joined
                    break
            if title:
                break
    issued = meta.get("issued", "")
    d = re.match(r"(\d{4})(?:-|年)(\d{1,2})(?:-|月)(\d{1,2})", issued)
    creator = meta.get("creator")
    for i, line in enumerate(lines):
        dm = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", line)
        if dm:
            d = d or dm
            if creator is None and i > 0 and not re.search(r"[，。；:：|]", lines[i - 1]):
                creator = lines[i - 1]
            break
    d = d or re.match(r"(\d{4})(?:-|年)(\d{1,2})(?:-|月)(\d{1,2})", meta.get("published", ""))  # signed, else published
    creator = creator or meta.get("publisher")
    if title and creator and title.startswith(creator):
        title = title[len(creator) :].strip()
    date = f"{int(d.group(1)):04d}-{int(d.group(2)):02d}-{int(d.group(3)):02d}" if d else None
    return Metadata(number, title, date, creator)


def _metadata_pairs(line: str) -> list[tuple[str, str]]:
    """The key-value pairs of a metadata line: a table row "文号 | X |", or cells written
    "key:value" alone or side by side, as a flattened web page has them ("发文机关:某县人民政府办公室 | 成文日期:…").

    >>> _metadata_pairs("文号 | 某政办发〔2020〕3号 |"), _metadata_pairs("索引号:1-2 | 发文机关：某办公室")
    ([('文号', '某政办发〔2020〕3号')], [('索引号', '1-2'), ('发文机关', '某办公室')])
    """
    cells = [c.strip() for c in line.split("|") if c.strip()]
    if len(cells) >= 2 and not re.search(r"[:：]", cells[0]):
        return [(cells[0], cells[1])]
    pairs = [re.fullmatch(r"([^:：\s]{2,8})\s*[:：]\s*(\S.*)", c) for c in cells]
    return [(m.group(1), m.group(2).strip()) for m in pairs if m]


def _join_cjk(left: str, right: str) -> str:
    """Join two lines of a title, dropping layout spaces between Chinese characters."""
    return re.sub(r"(?<=[\u3400-\u9fff》”)）])\s+(?=[\u3400-\u9fff《“])", "", f"{left} {right}".strip())
