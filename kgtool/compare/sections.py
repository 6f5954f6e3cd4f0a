"""Rendering of each comparison as sections of rows: the table, the long CSV and the HTML.

Takes the plain results (`RoleDutyMatrix`, `FrequencyTable`, `ConceptMatrix`,
`StructureMeasures`, `Similarity`, `Neighbours`, `PairDiff`); gives `Section` values that
`kgtool.compare.tables` turns into text, CSV or HTML. To change a column or a heading, open
this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kgtool.compare.frequencies import FrequencyTable
from kgtool.compare.graphs import StructureMeasures
from kgtool.compare.matrices import ConceptMatrix, RoleDutyMatrix
from kgtool.compare.model import Term, num
from kgtool.compare.pairdiff import PairDiff
from kgtool.compare.profile_tables import Neighbours
from kgtool.compare.similarities import Similarity, grouped
from kgtool.compare.tables import Section, legend


def roles_sections(m: RoleDutyMatrix) -> list[Section]:
    heads = ("holder 责任主体", "duty type 职责类型") + tuple(j.short for j in m.jurisdictions)
    rows: list[tuple[Any, ...]] = []
    for h in m.holders:
        total = tuple(m.totals.get(h.id, {}).get(j.slug, 0) if m.has(h.id, j.slug) else None for j in m.jurisdictions)
        rows.append((h.text, "（全部）/ all duties") + total)
        for t in m.duty_types:
            values = tuple(m.count(h.id, j.slug, t.id) for j in m.jurisdictions)
            if any(values):
                rows.append(("", t.text) + values)
    note = legend(m.jurisdictions) + ". Distinct duties; — = no such post or body in that document."
    return [Section("Role × duty type 岗位 × 职责类型", heads, tuple(rows), note)]


def roles_csv(m: RoleDutyMatrix) -> Section:
    heads = ("holder", "holder_zh", "holder_en", "duty_type", "duty_type_zh", "duty_type_en") + tuple(j.slug for j in m.jurisdictions)
    rows = []
    for h in m.holders:
        rows.append(
            (h.id, h.zh, h.en, "all", "全部", "all duties")
            + tuple(m.totals.get(h.id, {}).get(j.slug, 0) if m.has(h.id, j.slug) else None for j in m.jurisdictions)
        )
        for t in m.duty_types:
            values = tuple(m.count(h.id, j.slug, t.id) for j in m.jurisdictions)
            if any(values):
                rows.append((h.id, h.zh, h.en, t.id, t.zh, t.en) + values)
    return Section("", heads, tuple(rows))


def labels_sections(m: RoleDutyMatrix) -> list[Section]:
    heads = ("holder 责任主体", "in 出现") + tuple(j.short for j in m.jurisdictions)
    rows = []
    for h in m.holders:
        slugs = m.present.get(h.id, ())
        rows.append(
            (h.text, f"{len(slugs)}/{len(m.jurisdictions)}")
            + tuple(
                " | ".join(m.labels.get(h.id, {}).get(j.slug, ())) or ("（无）" if m.has(h.id, j.slug) else None) for j in m.jurisdictions
            )
        )
    only = m.only_in()
    slug_text = {j.slug: j.short for j in m.jurisdictions}
    missing = "; ".join(f"{j.short} lacks {len(m.missing(j.slug))}" for j in m.jurisdictions)
    note = (
        legend(m.jurisdictions)
        + ". Only in one: "
        + (
            ", ".join(
                f"{h.zh or h.id} ({slug_text[s]})" for h, s in ((next(x for x in m.holders if x.id == k), v) for k, v in only.items())
            )
            if only and len(m.jurisdictions) > 1
            else "—"
        )
        + f". {missing}."
    )
    return [Section("Roles and their labels as written 岗位及原文写法", heads, tuple(rows), note)]


def frequency_sections(t: FrequencyTable, wording: bool) -> list[Section]:
    short = {j.slug: j.short for j in t.jurisdictions}
    heads: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    if wording:
        heads = (
            "holder 责任主体",
            "action 事项",
            "jurisdiction 辖区",
            "times/yr 次/年",
            "period 周期",
            "min 次数",
            "as written 原文岗位",
            "wording 原文",
            "provision 条款",
        )
        rows = list(
            (
                r.holder.text,
                r.action.text,
                short[r.jurisdiction],
                r.times_per_year,
                r.period,
                r.min_occurrences,
                " · ".join(filter(None, (r.holder_written, r.body))),
                r.text,
                provision_id(r.provision),
            )
            for row in t.rows
            for s in row.requirements
            for r in row.requirements[s]
        )
        return [Section("Frequency requirements 频次要求（原文）", heads, tuple(rows), legend(t.jurisdictions), 70)]
    heads = ("holder 责任主体", "action 事项") + tuple(j.short for j in t.jurisdictions) + ("strictest 最严", "laxest 最宽")
    rows = []
    for row in t.rows:
        cells = []
        for j in t.jurisdictions:
            value = row.values.get(j.slug)
            reqs = row.requirements.get(j.slug, ())
            distinct = sorted({r.times_per_year for r in reqs}, reverse=True)
            cells.append(
                None if value is None else (num(value) + (f" ({', '.join(num(v) for v in distinct)})" if len(distinct) > 1 else ""))
            )
        several = len(row.values) > 1
        rows.append(
            (
                row.holder.text,
                row.action.text,
                *cells,
                ", ".join(short[s] for s in row.strictest) if several else "",
                ", ".join(short[s] for s in row.laxest) if several else "",
            )
        )
    note = (
        legend(t.jurisdictions) + ". Minimum times per year (每季度 = 4, 每半年 = 2); several requirements "
        "in one document: the highest binds, all in brackets; — = no number stated. --wording shows the text."
    )
    return [Section("Minimum times per year 每年最少次数", heads, tuple(rows), note)]


def provision_id(iri: str | None) -> str:
    """The provision's own id, e.g. "s2.p1" from …/wuxi-towns-2021/provision/s2.p1."""
    return iri.rsplit("/provision/", 1)[-1] if iri else ""


def frequency_csv(t: FrequencyTable) -> Section:
    heads = (
        "holder",
        "holder_zh",
        "holder_en",
        "action",
        "action_zh",
        "action_en",
        "jurisdiction",
        "times_per_year",
        "binding",
        "period",
        "min_occurrences",
        "holder_as_written",
        "body_as_written",
        "wording",
        "provision",
        "strictest",
        "laxest",
    )
    rows = []
    for row in t.rows:
        for slug, reqs in row.requirements.items():
            for r in reqs:
                rows.append(
                    (
                        row.holder.id,
                        row.holder.zh,
                        row.holder.en,
                        row.action.id,
                        row.action.zh,
                        row.action.en,
                        slug,
                        r.times_per_year,
                        r.times_per_year == row.values[slug],
                        r.period,
                        r.min_occurrences,
                        r.holder_written,
                        r.body,
                        r.text,
                        r.provision,
                        ";".join(row.strictest),
                        ";".join(row.laxest),
                    )
                )
    return Section("", heads, tuple(rows))


def principle_sections(matrices: Sequence[ConceptMatrix]) -> list[Section]:
    out = []
    for m in matrices:
        heads = (f"{m.kind} {'原则' if m.kind == 'principle' else '问责方式'}",) + tuple(j.short for j in m.jurisdictions) + ("in 出现",)
        rows = tuple(
            (c.text,)
            + tuple("✓" if m.invokes(j.slug, c.id) else "" for j in m.jurisdictions)
            + (f"{len(m.present.get(c.id, ()))}/{len(m.jurisdictions)}",)
            for c in m.concepts
        )
        shared = ", ".join(c.zh or c.id for c in m.shared_by_all) or "none 无"
        unique = (
            "; ".join(f"{j.short}: {', '.join(c.zh or c.id for c in m.unique[j.slug])}" for j in m.jurisdictions if m.unique.get(j.slug))
            or "none 无"
        )
        title = "Principles invoked 援引的原则" if m.kind == "principle" else "Sanctions provided 规定的问责方式"
        out.append(Section(title, heads, rows, f"Shared by all 全部共有: {shared}. Unique 独有: {unique}."))
    return out


def principle_csv(matrices: Sequence[ConceptMatrix]) -> Section:
    rows = []
    juris = matrices[0].jurisdictions if matrices else ()
    for m in matrices:
        for c in m.concepts:
            rows.append((m.kind, c.id, c.zh, c.en) + tuple(int(m.invokes(j.slug, c.id)) for j in juris) + (len(m.present.get(c.id, ())),))
    return Section("", ("kind", "concept", "zh", "en") + tuple(j.slug for j in juris) + ("documents",), tuple(rows))


def structure_sections(measures: Sequence[StructureMeasures]) -> list[Section]:
    heads = (
        "jurisdiction 辖区",
        "posts 岗位",
        "bodies 机构",
        "duties 职责",
        "depth 层级",
        "duties/post 岗均职责",
        "with frequency 有频次",
        "idle posts 空岗",
        "duties on bodies 机构职责",
        "longest chain 最长链",
        "idle posts as written 无实职岗位",
    )
    rows = tuple(
        (
            m.jurisdiction.short,
            m.posts,
            m.bodies,
            m.duties,
            m.depth,
            round(m.duties_per_post, 2),
            f"{m.frequency_share:.0%}",
            f"{m.idle_post_share:.0%}",
            f"{m.body_duty_share:.0%}",
            " → ".join(m.depth_chain),
            " | ".join(m.idle_posts),
        )
        for m in measures
    )
    note = (
        legend([m.jurisdiction for m in measures]) + ". Idle: no duty, or only catch-all (其他) duties. "
        "Depth: links in the longest postIn/subOrganizationOf chain."
    )
    return [Section("Structure 组织结构", heads, rows, note)]


def structure_csv(measures: Sequence[StructureMeasures]) -> Section:
    heads = (
        "jurisdiction",
        "posts",
        "bodies",
        "duties",
        "depth",
        "duties_per_post",
        "frequency_share",
        "idle_post_share",
        "body_duty_share",
        "longest_chain",
        "idle_posts",
    )
    return Section(
        "",
        heads,
        tuple(
            (
                m.jurisdiction.slug,
                m.posts,
                m.bodies,
                m.duties,
                m.depth,
                round(m.duties_per_post, 4),
                round(m.frequency_share, 4),
                round(m.idle_post_share, 4),
                round(m.body_duty_share, 4),
                " > ".join(m.depth_chain),
                ";".join(m.idle_posts),
            )
            for m in measures
        ),
    )


def similarity_sections(s: Similarity) -> list[Section]:
    short = {j.slug: j.short for j in s.jurisdictions}
    out = []
    for _name, title, matrix in (
        ("jaccard", "Jaccard over (role, duty type) pairs 岗位-职责对的Jaccard", s.jaccard),
        ("wl", f"Weisfeiler-Lehman graph kernel ({s.iterations} rounds, cosine) 图核相似度", s.wl),
    ):
        heads = ("",) + tuple(j.short for j in s.jurisdictions)
        rows = tuple((j.short,) + tuple(round(v, 2) for v in matrix[i]) for i, j in enumerate(s.jurisdictions))
        out.append(Section(title, heads, rows))
    heads = ("pair 辖区对", "Jaccard", "WL", "shared 共有", "only first 仅前者", "only second 仅后者", "why 原因")
    rows = tuple(
        (
            f"{short[p.a]} – {short[p.b]}",
            round(p.jaccard, 2),
            round(p.wl, 2),
            len(p.shared),
            len(p.only_a),
            len(p.only_b),
            f"shared: {grouped(p.shared, 3)} | only {short[p.a]}: {grouped(p.only_a, 2)} | only {short[p.b]}: {grouped(p.only_b, 2)}",
        )
        for p in s.pairs
    )
    out.append(Section("Pairs, closest first 辖区对（由近到远）", heads, rows, legend(s.jurisdictions), 160))
    return out


def similarity_csv(s: Similarity) -> Section:
    def flat(pairs: Sequence[tuple[Term, Term]]) -> str:
        return ";".join(f"{h.id}:{t.id}" for h, t in pairs)

    heads = ("a", "b", "jaccard", "wl", "shared", "only_a", "only_b", "shared_pairs", "only_a_pairs", "only_b_pairs")
    return Section(
        "",
        heads,
        tuple(
            (
                p.a,
                p.b,
                round(p.jaccard, 4),
                round(p.wl, 4),
                len(p.shared),
                len(p.only_a),
                len(p.only_b),
                flat(p.shared),
                flat(p.only_a),
                flat(p.only_b),
            )
            for p in s.pairs
        ),
    )


def neighbours_sections(n: Neighbours, note: str = "") -> list[Section]:
    short = {j.slug: j.short for j in n.jurisdictions}
    heads = (
        "jurisdiction 辖区",
        "rank 名次",
        "neighbour 相近辖区",
        "Jaccard",
        "WL",
        "shared 共有",
        "only first 仅前者",
        "only second 仅后者",
        "why 原因",
    )
    rows = tuple(
        (
            short[j.slug],
            rank,
            short[o.slug],
            round(o.jaccard, 2),
            round(o.wl, 2),
            len(o.shared),
            len(o.only_a),
            len(o.only_b),
            n.why(j.slug, o),
        )
        for j in n.jurisdictions
        for rank, o in enumerate(n.nearest[j.slug], start=1)
    )
    title = f"Nearest {n.k} of each, closest first 各辖区最相近的{n.k}个（由近到远）"
    text = (
        f"Jaccard over (role, duty type) pairs, then the Weisfeiler-Lehman graph kernel ({n.iterations} rounds, cosine). {note}".rstrip()
        + " "
        + legend(n.jurisdictions)
    )
    return [Section(title, heads, rows, text, 160)]


def neighbours_csv(n: Neighbours) -> Section:
    flat = ";".join
    heads = ("a", "rank", "b", "jaccard", "wl", "shared", "only_a", "only_b", "shared_pairs", "only_a_pairs", "only_b_pairs")
    return Section(
        "",
        heads,
        tuple(
            (
                j.slug,
                rank,
                o.slug,
                round(o.jaccard, 4),
                round(o.wl, 4),
                len(o.shared),
                len(o.only_a),
                len(o.only_b),
                flat(o.shared),
                flat(o.only_a),
                flat(o.only_b),
            )
            for j in n.jurisdictions
            for rank, o in enumerate(n.nearest[j.slug], start=1)
        ),
    )


def diff_rows(d: PairDiff) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for r in d.roles:
        if not (r.in_a or r.in_b):
            continue
        name = r.holder.text
        rows.append(
            (
                name,
                "as written 原文",
                " | ".join(r.written_a) or ("（有）" if r.in_a else None),
                " | ".join(r.written_b) or ("（有）" if r.in_b else None),
            )
        )
        if r.levels_a or r.levels_b:
            rows.append(
                ("", "level 责任层级", ", ".join(t.text for t in r.levels_a) or None, ", ".join(t.text for t in r.levels_b) or None)
            )
        if r.only_a or r.only_b:
            rows.append(
                (
                    "",
                    "demands only here 独有职责",
                    ", ".join(f"{t.zh} {t.id} ({r.types_a[t.id]})" for t in r.only_a) or None,
                    ", ".join(f"{t.zh} {t.id} ({r.types_b[t.id]})" for t in r.only_b) or None,
                )
            )
        if r.both:
            rows.append(
                (
                    "",
                    "both demand 共有职责",
                    ", ".join(f"{t.zh} {t.id} ({r.types_a[t.id]})" for t in r.both),
                    ", ".join(f"{t.zh} {t.id} ({r.types_b[t.id]})" for t in r.both),
                )
            )
        for f in r.frequencies:
            word = "stricter 更严" if f.a is not None and f.b is not None else "only here 仅此"
            mark = {"a": (word, ""), "b": ("", word)}.get(f.stricter or "", ("", ""))
            rows.append(
                (
                    "",
                    f"{f.action.text} times/yr 次/年",
                    (num(f.a) + (f" {mark[0]}" if mark[0] else "")) if f.a is not None else None,
                    (num(f.b) + (f" {mark[1]}" if mark[1] else "")) if f.b is not None else None,
                )
            )
    for label, pa, pb in (
        ("principles only here 独有原则", d.principles_only_a, d.principles_only_b),
        ("sanctions only here 独有问责", d.sanctions_only_a, d.sanctions_only_b),
    ):
        rows.append(
            ("(document 文件)", label, ", ".join(f"{t.zh} {t.id}" for t in pa) or None, ", ".join(f"{t.zh} {t.id}" for t in pb) or None)
        )
    return rows


def diff_sections(d: PairDiff) -> list[Section]:
    heads = ("holder 责任主体", "aspect 方面", d.a.short, d.b.short)
    note = f"{d.a.short} = {d.a.en} ({d.a.slug}); {d.b.short} = {d.b.en} ({d.b.slug}). — = none / no such post."
    return [Section(f"{d.a.text}  vs  {d.b.text}", heads, tuple(diff_rows(d)), note, 100)]


def diff_csv(d: PairDiff) -> Section:
    rows: list[tuple[Any, ...]] = []
    for r in d.roles:
        for side, slug, types, _written, _levels in (
            ("a", d.a.slug, r.only_a, r.written_a, r.levels_a),
            ("b", d.b.slug, r.only_b, r.written_b, r.levels_b),
        ):
            for t in types:
                rows.append((r.holder.id, "duty_type_only_here", slug, t.id, t.zh, t.en, (r.types_a if side == "a" else r.types_b)[t.id]))
        for f in r.frequencies:
            rows.append((r.holder.id, "times_per_year", d.a.slug, f.action.id, f.action.zh, f.action.en, f.a))
            rows.append((r.holder.id, "times_per_year", d.b.slug, f.action.id, f.action.zh, f.action.en, f.b))
        for slug, present in ((d.a.slug, r.in_a), (d.b.slug, r.in_b)):
            if present:
                rows.append((r.holder.id, "present", slug, "", "", "", 1))
    for kind, slug, terms in (
        ("principle_only_here", d.a.slug, d.principles_only_a),
        ("principle_only_here", d.b.slug, d.principles_only_b),
        ("sanction_only_here", d.a.slug, d.sanctions_only_a),
        ("sanction_only_here", d.b.slug, d.sanctions_only_b),
    ):
        rows.extend(("document", kind, slug, t.id, t.zh, t.en, 1) for t in terms)
    return Section("", ("holder", "aspect", "jurisdiction", "item", "item_zh", "item_en", "value"), tuple(rows))


def labels_csv(m: RoleDutyMatrix) -> Section:
    heads = ("holder", "holder_zh", "holder_en", "jurisdiction", "present", "labels_as_written")
    rows = tuple(
        (h.id, h.zh, h.en, j.slug, int(m.has(h.id, j.slug)), ";".join(m.labels.get(h.id, {}).get(j.slug, ())))
        for h in m.holders
        for j in m.jurisdictions
    )
    return Section("", heads, rows)
