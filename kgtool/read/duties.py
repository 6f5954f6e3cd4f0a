"""Duty texts: which provisions list duties, whose they are, and one duty per item or sentence.

A heading or lead that names a holder opens a duty list; its items (or a table row's duty cell)
are that holder's duties, and a sentence that opens with its own designation starts another
holder's. Sentences that state a level, cross-references and the document's words about itself
are no duties (the reason is noted for --explain).
"""

from __future__ import annotations

import re

from rdflib import URIRef

from kgtool.read import designations
from kgtool.read.frequencies import frequencies
from kgtool.read.holders import bodies_named, holders_at_start, holders_of_offices, sentence_subject
from kgtool.read.minting import SENTENCE, Extraction, Holder, holder_node, mint_duty, mint_post, rule_pattern, rules, scope_of
from kgtool.read.structure import Provision
from kgtool.read.triples import WSA
from kgtool.vocab import concept, local_name

ITEM_KINDS = {"part", "clause", "item", "subitem", "row"}


def holder_of(ex: Extraction, p: Provision, default: URIRef | None = None) -> tuple[list[Holder], str]:
    """Whose duties a provision lists, named by its heading or its lead, or by a table row;
    and what named them (for --explain).

    A heading made only of generic words (要求, 安全生产责任) names nobody: its items stay
    with the holder of the passage they are in, or unassigned at the top (never the issuer).
    """
    cues = rules()["duty_list_cues"]
    if p.kind == "table" or (p.heading and any(c in p.heading for c in rules()["not_duty_list_cues"])):
        return [], ""  # a table's rows name their own holders
    if p.heading:
        found = holders_at_start(ex, p.heading, p, default)
        if found and (any(c in p.heading for c in cues) or p.children):
            lead = lead_holders(ex, p, default) if found[0].role is None else []
            # "企业单位安全责任 / 企业单位主要负责人应当履行下列安全职责：" -> the post
            return (lead, f"list lead-in «{p.lead.strip()}»") if lead else (found, f"heading «{p.heading}»")
    found = lead_holders(ex, p, default)
    if found:
        return found, f"list lead-in «{p.lead.strip()}»"
    if p.kind == "row":
        return row_holders(ex, p), "the table row's cells"
    return [], ""


def lead_holders(ex: Extraction, p: Provision, default: URIRef | None = None) -> list[Holder]:
    """Holders named by a lead that introduces a list ("…主要履行以下安全生产职责:")."""
    if not (p.children and p.lead.rstrip().endswith(("：", ":"))):
        return []
    sentence = SENTENCE.findall(p.lead)[-1].strip()
    return holders_at_start(ex, sentence, p, default)


def duty_cell(row: Provision) -> str:
    """The text of a table row's duties column ("工作职责"), not the other cells."""
    columns = rules().get("table_columns", {})
    return "\n".join(c.text for c in row.cells if columns.get(c.column) == "duties")


def row_holders(ex: Extraction, row: Provision) -> list[Holder]:
    """A duty-table row: columns say which cell names the level, the post or the body."""
    columns = rules().get("table_columns", {})
    holders: list[Holder] = []
    level, supervisor = None, []
    for cell in row.cells:
        meaning = columns.get(cell.column)
        text = re.sub(r"\s+", "", cell.text)
        if meaning == "level":
            level = next(iter(ex.lex.find(text, "level")), None)
        elif meaning == "supervisor":
            supervisor = holders_of_offices(ex, designations.read(text, ex.lex), row)
        elif meaning == "post":
            found = holders_of_offices(ex, designations.read(text, ex.lex), row)
            holders.extend(found)
            if not found:
                ex.summary.unplaced.append(f"{row.id}: {text}")
        elif meaning == "body":
            bodies = bodies_named(ex, text, row)
            holders.extend(Holder(b, None, text) for b in bodies or [])
            if not bodies:
                ex.summary.unplaced.append(f"{row.id}: {text}")
    for h in holders:
        node = holder_node(ex, h, row)
        if level is not None and h.role is not None:
            ex.g.add((node, WSA.responsibilityLevel, level.iris[0]))
        if supervisor and h.role is None and supervisor[0].role is not None:
            ex.g.add((node, WSA.supervisedBy, holder_node(ex, supervisor[0], row)))
    return holders


def read_duties(ex: Extraction, p: Provision, holders: list[Holder] | None) -> None:
    """The duties under a provision: a provision that names its holders opens a list for them;
    else its children are read in turn, and a leaf outside any list holds a duty only where a
    sentence names its holder or sets a frequency."""
    default = holders[0].body if holders else None
    own, why = holder_of(ex, p, default) if p.kind != "document" else ([], "")
    if own:
        ex.context[p.id] = own
        note = ex.summary.explanation.at(p.id)
        note.holders, note.why = [h.label for h in own], why
        for h in own:
            if not h.collective:
                holder_node(ex, h, p)
        if p.children:
            if p.lead.strip() and not p.lead.rstrip().endswith(("：", ":")) and p.kind != "row":
                duty_texts(ex, p, p.lead, own, split=True, in_list=True)
            for child in p.children:
                duties_under(ex, child, own)
        else:
            # a table row's duty cell is one duty; an item's sentences are one duty each
            duty_texts(ex, p, duty_cell(p) if p.kind == "row" else p.lead, own, split=p.kind != "row", in_list=True)
        return
    if (
        not holders
        and p.heading
        and any(c in p.heading for c in rules()["holderless_list_cues"])
        and not any(c in p.heading for c in rules()["not_duty_list_cues"])
        and p.children
        and all(c.kind in ITEM_KINDS and c.kind != "row" for c in p.children)
    ):
        for child in p.children:  # "（一）安全生产责任 1.… 2.…": duties nobody is named for
            duties_under(ex, child, [])
        return
    for child in p.children:
        read_duties(ex, child, holders)
    if not p.children and p.kind != "document":
        duty_texts(ex, p, p.lead, [], split=False, in_list=False)


def duties_under(ex: Extraction, p: Provision, holders: list[Holder]) -> None:
    """The duties of a list's items, the list's holders' unless an item names its own."""
    if holder_of(ex, p, holders[0].body if holders else None)[0]:
        read_duties(ex, p, holders)
        return
    ex.context[p.id] = holders
    if p.lead.strip() and not p.lead.rstrip().endswith(("：", ":")) and p.kind in ITEM_KINDS and p.kind != "row":
        duty_texts(ex, p, p.lead, holders, split=False, in_list=True)
    for child in p.children:
        duties_under(ex, child, holders)


def duty_texts(ex: Extraction, p: Provision, text: str, holders: list[Holder], *, split: bool, in_list: bool) -> None:
    """One duty per item (or per sentence of an unnumbered passage); a sentence that opens
    with its own designation ("其他负责人按照…每季度至少…") starts that holder's duties.

    A sentence that states a level ("X对…负全面领导责任") is a level (see levels), and only
    what it asks beyond that is a duty; a cross-reference (详见附表) is none. Outside a duty
    list, text with no holder of its own is a duty only if it sets a frequency.
    """
    list_intro = rules()["list_intro"]
    skipped = ex.summary.explanation.at(p.id).skipped
    runs: list[tuple[list[Holder], list[str]]] = [(holders, [])]
    for sentence in (s.strip() for s in SENTENCE.findall(text)):
        if not sentence:
            continue
        if re.search(rf"{list_intro}[：:]", sentence):
            skipped.append((sentence, "introduces a list"))
            continue
        if is_reference(sentence):
            skipped.append((sentence, "a cross-reference"))
            continue
        if rule_pattern("self_reference").match(sentence):
            skipped.append((sentence, "about the document itself"))
            continue
        if not in_list and ex.lex.find(sentence, "level"):
            skipped.append((sentence, "states a level"))
            continue  # outside a duty list, "X是…第一责任人" states a level (see levels), not a duty
        subject = sentence_subject(
            ex, sentence, p, holders[0].body if holders else None, predicates=None if in_list else rules()["modal_predicates"]
        )
        sentence = beyond_level(ex, sentence)
        if subject:
            runs.append((subject, [sentence] if sentence else []))
        elif sentence:
            runs[-1][1].append(sentence)
    if not in_list:
        unowned = runs[0][1]
        timed = bool(unowned) and bool(frequencies("".join(unowned)))
        if unowned and not timed:
            skipped.extend((s, "no holder named and outside a duty list") for s in unowned)
        runs = runs[1:] + ([([], unowned)] if timed else [])
    parts = [(h, [s]) for h, ss in runs for s in ss] if split else [(h, ss) for h, ss in runs if ss]
    parts = [(h, ss) for h, ss in parts if len("".join(ss).strip()) >= 4]
    for k, (owners, sentences) in enumerate(parts):
        local = p.id if len(parts) == 1 else f"{p.id}-{k + 1}"
        mint_duty(ex, p, local, "".join(sentences).strip(), owners)


def is_reference(sentence: str) -> bool:
    """A cross-reference to a table or annex ("职责详见附表"), not a duty."""
    return any(re.search(cue, sentence) for cue in rules()["reference_cues"])


def stated_levels(ex: Extraction, sentence: str) -> list:
    """The level wordings of a sentence that only state a level ("X负直接领导责任"), not those
    that a duty asks to carry out ("落实分管行业领域安全生产监管责任": an item that is a duty
    whatever level it also implies; rules/extract.yaml level_as_object) or that name the one
    helped ("协助第一责任人…履行…职责"; level_of_another)."""
    as_object = rule_pattern("level_as_object", "level_of_another")
    return [m for m in ex.lex.find(sentence, "level") if not as_object.search(sentence[: m.start])]


def beyond_level(ex: Extraction, sentence: str) -> str:
    """What a sentence asks beyond the level it states: the clauses after the level clause,
    unless they state levels too ("…全面负责，其他从业人员对安全生产负岗位责任")."""
    levels = stated_levels(ex, sentence)
    if not levels:
        return sentence
    clauses = re.split(r"(?<=[，,])", sentence)
    kept, pos = [], 0
    for clause in clauses:
        start, pos = pos, pos + len(clause)
        if any(start <= m.start < pos for m in levels):
            continue
        kept.append(clause)
    rest = "".join(kept).strip("，, ")
    return rest if len(rest) >= 6 and kept and kept[0] is not clauses[0] else ""


def distribute_collectives(ex: Extraction) -> None:
    """Duties of "the leaders of B" (领导干部, 班子成员) go to every leader post in B; with no
    such post named, one post of role other stands for them (and is reported)."""
    for key, items in ex.collective_duties.items():
        scope = scope_of(ex, key)
        targets = [
            node for (post_scope, role, _), node in ex.posts.items() if post_scope == scope and local_name(role) in rules()["leader_roles"]
        ]
        for owner, duty, p in items:
            if targets:
                for node in targets:
                    ex.g.add((node, WSA.hasDuty, duty))
            else:
                other = Holder(owner.body, concept("role", "other"), owner.label, owner.bodies, known=False)
                ex.g.add((mint_post(ex, other, p), WSA.hasDuty, duty))
