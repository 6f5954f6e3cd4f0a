"""Post designations -> offices: a grammar, not a list of wordings.

A designation is composed of scope (各级, 本级), body (党委, 管委会, 企业 …), a portfolio
(分管/主管/协助分管 X 的), an "other" marker (其他, 班子各成员) and a title (书记, X长, 主任,
主要负责人, 负责人 …). The atomic titles and their roles are labels of the role concepts in
ontology/lexicon.ttl; how they combine is rules/designations.yaml. So 自治县常务副县长,
副州长 and 中央企业主管生产的负责人 are read with no new label.

This module reads strings only; which body IRI a body phrase names is the extractor's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kgtool.read.lexicon import Lexicon, project_lexicon  # noqa: F401 (doctests)
from kgtool.read.wordings import load
from kgtool.vocab import local_name

OPEN, CLOSE = "（(《“", "）)》”"


def rules() -> dict:
    """The designation grammar's parts (rules/designations.yaml)."""
    return load("designations")


@dataclass(frozen=True, slots=True)
class Office:
    """One office a designation names.

    role: a role concept id; "other" when the grammar cannot place the title, None for a
    collective (all the leaders of a body). portfolio: None, "safety", "business" (no
    particular field) or the field as written ("文化宫、职工服务中心"). body: the body phrase
    as written, "" when the designation names none. extra_roles: the other titles of a compound
    held by one person (党组书记、局长 -> principal_head with party_secretary).
    """

    label: str
    role: str | None
    body: str = ""
    portfolio: str | None = None
    extra_roles: tuple[str, ...] = ()
    title: str = ""
    known: bool = True
    residue: str = ""

    @property
    def clean(self) -> bool:
        """Whether what precedes the title is all scope, body, portfolio and qualifier: no clause
        words (的, 由, 把 …) that show the phrase is a sentence, not a designation."""
        return not is_clause_like(self.residue) and len(self.residue) <= 6


@dataclass(frozen=True, slots=True)
class Title:
    """A title ending a designation: where it starts, the role it gives, and what kind it is."""

    start: int
    role: str | None
    kind: str  # "title", "admin", "leader" (a noun naming a leader), "collective"
    surface: str


@lru_cache(maxsize=1)
def _clause_words() -> re.Pattern[str]:
    return re.compile(rules()["not_in_designation"])


def is_clause_like(phrase: str) -> bool:
    """Whether a phrase has words (的, 由, 协助 …) that make it part of a sentence, not of a designation."""
    return _clause_words().search(phrase) is not None


@lru_cache(maxsize=1)
def leader_noun_patterns() -> tuple[re.Pattern[str], ...]:
    """One pattern per leader noun (领导干部, 负责人 …), made once: where each occurs matters."""
    return tuple(re.compile(re.escape(noun)) for noun in rules()["leader_nouns"])


@lru_cache(maxsize=1)
def composed_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """X长 / 副X长 / 常务副X长 of the administrative units, X委(副)书记, and unit heads (局长)."""
    r = rules()
    units = "|".join(sorted(map(re.escape, r["admin_units"]), key=len, reverse=True))
    heads = "|".join(map(re.escape, r["unit_heads"]))
    return (re.compile(rf"(常务)?(副)?(?:{units})长"), re.compile(rf"(?:{units})(?:党)?委(副)?书记"), re.compile(rf"(副)?(?:{heads})长"))


def title_at_end(phrase: str, lexicon: Lexicon) -> Title | None:
    """The title that ends a designation: the longest of the composed titles, the role labels
    and the leader nouns.

    >>> lex = project_lexicon()
    >>> for t in map(lambda p: title_at_end(p, lex), ["自治县常务副县长", "副州长", "县委书记", "中心负责人"]):
    ...     print(t.surface, t.role, t.kind)
    常务副县长 deputy_head admin
    副州长 deputy_head admin
    县委书记 party_secretary admin
    负责人 None leader
    """
    found: list[Title] = []
    admin, party, unit = composed_patterns()
    for pattern, role_of in (
        (admin, lambda m: "deputy_head" if m.group(2) else "government_head"),
        (party, lambda m: "vice_party_secretary" if m.group(1) else "party_secretary"),
        (unit, lambda m: "deputy_head" if m.group(1) else "department_head"),
    ):
        m = next((m for m in pattern.finditer(phrase) if m.end() == len(phrase)), None)
        if m:
            found.append(Title(m.start(), role_of(m), "admin", m.group(0)))
    for word in lexicon.find(phrase, "role"):
        if word.end == len(phrase):
            found.append(Title(word.start, local_name(word.iris[0]), "title", word.surface))
    r = rules()
    for noun in r["leader_nouns"]:
        if phrase.endswith(noun):
            kind = "collective" if noun in r["collective_nouns"] else "leader"
            found.append(Title(len(phrase) - len(noun), None, kind, noun))
    if not found:
        return None
    # the longest title wins; at equal length a role label beats a bare leader noun
    return min(found, key=lambda t: (t.start, t.kind in ("leader", "collective")))


def split_conjuncts(phrase: str, lexicon: Lexicon) -> list[str]:
    """Coordinated designations, each with its own title; a part with no title joins the next
    across 、 (高新区党工委、管委会分管安全生产的领导干部 is one designation).

    >>> lex = project_lexicon()
    >>> split_conjuncts("镇党委书记和政府镇长", lex), split_conjuncts("高新区管委会、街道办事处主要负责人", lex)
    (['镇党委书记', '政府镇长'], ['高新区管委会、街道办事处主要负责人'])
    """
    coord = sorted(rules()["coordinators"], key=len, reverse=True)
    pieces: list[tuple[str, str]] = []  # (text, the coordinator before it)
    depth, start, sep, i = 0, 0, "", 0
    while i < len(phrase):
        ch = phrase[i]
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0:
            word = next((c for c in coord if phrase.startswith(c, i)), None)
            if word and i > start:
                pieces.append((phrase[start:i], sep))
                sep, start, i = word, i + len(word), i + len(word)
                continue
        i += 1
    pieces.append((phrase[start:], sep))
    out: list[str] = []
    pending = ""
    for k, (text, _before) in enumerate(pieces):
        after = pieces[k + 1][1] if k + 1 < len(pieces) else ""
        text = pending + text
        pending = ""
        if title_at_end(text, lexicon) is None and after == "、":
            pending = text + "、"
            continue
        out.append(text)
    if pending:
        out.append(pending.rstrip("、"))
    return [x for x in out if x]


def _strip_scope(phrase: str) -> str:
    for word in sorted(rules()["scope_words"], key=len, reverse=True):
        if phrase.startswith(word) and len(phrase) > len(word) + 1:
            return phrase[len(word) :]
    return phrase


def read_one(phrase: str, lexicon: Lexicon) -> Office | None:
    """One designation (no coordination) as an office, or None if it names no post.

    >>> lex = project_lexicon()
    >>> o = read_one("高新区党工委、管委会分管安全生产的领导干部", lex); (o.role, o.body, o.portfolio)
    ('safety_deputy', '高新区党工委、管委会', 'safety')
    >>> o = read_one("中央企业主管生产的负责人", lex); (o.role, o.body, o.portfolio)
    ('business_deputy', '中央企业', '生产')
    >>> o = read_one("党政领导班子其他成员", lex); (o.role, o.body, o.portfolio)
    ('business_deputy', '党政', 'business')
    """
    r = rules()
    label = phrase
    phrase = _strip_scope(phrase.strip().rstrip("的"))
    title = title_at_end(phrase, lexicon)
    if title is None:
        return None
    prefix = phrase[: title.start]
    body, portfolio, other, residue_field = prefix, None, False, ""
    marker = _first_marker(prefix)
    if marker is not None:
        at, word = marker
        field, _, after = prefix[at + len(word) :].rpartition("的")  # "分管X的市总领导": 市总 is where it sits
        field = re.sub(r"工作$", "", field or after)
        body = prefix[:at] or (after if field is not after else "")
        if word == "负责" and not prefix.endswith("的"):
            body, marker = prefix, None  # "负责人" and "负责X的" are not the same thing
        elif is_clause_like(field):
            body, marker, residue_field = prefix, None, field  # "主管生产的负责人对…": a clause, not a portfolio
        else:
            portfolio = _portfolio_key(field, word)
    leaderlike = title.kind in ("leader", "collective") or title.role in r["deputy_roles"]
    if marker is None and leaderlike:
        for word in r["other_markers"]:
            if word in phrase:
                other = True
                body = prefix[: prefix.index(word)] if word in prefix else ""
                break
    body = re.sub("(" + "|".join(map(re.escape, r["collective_nouns"])) + ")$", "", body).rstrip("的")
    residue = residue_field
    if not is_body_phrase(body, lexicon) or is_clause_like(body):
        body, residue = "", residue or body  # a qualifier (包村, 具体, 两级), not a body: it stays in the label
    role = title.role
    if portfolio is not None:
        role = "safety_deputy" if portfolio == "safety" else "business_deputy"
    elif role in ("safety_deputy", "business_deputy"):
        portfolio = "safety" if role == "safety_deputy" else "business"
    elif other:
        role, portfolio = "business_deputy", "business"
    elif title.kind == "collective":
        role = None
    elif title.kind == "leader":
        role = r["leader_noun_roles"].get(title.surface) or ("principal_head" if body else "other")
    if portfolio is None and residue.startswith(tuple(r["assignment_prefixes"])):
        portfolio = residue  # 驻村干部, 包村领导: the assignment tells the office apart
    return Office(label, role, body, portfolio, title=title.surface, known=role != "other", residue=residue)


def is_body_phrase(phrase: str, lexicon: Lexicon) -> bool:
    """Whether a designation's prefix names bodies: each 、-part ends in a body-class word
    (高新区党工委、管委会; 镇(街道、园区)), or it is one of the party/government shorthands (党政)."""
    if not phrase or (any(phrase.startswith(v) for v in rules()["assignment_prefixes"]) and len(phrase) <= 3):
        return False
    if phrase in rules()["party_government_shorthands"]:
        return True
    parts = [p for p in re.split(r"[、和及与](?![^（(]*[)）])", re.sub(r"^.*等", "", phrase)) if p]
    last = parts[-1] if parts else phrase
    return lexicon.suffix_class(re.sub(r"[（(][^（()）]*[)）]$", "", last)) is not None


def _first_marker(prefix: str) -> tuple[int, str] | None:
    """Where the portfolio marker stands in a designation's prefix, the longest at the first place."""
    best = None
    for word in rules()["portfolio_markers"]:
        at = prefix.find(word)
        if at >= 0 and (best is None or at < best[0] or (at == best[0] and len(word) > len(best[1]))):
            best = (at, word)
    return best


def _portfolio_key(field: str, marker: str) -> str:
    """ "safety", "business" for a field that names nothing in particular, else the field."""
    r = rules()
    if any(w in field for w in r["safety_words"]) or (marker == "主抓" and not field):
        return "safety"
    rest = field
    for word in sorted(r["generic_portfolios"], key=len, reverse=True):
        rest = rest.replace(word, "")
    rest = re.sub(r"[（()）、，,和及或]", "", rest)
    return "business" if not rest else field


#: Deputies whose title names no field: a portfolio stated elsewhere makes them safety or business deputies.
FIELDLESS_DEPUTIES = ("deputy_head", "vice_party_secretary")


def with_portfolio(office: Office, portfolio: str) -> Office:
    """A deputy given a portfolio: the safety deputy for safety, else a business deputy."""
    role = "safety_deputy" if portfolio == "safety" else "business_deputy"
    return Office(office.label, role, office.body, portfolio, title=office.title)


def prose_portfolio(rest: str) -> str | None:
    """The portfolio that the words after a designation give it, when the designation has none:
    a deputy's field is often stated in prose, not in the title (rules/designations.yaml
    prose_portfolio).

    >>> prose_portfolio("协助县长分管全县安全生产工作，负直接领导责任")
    'safety'
    >>> prose_portfolio("按照“一岗双责”要求，对分管行业领域和联系部门的安全生产工作负领导责任")
    'business'
    >>> prose_portfolio("负直接领导责任，分管安全生产的副县长协助") is None, prose_portfolio("对分管部门进行督查") is None
    (True, True)
    """
    patterns = {k: re.compile(v) for k, v in rules()["prose_portfolio"].items()}
    for k, clause in enumerate(re.split(r"[，,]", rest)):
        clause = clause.strip()
        m = patterns["charge"].match(clause)
        if (m and (k == 0 or m.group("lead"))) or (m := patterns["object"].match(clause)):
            return _portfolio_key(m.group("field"), m.group("marker"))
    return None


def read(phrase: str, lexicon: Lexicon) -> list[Office]:
    """Every office a designation names: coordinated designations distribute, a portfolio
    marker before the first conjunct carries over to the titles joined to it, and a compound
    title held by one person (党组书记、副主席; 党委副书记、镇长) is one office.

    >>> lex = project_lexicon()
    >>> [(o.role, o.extra_roles) for o in read("党组书记、副主席", lex)]
    [('principal_head', ('party_secretary', 'deputy_head'))]
    >>> [(o.role, o.extra_roles) for o in read("党委副书记、镇长", lex)]
    [('government_head', ('vice_party_secretary',))]
    >>> [(o.role, o.portfolio) for o in read("主抓党委副书记和政府副镇长、分管安全领导", lex)]
    [('safety_deputy', 'safety'), ('safety_deputy', 'safety'), ('safety_deputy', 'safety')]
    >>> [o.role for o in read("镇党委书记和政府镇长", lex)]
    ['party_secretary', 'government_head']
    """
    parts = split_conjuncts(phrase, lexicon)
    offices = [read_one(p, lexicon) for p in parts]
    carried = None
    out: list[Office] = []
    for part, office in zip(parts, offices):
        if office is None:  # no title: a body named as a conjunct (各办、中心、所和分管领导), or nothing
            out.append(Office(part, None, part))
            continue
        if (
            out
            and not office.body
            and out[-1].body
            and office.role in ("principal_head", "deputy_head")
            and office.title in rules()["shared_body_titles"]
        ):  # 常青村党总支书记、主任: the village's 主任
            office = Office(office.label, office.role, out[-1].body, office.portfolio, title=office.title)
        if office.portfolio is not None and carried is None and office is offices[0]:
            carried = office.portfolio
        elif carried is not None and office.portfolio is None and office.role in FIELDLESS_DEPUTIES:
            office = with_portfolio(office, carried)
        out.append(office)
    return _compound(out, phrase)


def _compound(offices: list[Office], phrase: str) -> list[Office]:
    """Titles joined by 、 that one person holds become one office; joined by 与, 和, 及 they are
    two people's ("党组书记与局长共同为本局安全生产第一责任人").

    >>> lex = project_lexicon()
    >>> [o.role for o in read("党组书记、局长", lex)], [o.role for o in read("党组书记与局长", lex)]
    (['principal_head'], ['party_secretary', 'department_head'])
    """
    first_words = rules()["one_person_first"]
    out: list[Office] = []
    for office in offices:
        prev = out[-1] if out else None
        joined = prev.label + "、" + office.label if prev is not None else ""
        if prev is not None and not office.body and prev.title in first_words and joined in phrase:
            if prev.title.endswith("副书记"):  # the deputy secretary who is also the head: that head
                out[-1] = Office(joined, office.role, prev.body, office.portfolio, (prev.role,) if prev.role else (), office.title)
            else:  # the party-group secretary who is an officer of the organisation: its principal head
                out[-1] = Office(
                    joined,
                    "principal_head",
                    prev.body,
                    None,
                    tuple(r for r in (prev.role, office.role) if r and r != "principal_head"),
                    prev.title,
                )
            continue
        out.append(office)
    return out
