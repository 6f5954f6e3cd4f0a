"""Responsibility levels ("X是…第一责任人", "X对…负全面领导责任") and the posts they name.

A level lands on the offices its sentence's subject names, or on the holder of the list it
stands in; what the sentence asks beyond the level is that post's duty when it has no other.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rdflib import URIRef

from kgtool.read import designations
from kgtool.read.holders import bodies_named, designation_at_start, holders_of_offices
from kgtool.read.minting import SENTENCE, Extraction, Holder, mint_duty, mint_post, rule_pattern, rules
from kgtool.read.structure import Provision
from kgtool.read.triples import WSA


def read_levels(ex: Extraction) -> None:
    """ "X是…第一责任人", "X对…负全面领导责任": a level lands on the offices its sentence's
    subject names (distributed over 和, 党政), or on the holder of the list it stands in."""
    gloss, another = rule_pattern("definition_gloss"), rule_pattern("level_of_another")
    for p in map(heading_sentence_in_lead, ex.tree.walk()):
        lead = gloss.sub(lambda m: "＿" * len(m.group(0)), p.lead)
        for found in SENTENCE.finditer(lead):
            sentence, last, previous = found.group(), 0, None
            original = p.lead[found.start() : found.end()]
            levels = [m for m in ex.lex.find(sentence, "level") if not another.search(sentence[: m.start])]
            for n, level in enumerate(levels):
                remainder = after_level(original, level.end, levels[n + 1].start if n + 1 < len(levels) else None) or level_clause(
                    original, last, level.end
                )
                for holder in level_subject(ex, sentence[last : level.start], p, previous):
                    if holder.role is None and holder.body != ex.principal:
                        previous = holder.body  # "各类生产经营单位要落实…主体责任，法人代表…": its units
                    if holder.role is not None and not holder.collective:
                        post = mint_post(ex, holder, p)
                        ex.g.add((post, WSA.responsibilityLevel, level.iris[0]))
                        ex.summary.explanation.at(p.id).levels.append((holder.label, level.surface))
                        previous = holder.body if holder.body != ex.principal else None
                        if remainder:
                            ex.level_remainders.setdefault(post, (holder, p, remainder))
                last = level.end


def after_level(sentence: str, level_end: int, next_level: int | None) -> str:
    """What a sentence asks after the clause of a level, up to the clause of the next level
    ("法人代表要认真履行…第一责任人的责任，认真组织，周密安排…" -> "认真组织，周密安排…")."""
    cut = re.search(r"[，,]", sentence[level_end:])
    if cut is None:
        return ""
    rest = sentence[level_end + cut.end() :]
    if next_level is not None:
        rest = rest[: next_level - level_end - cut.end()]
        rest = rest[: max(rest.rfind("，"), rest.rfind(","), 0)]
    rest = rest.strip("，,。；; ")
    return rest if len(rest) >= 6 else ""


def level_clause(sentence: str, start: int, level_end: int) -> str:
    """The clause that states a level, from its subject on ("其他从业人员对安全生产负岗位责任")."""
    cut = max(sentence.rfind("，", start, level_end), sentence.rfind(",", start, level_end))
    clause = sentence[max(cut + 1, start) : level_end].strip("，,。；; ")
    return clause if len(clause) >= 6 else ""


def heading_sentence_in_lead(p: Provision) -> Provision:
    """The provision with a heading that is a sentence put back before its lead: a lead-in
    short enough to pass for a heading ("第四条 主管生产的负责人对生产系统安全生产工作负领导责任，
    主要职责：") states its level as a longer one would."""
    if p.heading and re.search(r"[，,；;]", p.heading):
        return replace(p, lead=f"{p.heading}：{p.lead}")
    return p


def level_duties(ex: Extraction) -> None:
    """A post whose only statement is its level sentence holds what that sentence asks beyond
    the level as its one duty ("部门单位主要负责人是…第一责任人，负责本部门单位日常安全工作"), or,
    when it asks nothing more, the level clause itself ("其他从业人员对安全生产负岗位责任": a
    catch-all, which the gap report shows as such); where a list spells the post's duties
    out, the sentence only summarises them."""
    made: dict[str, int] = {}
    for post, (holder, p, text) in ex.level_remainders.items():
        if not ex.g.objects(post, WSA.hasDuty):
            made[p.id] = made.get(p.id, 0) + 1
            mint_duty(ex, p, f"{p.id}-level-{made[p.id]}", text, [holder])


def level_subject(ex: Extraction, span: str, p: Provision, previous: URIRef | None = None) -> list[Holder]:
    """The holders a level clause names: the designation opening its clause, or the one
    standing alone in the clause before ("其他副科级以上领导，按照…负直接领导责任"), else the
    holder of the list the sentence is in."""
    context = ex.context.get(p.id, [])
    default = context[0].body if context else None
    clauses = [c.strip() for c in re.split(r"[，,：:]", span)]
    inherit = rules()["inherit_body_roles"]
    for k in range(len(clauses) - 1, -1, -1):
        found = designation_at_start(ex, clauses[k], subject=True) or (k < len(clauses) - 1 and designation_at_start(ex, clauses[k]))
        if found:  # "…主要负责人对本单位…，其他从业人员对…": that unit's staff
            topic = previous if previous is not None else topic_body(ex, clauses[:k], p)
            return [
                h
                for o in found[1]
                for h in holders_of_offices(ex, [o], p, topic if topic is not None and o.role in inherit and not o.body else default)
            ]
        if k == len(clauses) - 1 and not rule_pattern("level_clause_opening").match(clauses[k]):
            break
    return [h for h in context if h.role is not None] if len(clauses) <= 2 else []


def topic_body(ex: Extraction, clauses: list[str], p: Provision) -> URIRef | None:
    """The body the nearest earlier clause is about ("各类生产经营单位要落实…主体责任，法人代表要…":
    the units whose legal representative is meant), if that clause opens with bodies alone."""
    for clause in reversed(clauses):
        found = designation_at_start(ex, clause, subject=True)
        if found and not any(o.title for o in found[1]):
            bodies = bodies_named(ex, found[1][0].body, p)
            return bodies[0] if bodies else None
    return None


def accountable_posts(ex: Extraction) -> None:
    """ "（村委员会）实行一把手责任追究制": a scheme that holds an office of the passage's body to
    account names that office, even where the text gives it no duty of its own."""
    pattern = rule_pattern("accountable_office")
    for p in ex.tree.walk():
        bodies = [h.body for h in ex.context.get(p.id, []) if h.role is None]
        for m in pattern.finditer(p.lead if bodies else ""):
            offices = [o for o in designations.read(m.group("office"), ex.lex) if o.title and o.clean]
            for holder in holders_of_offices(ex, offices, p, bodies[0]):
                if holder.role is not None and not holder.collective:
                    mint_post(ex, holder, p)
