"""Who a passage names: designations at the start of a heading, lead or sentence, read as holders.

A holder is an office (a role in one or more bodies, perhaps with a portfolio), a body itself, or
all the leaders of a body. Bodies are minted as they are named (see minting); the designation
grammar itself is kgtool.read.designations.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rdflib import URIRef

from kgtool.read import designations
from kgtool.read.designations import Office
from kgtool.read.minting import SENTENCE, TOP_ROLES, Extraction, Holder, mint_body, name_qualifier, rules
from kgtool.read.places import place_units
from kgtool.read.structure import Provision
from kgtool.read.triples import WSA
from kgtool.vocab import concept


def opens_statement(rest: str, followers: tuple[str, ...]) -> bool:
    """Whether what follows a designation opens its statement: one of the followers, but not a
    word that only begins like one (应急 is no 应: "…听取1次县应急管理局…汇报" has no subject 县).

    >>> opens_statement("应急管理局汇报", ("应", "对")), opens_statement("应当组织", ("应", "对"))
    (False, True)
    """
    return rest.startswith(followers) and not rest.startswith(tuple(rules()["predicate_lookalikes"]))


def bodies_named(ex: Extraction, phrase: str, provision: Provision, default: URIRef | None = None) -> list[URIRef] | None:
    """Bodies in a phrase such as "高新区管委会、街道办事处"; None if it is not all bodies.

    A name is split at 和/及/与 only when every part is a body ("环境和资源综合利用科" is one);
    a bare class word ("各部门") means the default body, the one the passage is about.
    """
    phrase = re.sub(r"^(各级|各类|各|本|全)", "", phrase.strip()).rstrip("的")
    if default is not None and ex.lex.is_class_label(phrase):
        return [default]
    if len(phrase) < 2:
        return None
    out: list[URIRef] = []
    names = [n for n in re.split(r"、(?![^（(]*[)）])", phrase) if n]
    if len(names) > 1 and set(names) <= set(rules()["generic_unit_words"]):
        return [mint_body(ex, phrase, provision, cls=ex.lex.suffix_class(names[-1]))]  # 各办、中心、所: the units, together
    qualifier = name_qualifier(ex, names[0]) if names else ""
    if not (place_units(qualifier) or ex.lex.suffix_class(qualifier)):
        qualifier = ""  # 高新区 (党工委、管委会) is shared; 机关各 (部（室）、文化宫) is not a place or body
    for name in names:
        if qualifier and name != names[0] and ex.lex.is_class_label(name):
            name = qualifier + name  # the first name's qualifier is shared: 高新区党工委、管委会
        parts = [name]
        if body_class(ex, name) is None:
            parts = [x for x in re.split(r"[和及与](?![^（(]*[)）])", name) if x]
        if len(parts) > 1 and any(body_class(ex, x) is None for x in parts):
            return None
        for part in parts:
            kind = body_class(ex, part)
            if kind is None:
                return None
            out.append(ex.principal_body if kind == "principal" else mint_body(ex, part, provision))
    return out


def body_class(ex: Extraction, name: str) -> URIRef | str | None:
    """A name's body class; "principal" for the jurisdiction itself (铜川镇)."""
    cls = ex.lex.suffix_class(name) if len(name) >= 2 else None
    if ex.jurisdiction_label and ex.jurisdiction_label in name and cls in (None, WSA.GovernmentBody):
        return "principal"
    return cls


def designation_at_start(
    ex: Extraction, text: str, *, subject: bool = False, predicates: list[str] | None = None
) -> tuple[str, list[Office]] | None:
    """The longest designation that opens a heading, lead or sentence, and its offices.

    A designation ends where a title or a body word ends and what follows is a predicate
    (对, 是, 应, 要, 每 …) or, in a heading, the words of a duty list (安全生产职责); it lies
    within the first clause. subject=True asks for a sentence subject (a predicate must follow).
    """
    text = text.strip()
    clause_end = next((m.start() for m in re.finditer(r"[，,。；;：:]", text)), len(text))
    followers = tuple(predicates or rules()["subject_predicates"]) + (() if subject else tuple(rules()["heading_followers"]))
    for end in sorted(designation_ends(ex, text[:clause_end]), reverse=True):
        rest = re.sub(r"^[（(][^（()）]{1,12}[)）]", "", text[end:])  # "主要负责人（董事长）是…"
        introduced = introduced_post(ex, text[:end])
        if rest and not opens_statement(rest, followers) and not (introduced and rest[0] in "，,"):
            continue
        phrase = introduced or text[:end]
        for verb in rules()["name_prefix_verbs"]:
            phrase = phrase.removeprefix(verb)
        if re.search(r"\s", phrase):
            continue  # "刘世文  党委书记": a name and a title, not one designation
        offices = designations.read(phrase, ex.lex)
        if offices and all(
            o.clean if o.title else ex.lex.suffix_class(o.body) and not designations.is_clause_like(o.body) for o in offices
        ):
            return phrase, offices
    return None


def introduced_post(ex: Extraction, phrase: str) -> str | None:
    """A post that a clause sets up ("集团公司设安全总监，在主要负责人领导下…"): the designation
    without the verb ("集团公司安全总监"), which is then the subject of what follows the comma;
    None when no introducing verb (rules/extract.yaml post_introducers) stands between the body
    that sets it up and the title."""
    title = designations.title_at_end(phrase, ex.lex)
    if title is None:
        return None
    verb = next((v for v in rules()["post_introducers"] if phrase[: title.start].endswith(v) and title.start > len(v)), None)
    return phrase[: title.start - len(verb)] + phrase[title.start :] if verb else None


def designation_ends(ex: Extraction, text: str) -> set[int]:
    """Where a title (role label, composed title, leader noun) or a body word ends."""
    ends = {m.end for m in ex.lex.find(text, "role")} | {m.end for m in ex.lex.find(text, "class")}
    for pattern in designations.leader_noun_patterns():
        ends |= {m.end() for m in pattern.finditer(text)}
    for pattern in designations.composed_patterns():
        ends |= {m.end() for m in pattern.finditer(text)}
    quoted = [(q.start(), q.end()) for q in re.finditer(r"《[^》]*》|“[^”]*”", text)]
    return {e for e in ends if not any(a < e <= b for a, b in quoted)}


def holders_of_offices(ex: Extraction, offices: list[Office], provision: Provision, default: URIRef | None = None) -> list[Holder]:
    """Offices as holders: bodies resolved to IRIs, 党政 to the party committee and the government."""
    out: list[Holder] = []
    for office in offices:
        if not office.title:  # a body named as a conjunct: 各办、中心、所和分管领导
            bodies = bodies_named(ex, office.body, provision, default)
            out.extend(Holder(b, None, office.label) for b in bodies or [])
            continue
        office = with_prose_portfolio(ex, office)
        bodies = office_bodies(ex, office, provision, default)
        role = concept("role", office.role) if office.role else None
        extra = tuple(concept("role", r) for r in office.extra_roles)
        shorthand = designations.rules()["party_government_shorthands"].get(office.body)
        if shorthand and office.role in TOP_ROLES:  # 党政主要负责人: the party secretary and the government head
            out.extend(Holder(ex.principal_body, concept("role", r), office.label, (ex.principal_body,)) for r in shorthand)
            continue
        out.append(
            Holder(
                bodies[0], role, office.label, tuple(bodies), office.portfolio, extra, collective=office.role is None, known=office.known
            )
        )
    return out


def read_prose_portfolios(ex: Extraction) -> None:
    """Portfolios stated in prose of deputies whose designation names none ("常务副县长协助县长
    分管全县安全生产工作", "各副州长…对分管行业领域…负领导责任"), read before any duty so that
    every mention of that deputy, in a heading or a list, is the same safety or business
    deputy. Two different portfolios for one designation cancel out (it names several posts)."""
    tails = [
        tail for p in ex.tree.walk() for sentence in SENTENCE.findall(p.lead) for tail in re.findall(r"(?:^|(?<=[，,]))(?=(.+))", sentence)
    ]  # from each clause to the sentence's end
    for clause in tails:
        found = designation_at_start(ex, clause, subject=True)
        if found is not None:
            portfolio = designations.prose_portfolio(clause.strip()[len(found[0]) :])
            for office in found[1]:
                if portfolio and office.role in designations.FIELDLESS_DEPUTIES and office.portfolio is None:
                    key = (office.body, office.title)
                    ex.prose_portfolios[key] = portfolio if ex.prose_portfolios.get(key, portfolio) == portfolio else None


def with_prose_portfolio(ex: Extraction, office: Office) -> Office:
    """The office with the portfolio the text states for it in prose, if any."""
    portfolio = (
        ex.prose_portfolios.get((office.body, office.title))
        if office.role in designations.FIELDLESS_DEPUTIES and office.portfolio is None
        else None
    )
    return designations.with_portfolio(office, portfolio) if portfolio else office


def office_bodies(ex: Extraction, office: Office, provision: Provision, default: URIRef | None) -> list[URIRef]:
    """The bodies an office sits in: those it names, else the passage's default, else the issuer's."""
    if office.body and office.body not in designations.rules()["party_government_shorthands"]:
        cut = re.sub(r"^.*等", "", office.body)
        named = bodies_named(ex, cut, provision, default)
        if named:
            return named
    return [default or ex.principal_body]


def holders_at_start(ex: Extraction, text: str, provision: Provision, default: URIRef | None = None) -> list[Holder]:
    """Posts or bodies named at the start of a heading or lead."""
    found = designation_at_start(ex, text)
    if found is None:
        return []
    return holders_of_offices(ex, found[1], provision, default)


def sentence_subject(
    ex: Extraction, sentence: str, provision: Provision, default: URIRef | None = None, predicates: list[str] | None = None
) -> list[Holder]:
    """A sentence's own subject when it opens with a designation: "镇长为…", "主要负责人每半年…";
    predicates narrows what may follow it (outside a duty list only a modal will do: 应, 要 …)."""
    agents = passive_agent(ex, sentence, provision, default)
    if agents:
        return agents
    found = designation_at_start(ex, sentence, subject=True, predicates=predicates)
    return holders_of_offices(ex, found[1], provision, default) if found else []


def passive_agent(ex: Extraction, sentence: str, provision: Provision, default: URIRef | None = None) -> list[Holder]:
    """ "各办、中心、所负责的安全生产工作由分管领导和负责人落实": the offices after 由, when an
    agent verb follows them, hold the sentence; a head named without body or portfolio (负责人)
    heads the bodies the sentence's topic opens with."""
    topic, by, agent = sentence.partition("由")
    if not by or re.search(r"[，,：:]", topic) or re.match(rules()["self_reference"], topic):
        return []  # "本细则由…负责解释" is about the document, not a duty
    found = designation_at_start(ex, agent, subject=True, predicates=rules()["passive_agent_verbs"])
    if found is None:
        return []
    opening = re.match(r"(.+?)(?:负责)?的", topic)
    topic_bodies = bodies_named(ex, opening.group(1), provision, default) if opening else None
    out = []
    for office in found[1]:
        if topic_bodies and office.title and not office.body and office.portfolio is None:
            head = replace(office, role="principal_head", known=True) if office.role == "other" else office
            out.extend(holders_of_offices(ex, [head], provision, topic_bodies[0]))
        else:
            out.extend(holders_of_offices(ex, [office], provision, default))
    return out
