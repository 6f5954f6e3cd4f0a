"""Who fills a post, and who belongs to a group: leading-group rosters, appointments in prose
("办公室主任由…局长刘燕军兼任") and lists of member bodies ("…部门包括：A、B、C")."""

from __future__ import annotations

import re

from rdflib import Literal, URIRef

from kgtool.read import designations
from kgtool.read.holders import holders_at_start, holders_of_offices
from kgtool.read.minting import Extraction, Holder, mint_body, mint_person, mint_post, provision_iri, rules
from kgtool.read.structure import Provision
from kgtool.read.triples import ORG, PROV, RDF, SKOS, WSA


def read_appointments(ex: Extraction) -> None:
    """Prose that fills a post: "办公室主任由…局长刘燕军兼任", "党组书记、常务副主席任组长"."""
    verbs = "|".join(designations.rules()["appointment_verbs"])
    for p in ex.tree.walk():
        if p.children or p.kind == "document":
            continue
        for sentence in re.split(r"[，,。；;]", p.lead):
            m = re.fullmatch(rf"(.+?)由(.+?)(?:{verbs})", sentence.strip())
            if m:
                appoint(ex, p, m.group(1), m.group(2))


def appoint(ex: Extraction, p: Provision, post_phrase: str, holder_phrase: str) -> None:
    """ "X由Y兼任": the post X, held by the person Y names (if a name ends it), with Y's wording
    as another label of X."""
    offices = designations.read(post_phrase, ex.lex)
    if len(offices) != 1 or not offices[0].title:
        return
    group = next(
        (
            b
            for b in ex.g.subjects(PROV.wasDerivedFrom, provision_iri(ex, p))
            if isinstance(b, URIRef) and ex.g.value(b, RDF.type) == WSA.WorkingOffice
        ),
        None,
    )
    post = mint_post(ex, holders_of_offices(ex, offices, p, group)[0], p)
    name = re.search(r"([\u4e00-\u9fff]{2,3})$", holder_phrase)
    title = designations.title_at_end(holder_phrase[: name.start()] if name else holder_phrase, ex.lex)
    if name and title is not None and title.start + len(title.surface) == name.start():
        ex.g.add((post, ORG.heldBy, mint_person(ex, name.group(1), p)))
        holder_phrase = holder_phrase[: name.start()]
    ex.g.add((post, SKOS.altLabel, Literal(holder_phrase, lang="zh")))


def read_body_lists(ex: Extraction) -> None:
    """ "负有安全生产监管职责部门包括：A、B、C。": each listed body joins the collective."""
    intro = rules()["list_intro"]
    for p in ex.tree.walk():
        if p.children or p.kind == "document" or not re.search(rf"{intro}[：:]", p.lead):
            continue  # the search below tries every start, so it runs only where it can match
        for m in re.finditer(rf"([^。；：:，\n]+?){intro}[：:]([^。]+)", p.lead):
            collective = holders_at_start(ex, m.group(1), p)
            if not collective or collective[0].role is not None:
                continue
            group = collective[0].body
            cls = ex.g.value(group, RDF.type) or WSA.Body
            for name in re.split(r"[、，,]", m.group(2)):
                name = name.strip()
                if name:
                    member = mint_body(ex, name, p, cls=cls)
                    ex.g.add((member, RDF.type, ex.lex.suffix_class(name) or WSA.Department))
                    ex.g.add((member, WSA.memberOfGroup, group))


def read_rosters(ex: Extraction) -> None:
    """Leading-group rosters: "组 长：刘世文 党委书记" and the lines under it."""
    roster_roles = rules()["roster_roles"]
    head = re.compile(r"^([\u4e00-\u9fff ]{2,12}?)[：:](.*)$")
    for p in ex.tree.walk():
        if p.children or p.kind == "document" or "\n" not in p.lead:
            continue
        group = None
        for m in ex.lex.find(p.heading or "", "class"):
            if m.iris[0] == WSA.LeadingGroup:
                name = (p.heading or "")[: m.end]
                for verb in rules()["name_prefix_verbs"]:
                    name = name.removeprefix(verb)
                group = mint_body(ex, name, p, cls=WSA.LeadingGroup)
        if group is None:
            continue
        role = None
        for line in p.lead.splitlines():
            line = line.strip()
            hm = head.match(line)
            if hm and re.sub(r"\s", "", hm.group(1)) in roster_roles:
                role, line = re.sub(r"\s", "", hm.group(1)), hm.group(2).strip()
            elif re.search(r"[，。；]", line):
                role = None
            if role is None or not line:
                continue
            roster_line(ex, p, group, role, line)


def roster_line(ex: Extraction, p: Provision, group: URIRef, role_label: str, line: str) -> None:
    """ "刘世文  党委书记": the person holds the group post and each office named after the name."""
    tokens = line.split()
    name = ""
    while tokens and ((len(name) < 2 and len(tokens[0]) <= 2) or not name):
        name += tokens.pop(0)
        if len(name) >= 2:
            break
    role = next(iter(ex.lex.find(role_label, "role")), None)
    if role is None or not name:
        return
    person = mint_person(ex, name, p)
    group_post = Holder(group, role.iris[0], role_label, (group,))
    ex.g.add((mint_post(ex, group_post, p), ORG.heldBy, person))
    for phrase in re.split(r"[，,]", " ".join(tokens)):
        phrase = phrase.strip()
        found = holders_of_offices(ex, designations.read(phrase, ex.lex), p) if phrase else []
        if not [h for h in found if h.role is not None] and phrase:
            ex.summary.unplaced.append(f"{p.id}: {name} {phrase}")
        for holder in found:
            if holder.role is not None:
                ex.g.add((mint_post(ex, holder, p), ORG.heldBy, person))
