"""Provision tree + lexicon -> RDF: bodies, posts, duties, frequencies, principles, sanctions.

Every Body, Post and Duty gets wsa:definedIn and prov:wasDerivedFrom the provision it was
read from. Wordings come from ontology/lexicon.ttl and rules/extract.yaml; no document is
special-cased here, so a new text of the same kind goes through the same code.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml
from rdflib import XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from kgtool.read.lexicon import Lexicon, Match
from kgtool.read.structure import Provision
from kgtool.vocab import ORG, PREFIXES, WSA, concept, iri_for, short_hash


class _Terms:
    """A namespace whose terms are made once: rdflib makes (and checks) a new URIRef on every
    WSA.x, a sizeable share of extraction's time."""

    def __init__(self, namespace: Namespace) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):  # introspection (pytest, inspect), not a term
            raise AttributeError(name)
        term = self._namespace[name]
        setattr(self, name, term)
        return term


WSA, ORG, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD = map(_Terms, (WSA, ORG, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD))

RULES = Path(__file__).parent / "rules" / "extract.yaml"
ITEM_KINDS = {"part", "clause", "item", "subitem", "row"}
SENTENCE = re.compile(r"[^。；;\n]+[。；;]?")
CLAUSE = re.compile(r"[^，,。；;\n]+")
CN_COUNT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "十": 10}
PRINCIPAL_HEAD = concept("role", "principal_head")
ACTION_TYPES = ("hear_report", "meeting", "inspection", "emergency", "training_publicity",
                "assessment", "reporting")


@lru_cache(maxsize=1)
def rules() -> dict:
    """The extraction wordings, read once from rules/extract.yaml."""
    return yaml.safe_load(RULES.read_text(encoding="utf-8"))


def times_per_year(period: str, occurrences: int | Decimal = 1) -> Decimal | None:
    """Times per year that ``occurrences`` per ``period`` (an ISO 8601 duration) come to.

    >>> times_per_year("P3M", 1), times_per_year("P6M"), times_per_year("P1Y", 2), times_per_year("P1M")
    (Decimal('4'), Decimal('2'), Decimal('2'), Decimal('12'))
    >>> times_per_year("P3Y").quantize(Decimal("0.0001")), times_per_year("P1W"), times_per_year("nonsense")
    (Decimal('0.3333'), Decimal('52'), None)
    """
    match = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?", period.strip())
    if not match or not any(match.groups()):
        return None
    years, months, weeks, days = (int(g) if g else 0 for g in match.groups())
    if years or months:
        if weeks or days:
            return None  # mixed calendar and day spans: no exact yearly rate
        return Decimal(12) / Decimal(years * 12 + months) * Decimal(occurrences)
    if weeks and not days:
        return Decimal(52) / Decimal(weeks) * Decimal(occurrences)
    return Decimal(365) / Decimal(weeks * 7 + days) * Decimal(occurrences)


@dataclass(frozen=True, slots=True)
class Frequency:
    """A minimum number of occurrences per period, as written in one clause."""

    period: str
    minimum: int
    action: str | None
    wording: str


def frequencies(text: str, lexicon: Lexicon) -> list[Frequency]:
    """Every frequency requirement in a duty's text; a clause with a count but no period
    inherits the period of the clause before it ("每年…不少于1次；召开…不少于2次").

    >>> from kgtool.read.extract import _test_lexicon
    >>> [(f.period, f.minimum, f.action) for f in frequencies("每季度至少1次系统听取安全生产工作情况汇报", _test_lexicon())]
    [('P3M', 1, 'hear_report')]
    """
    periods = rules()["periods"]
    period_re, count_re = _frequency_patterns()
    found, period = [], None
    for clause in CLAUSE.findall(text):
        p = period_re.search(clause)
        if p:
            period = periods[p.group(0)]
        c = count_re.search(clause)
        if not (c and period):
            continue
        n = int(c.group(1)) if c.group(1).isdigit() else CN_COUNT[c.group(1)]
        actions = [m for m in lexicon.find(clause, "dutytype") if _local(m.iris[0]) in ACTION_TYPES]
        # the action nearest the count: in "应急管理…部门的主要负责人每半年至少带队检查1次" it is 检查
        nearest = min(actions, key=lambda m: min(abs(m.start - c.start()), abs(m.end - c.end())), default=None)
        action = _local(nearest.iris[0]) if nearest else None
        found.append(Frequency(period, n, action, clause.strip()))
    return found


@lru_cache(maxsize=1)
def _frequency_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The period and count patterns from the rules, made once rather than per duty."""
    periods = sorted(map(re.escape, rules()["periods"]), key=len, reverse=True)
    count = rf"(?:{'|'.join(rules()['minimum_words'])})?\s*(\d+|[一二两三四五六十])\s*次"
    return re.compile("|".join(periods)), re.compile(count)


def _local(iri: URIRef) -> str:
    return str(iri).rsplit("/", 1)[-1]


class Triples:
    """A document's statements: a set of triples, kept by subject and predicate in insertion order.

    Why not an rdflib Graph: adding to its store took nearly half of extraction's time, and
    extraction needs only adding, membership and a few lookups. The order of a subject's objects
    is the order they were added in, as in rdflib's memory store, so lookups answer the same.
    """

    def __init__(self) -> None:
        self.spo: dict[Node, dict[Node, dict[Node, None]]] = {}

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        s, p, o = triple
        po = self.spo.get(s)
        if po is None:
            po = self.spo[s] = {}
        objects = po.get(p)
        if objects is None:
            objects = po[p] = {}
        objects[o] = None  # an object added again keeps its place

    def __contains__(self, triple: tuple[Node, Node, Node]) -> bool:
        s, p, o = triple
        return o in self.spo.get(s, {}).get(p, {})

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]:
        return ((s, p, o) for s, po in self.spo.items() for p, objects in po.items() for o in objects)

    def objects(self, subject: Node, predicate: Node) -> list[Node]:
        return list(self.spo.get(subject, {}).get(predicate, {}))

    def value(self, subject: Node, predicate: Node) -> Node | None:
        """The first object added for subject and predicate, as rdflib's Graph.value answers."""
        return next(iter(self.spo.get(subject, {}).get(predicate, {})), None)

    def subjects(self, predicate: Node, obj: Node) -> list[Node]:
        return [s for s, po in self.spo.items() if obj in po.get(predicate, ())]

    def graph(self) -> Graph:
        """The same statements as an rdflib Graph, with the project's prefixes."""
        graph = Graph()
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns, override=True)
        graph.addN((s, p, o, graph) for s, p, o in self)
        return graph


@dataclass(frozen=True, slots=True)
class Holder:
    """Who a passage's duties belong to: a post (role in a body) or a body itself."""

    body: URIRef
    role: URIRef | None
    label: str


@dataclass
class Summary:
    """What extraction recognised, and what it could not place, for `kgtool ingest`."""

    counts: dict[str, int] = field(default_factory=dict)
    unplaced: list[str] = field(default_factory=list)


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
    keys = rules()["metadata_keys"]
    for line in lead.splitlines():
        cells = [c.strip() for c in line.split("|") if c.strip()]
        if len(cells) >= 2 and cells[0] in keys:
            meta.setdefault(keys[cells[0]], cells[1])
    number = meta.get("documentNumber")
    if not number:
        m = re.search(r"[\u4e00-\u9fff]{1,12}[〔\[［(（]\d{4}[〕\]］)）]\d+号", lead)
        number = m.group(0) if m else None
    endings = tuple(rules()["title_endings"])
    lines = [x.strip() for x in lead.splitlines() if x.strip()]
    title = None
    for i, line in enumerate(lines):
        if "关于" in line and "|" not in line:
            joined = ""
            for part in lines[i:i + 4]:
                joined = _join_cjk(joined, part)
                if joined.endswith(endings):
                    title = joined
                    break
            if title:
                break
    issued = meta.get("issued", "")
    d = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", issued)
    creator = meta.get("creator")
    for i, line in enumerate(lines):
        dm = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", line)
        if dm:
            d = d or dm
            if creator is None and i > 0 and not re.search(r"[，。；:：|]", lines[i - 1]):
                creator = lines[i - 1]
            break
    if title and creator and title.startswith(creator):
        title = title[len(creator):].strip()
    date = f"{int(d.group(1)):04d}-{int(d.group(2)):02d}-{int(d.group(3)):02d}" if d else None
    return Metadata(number, title, date, creator)


def _join_cjk(left: str, right: str) -> str:
    """Join two lines of a title, dropping layout spaces between Chinese characters."""
    return re.sub(r"(?<=[\u3400-\u9fff》”)）])\s+(?=[\u3400-\u9fff《“])", "", f"{left} {right}".strip())


class _Extractor:
    """One document's extraction: keeps the minted bodies and posts so mentions merge."""

    def __init__(self, doc_id: str, text: str, tree: Provision, lexicon: Lexicon, places: Graph):
        self.doc_id, self.text, self.tree, self.lex, self.places = doc_id, text, tree, lexicon, places
        self.doc = iri_for("document", doc_id)
        self.g = Triples()
        self.summary = Summary()
        self.bodies: dict[str, URIRef] = {}
        self.posts: dict[tuple[URIRef, URIRef], URIRef] = {}
        self.provision_iris: dict[str, URIRef] = {}
        self.duty_count = 0
        self.jurisdiction_label: str | None = None

    # ---- minting -------------------------------------------------------------------------
    def prov(self, provision: Provision) -> URIRef:
        if provision.id not in self.provision_iris:
            self.provision_iris[provision.id] = iri_for("provision", self.doc_id, provision.id)
        return self.provision_iris[provision.id]

    def _defined(self, node: URIRef, provision: Provision) -> None:
        self.g.add((node, WSA.definedIn, self.doc))
        self.g.add((node, PROV.wasDerivedFrom, self.prov(provision)))

    def body(self, name: str, provision: Provision, cls: URIRef | None = None) -> URIRef:
        """The body of this name in this document, minted on first mention."""
        key = re.sub(r"\s+", "", name)
        if key not in self.bodies:
            node = iri_for("body", self.doc_id, short_hash(key))
            self.bodies[key] = node
            self.g.add((node, RDF.type, cls or self.lex.suffix_class(key) or WSA.Body))
            self.g.add((node, RDFS.label, Literal(key, lang="zh")))
            self._defined(node, provision)
            if self.principal is not None and node != self.principal:
                self.g.add((node, ORG.subOrganizationOf, self.principal))
        node = self.bodies[key]
        self.g.add((node, PROV.wasDerivedFrom, self.prov(provision)))
        return node

    def post(self, body: URIRef, role: URIRef, label: str, provision: Provision) -> URIRef:
        """The post of a role in a body; later wordings of it become skos:altLabel.

        A plain principal head (主要负责人) of a named body takes its class's head role
        (wsa:headRole in the lexicon): the 主要负责人 of a 管委会 is its head of government.
        """
        if role == PRINCIPAL_HEAD and body != self.principal:
            role = self.lex.head_role(self.g.value(body, RDF.type)) or role
        key = (body, role)
        label = re.sub(r"\s+", "", label)
        wording = Literal(label, lang="zh")
        if key not in self.posts:
            body_key = "main" if body == self.principal else str(body).rsplit("/", 1)[-1]
            node = iri_for("post", self.doc_id, f"{body_key}.{_local(role)}")
            self.posts[key] = node
            self.g.add((node, RDF.type, WSA.Post))
            self.g.add((node, RDFS.label, wording))
            self.g.add((node, ORG.postIn, body))
            self.g.add((node, ORG.role, role))
            self._defined(node, provision)
        node = self.posts[key]
        if (node, RDFS.label, wording) not in self.g:
            self.g.add((node, SKOS.altLabel, wording))
        self.g.add((node, PROV.wasDerivedFrom, self.prov(provision)))
        return node

    def holder_node(self, holder: Holder, provision: Provision) -> URIRef:
        if holder.role is None:
            return holder.body
        return self.post(holder.body, holder.role, holder.label, provision)

    # ---- recognising holders ---------------------------------------------------------------
    def roles(self, text: str) -> list[Match]:
        """Post wordings in text, leaving out roster titles (组长) and titles of cited documents."""
        roster = set(rules()["roster_roles"])
        quoted = [(q.start(), q.end()) for q in re.finditer(r"《[^》]*》", text)]
        return [m for m in self.lex.find(text, "role")
                if m.surface not in roster and not any(a <= m.start < b for a, b in quoted)]

    def bodies_named(self, phrase: str, provision: Provision, default: URIRef | None = None) -> list[URIRef] | None:
        """Bodies in a phrase such as "高新区管委会、街道办事处"; None if it is not all bodies.

        A name is split at 和/及/与 only when every part is a body ("环境和资源综合利用科" is one);
        a bare class word ("各部门") means the default body, the one the passage is about.
        """
        phrase = re.sub(r"^(各级|各|本|全)", "", phrase.strip()).rstrip("的")
        if default is not None and self.lex.is_class_label(phrase):
            return [default]
        if len(phrase) < 2:
            return None
        out: list[URIRef] = []
        names = [n for n in re.split(r"、(?![^（(]*[)）])", phrase) if n]
        qualifier = self._qualifier(names[0]) if names else ""
        for name in names:
            if qualifier and name != names[0] and self.lex.is_class_label(name):
                name = qualifier + name  # the first name's qualifier is shared: 高新区党工委、管委会
            parts = [name]
            if self._body_class(name) is None:
                parts = [x for x in re.split(r"[和及与](?![^（(]*[)）])", name) if x]
            if len(parts) > 1 and any(self._body_class(x) is None for x in parts):
                return None
            for part in parts:
                kind = self._body_class(part)
                if kind is None:
                    return None
                out.append(self.principal if kind == "principal" else self.body(part, provision))
        return out

    def _qualifier(self, name: str) -> str:
        """What precedes a name's class wording: "高新区" in "高新区党工委"."""
        for label in sorted(filter(name.endswith, self.lex.class_labels()), key=len, reverse=True):
            return name[: -len(label)]
        return ""

    def _body_class(self, name: str) -> URIRef | str | None:
        """A name's body class; "principal" for the jurisdiction itself (铜川镇)."""
        cls = self.lex.suffix_class(name) if len(name) >= 2 else None
        if self.jurisdiction_label and self.jurisdiction_label in name and cls in (None, WSA.GovernmentBody):
            return "principal"
        return cls

    def holders(self, text: str, provision: Provision) -> list[Holder]:
        """Posts or bodies named at the start of a heading or lead."""
        roles = self.roles(text)
        if roles:
            first = roles[0]
            bodies = self.bodies_named(text[:first.start], provision)
            # with no body before it, what precedes the role qualifies it: "分管应急管理的副县长"
            label = first.surface if bodies else text[:first.end].strip()
            return [Holder(b, first.iris[0], label) for b in bodies or [self.principal]]
        chain_end = None
        stops = ("安全", "工作", "的", "职责", "主要", "责任", "领导", "日常")
        for m in self.lex.find(text, "class"):
            after = text[m.end:]
            if after.startswith(("、", "和")):
                chain_end = m.end
                continue
            if after.startswith(stops) or not after:
                chain_end = m.end
                break
            if chain_end is None:
                continue
            break
        if chain_end is None:
            return []
        phrase = text[:chain_end]
        for verb in rules()["name_prefix_verbs"]:
            phrase = phrase.removeprefix(verb)
        bodies = self.bodies_named(phrase, provision)
        return [Holder(b, None, phrase) for b in bodies] if bodies else []

    def opens_with_holder(self, sentence: str, provision: Provision) -> bool:
        """Whether a sentence starts with its holder ("镇(街道、园区)行政主要负责人依据…"),
        not with a verb whose object happens to be a post ("把党政领导干部落实…纳入…")."""
        roles = self.roles(sentence)
        if not roles:
            return True
        prefix = sentence[:roles[0].start].strip()
        return not prefix or self.bodies_named(prefix, provision) is not None

    def subject(self, sentence: str, provision: Provision, default: URIRef | None = None) -> Holder | None:
        """A sentence's own subject when it opens with a post: "镇长为…", "主要负责人每半年…"."""
        s = sentence.strip()
        roles = self.roles(s)
        if not roles:
            return None
        first = roles[0]
        after = s[first.end:]
        if not after.startswith(tuple(rules()["subject_predicates"])):
            return None
        prefix = s[:first.start]
        if prefix and re.search(r"[，,。；;：:]", prefix):
            return None
        if prefix:
            cut = prefix.rstrip("的")
            if not cut or self.lex.suffix_class(cut.rsplit("等", 1)[-1]) is None:
                return None
            named = self.bodies_named(cut, provision, default) if "等" not in cut else None
            body = named[0] if named and len(named) == 1 else self.body(cut, provision)
        else:
            body = default or self.principal
        return Holder(body, first.iris[0], first.surface)

    # ---- the document ------------------------------------------------------------------------
    def run(self, source_path: str) -> Triples:
        g, doc = self.g, self.doc
        head_end = self.tree.children[0].char_start if self.tree.children else len(self.text)
        meta = front_matter(self.text[:head_end])
        g.add((doc, RDF.type, WSA.PolicyDocument))
        g.add((doc, WSA.sourceText, Literal(self.text)))
        g.add((doc, DCTERMS.source, Literal(source_path)))
        if meta.title:
            g.add((doc, DCTERMS.title, Literal(meta.title, lang="zh")))
        if meta.number:
            g.add((doc, WSA.documentNumber, Literal(meta.number)))
        if meta.issued:
            g.add((doc, DCTERMS.issued, Literal(meta.issued, datatype=XSD.date)))
        self.principal = None
        place = self.jurisdiction(meta.creator or meta.title or "")
        if place is not None:
            g.add((doc, WSA.jurisdiction, place))
        self.provisions(self.tree, doc)
        first = self.tree.children[0] if self.tree.children else self.tree
        if meta.creator:
            creator = meta.creator
            parent = next((creator[: -len(s)] for s in rules()["issuer_office_suffixes"]
                           if creator.endswith(s) and len(creator) > len(s) + 1), None)
            self.principal = self.body(parent or creator, first, cls=self.lex.suffix_class(parent or creator) or WSA.GovernmentBody)
            creator_node = self.body(creator, first) if parent else self.principal
            g.add((doc, DCTERMS.creator, creator_node))
        else:
            self.summary.unplaced.append("issuer: no signature or 制发机关 found")
            self.principal = self.body("本文件适用机关", first, cls=WSA.Body)
        g.add((doc, WSA.appliesTo, self.principal))
        self.principles_and_sanctions()
        self.legal_basis()
        self.duties(self.tree, None)
        self.levels()
        self.body_lists()
        self.rosters()
        self.summary.counts.update({
            "provisions": sum(1 for _ in self.tree.walk()) - 1,
            "bodies": sum(1 for s in g.subjects(WSA.definedIn, doc)
                          if any(o not in (WSA.Post, WSA.Duty, FOAF.Person) for o in g.objects(s, RDF.type))),
            "posts": len(self.posts),
            "duties": self.duty_count,
            "frequencies": len(g.subjects(RDF.type, WSA.FrequencyRequirement)),
            "principles": len(g.objects(doc, WSA.invokesPrinciple)),
            "sanctions": len(g.objects(doc, WSA.providesSanction)),
            "persons": len(g.subjects(RDF.type, FOAF.Person)),
        })
        return g

    def jurisdiction(self, name: str) -> URIRef | None:
        """The most specific place of the gazetteer named in the issuer (or title)."""
        best: tuple[int, URIRef, str] | None = None
        for place, label in self.places.subject_objects(RDFS.label | SKOS.altLabel):
            if getattr(label, "language", None) == "zh" and str(label) in name:
                depth = len(list(self.places.transitive_objects(place, WSA.within)))
                if best is None or depth > best[0]:
                    best = (depth, place, str(label))
        if best is None:
            self.summary.unplaced.append(f"jurisdiction: no place of data/places.ttl named in {name!r}")
            return None
        self.jurisdiction_label = best[2]
        return best[1]

    def provisions(self, node: Provision, parent: URIRef) -> None:
        """Each provision as RDF; the root stands for the text before the first one (front matter, preamble)."""
        if node is self.tree:
            end = node.children[0].char_start if node.children else node.char_end
            front = Provision(node.id, "front", node.lead, 0, end)
            self.provisions(Provision("", "document", "", 0, 0, children=(front,)), parent)
        for child in node.children:
            iri = self.prov(child)
            g = self.g
            g.add((iri, RDF.type, WSA.Provision))
            g.add((iri, DCTERMS.isPartOf, parent))
            g.add((iri, WSA.text, Literal(child.text, lang="zh")))
            g.add((iri, WSA.charStart, Literal(child.char_start)))
            g.add((iri, WSA.charEnd, Literal(child.char_end)))
            if child.heading:
                g.add((iri, WSA.heading, Literal(child.heading, lang="zh")))
            if child.marker:
                g.add((iri, WSA.marker, Literal(child.marker)))
            if child.ordinal is not None:
                g.add((iri, WSA.ordinal, Literal(child.ordinal)))
            self.provisions(child, iri)

    # ---- duties ---------------------------------------------------------------------------------
    def holder_of(self, p: Provision) -> list[Holder]:
        cues = rules()["duty_list_cues"]
        if p.kind == "table" or p.heading and any(c in p.heading for c in rules()["not_duty_list_cues"]):
            return []  # a table's rows name their own holders
        if p.heading:
            found = self.holders(p.heading, p)
            if found and (any(c in p.heading for c in cues) or p.children and len(p.heading) - len(found[0].label) <= 4):
                lead = self.lead_holders(p) if found[0].role is None else []
                return lead or found  # "企业单位安全责任 / 企业单位主要负责人应当履行下列安全职责：" -> the post
        found = self.lead_holders(p)
        if found:
            return found
        if p.kind == "row":
            return self.row_holders(p)
        if p.heading and p.children and all(c.kind in ITEM_KINDS for c in p.children) \
                and any(c in p.heading for c in rules()["default_holder_cues"]) \
                and not re.sub("|".join(rules()["generic_heading_words"]), "", p.heading):
            return [Holder(self.principal, None, p.heading)]
        return []

    def lead_holders(self, p: Provision) -> list[Holder]:
        """Holders named by a lead that introduces a list ("…主要履行以下安全生产职责:")."""
        if not (p.children and p.lead.rstrip().endswith(("：", ":"))):
            return []
        sentence = SENTENCE.findall(p.lead)[-1].strip()
        found = self.holders(sentence, p)
        return found if found and self.opens_with_holder(sentence, p) else []

    def duty_cell(self, row: Provision) -> str:
        """The text of a table row's duties column ("工作职责"), not the other cells."""
        columns = rules().get("table_columns", {})
        return "\n".join(c.text for c in row.cells if columns.get(c.column) == "duties")

    def row_holders(self, row: Provision) -> list[Holder]:
        """A duty-table row: columns say which cell names the level, the post or the body."""
        columns = rules().get("table_columns", {})
        holders, level, supervisor = [], None, None
        for cell in row.cells:
            meaning = columns.get(cell.column)
            text = re.sub(r"\s+", "", cell.text)
            if meaning == "level":
                level = next(iter(self.lex.find(text, "level")), None)
            elif meaning == "supervisor":
                roles = self.roles(text)
                supervisor = Holder(self.principal, roles[0].iris[0], text) if roles else None
            elif meaning == "post":
                roles = self.roles(text)
                if roles:
                    holders.append(Holder(self.principal, roles[0].iris[0], text))
                else:
                    self.summary.unplaced.append(f"{row.id}: {text}")
            elif meaning == "body":
                bodies = self.bodies_named(text, row)
                holders.extend(Holder(b, None, text) for b in bodies or [])
                if not bodies:
                    self.summary.unplaced.append(f"{row.id}: {text}")
        for h in holders:
            node = self.holder_node(h, row)
            if level is not None and h.role is not None:
                self.g.add((node, WSA.responsibilityLevel, level.iris[0]))
            if supervisor is not None and h.role is None:
                self.g.add((node, WSA.supervisedBy, self.holder_node(supervisor, row)))
        return holders

    def duties(self, p: Provision, holders: list[Holder] | None) -> None:
        own = self.holder_of(p) if p.kind != "document" else []
        if own:
            for h in own:
                self.holder_node(h, p)
            if p.children:
                for child in p.children:
                    self.duties_under(child, own)
            else:
                self.duty_texts(p, self.duty_cell(p) if p.kind == "row" else p.lead, own, split=True)
            return
        for child in p.children:
            self.duties(child, holders)
        if not p.children and p.kind != "document":
            self.duty_texts(p, p.lead, [], split=False, unowned=bool(frequencies(p.lead, self.lex)))

    def duties_under(self, p: Provision, holders: list[Holder]) -> None:
        if self.holder_of(p):
            self.duties(p, holders)
            return
        if p.heading and p.children and any(c in p.heading for c in rules()["default_holder_cues"][:2]):
            # a heading that announces someone's duties but names no post or body we know:
            # its duties are kept unassigned (a gap to look at) and the heading is reported
            self.summary.unplaced.append(f"{p.id}: {p.heading}")
            holders = []
        if p.lead.strip() and not p.lead.rstrip().endswith(("：", ":")) and p.kind in ITEM_KINDS and p.kind != "row":
            self.duty_texts(p, p.lead, holders, split=False)
        for child in p.children:
            self.duties_under(child, holders)

    def duty_texts(self, p: Provision, text: str, holders: list[Holder], *, split: bool,
                   unowned: bool = True) -> None:
        """One duty per item (or per sentence of an unnumbered passage); a sentence that opens
        with its own post ("其他负责人按照…每季度至少…") starts that post's duties. Outside a
        duty list, text with no post of its own is a duty only if it sets a frequency."""
        list_intro = rules()["list_intro"]
        runs: list[tuple[list[Holder], list[str]]] = [(holders, [])]
        for sentence in (s.strip() for s in SENTENCE.findall(text)):
            if not sentence or re.search(rf"{list_intro}[：:]", sentence):
                continue
            subject = self.subject(sentence, p, holders[0].body if holders else None)
            if subject is not None:
                runs.append(([subject], [sentence]))
            else:
                runs[-1][1].append(sentence)
        if not unowned:  # outside a duty list, "X是…第一责任人" states a level (see levels), not a duty
            runs = [(h, [x for x in ss if not self.lex.find(x, "level")]) for h, ss in runs[1:]]
        parts = [(h, [s]) for h, ss in runs for s in ss] if split else [(h, ss) for h, ss in runs if ss]
        for k, (owners, sentences) in enumerate(parts):
            body = "".join(sentences).strip()
            if len(body) < 4:
                continue
            local = p.id if len(parts) == 1 else f"{p.id}-{k + 1}"
            self.duty(p, local, body, owners)

    def duty(self, p: Provision, local: str, text: str, owners: list[Holder]) -> None:
        g = self.g
        node = iri_for("duty", self.doc_id, local)
        self.duty_count += 1
        g.add((node, RDF.type, WSA.Duty))
        g.add((node, WSA.text, Literal(text, lang="zh")))
        self._defined(node, p)
        types = {m.iris[0] for m in self.lex.find(text, "dutytype")}
        for t in sorted(types or {concept("dutytype", "other")}):
            g.add((node, WSA.dutyType, t))
        for owner in owners:
            g.add((self.holder_node(owner, p), WSA.hasDuty, node))
        for k, f in enumerate(frequencies(text, self.lex), start=1):
            fnode = iri_for("freq", self.doc_id, f"{local}-{k}")
            g.add((node, WSA.frequency, fnode))
            g.add((fnode, RDF.type, WSA.FrequencyRequirement))
            g.add((fnode, WSA.period, Literal(f.period, datatype=XSD.duration)))
            g.add((fnode, WSA.minOccurrences, Literal(f.minimum)))
            per_year = times_per_year(f.period, f.minimum).quantize(Decimal("0.0001")).normalize()
            g.add((fnode, WSA.timesPerYear, Literal(per_year, datatype=XSD.decimal)))
            g.add((fnode, WSA.text, Literal(f.wording, lang="zh")))
            if f.action:
                g.add((fnode, WSA.action, concept("dutytype", f.action)))
            self._defined(fnode, p)

    # ---- levels, lists, rosters ---------------------------------------------------------------
    def levels(self) -> None:
        """"X是…第一责任人", "X对…负全面领导责任": a level names the posts before it in its sentence."""
        for p in self.tree.walk():
            for sentence in SENTENCE.findall(p.lead):
                last = 0
                for level in self.lex.find(sentence, "level"):
                    span = sentence[last:level.start]
                    role_end = 0
                    for role in self.roles(span):
                        prefix = re.split(r"[，,：:]", span[role_end:role.start])[-1].lstrip("和及与、")
                        role_end = role.end
                        bodies = self.bodies_named(prefix, p, self.principal) if prefix.strip() else None
                        for b in bodies or [self.principal]:
                            self.g.add((self.post(b, role.iris[0], role.surface, p), WSA.responsibilityLevel, level.iris[0]))
                    last = level.end

    def body_lists(self) -> None:
        """"负有安全生产监管职责部门包括：A、B、C。": each listed body joins the collective."""
        intro = rules()["list_intro"]
        for p in self.tree.walk():
            if p.children or p.kind == "document" or not re.search(rf"{intro}[：:]", p.lead):
                continue  # the search below tries every start, so it runs only where it can match
            for m in re.finditer(rf"([^。；：:，\n]+?){intro}[：:]([^。]+)", p.lead):
                collective = self.holders(m.group(1), p)
                if not collective or collective[0].role is not None:
                    continue
                group = collective[0].body
                cls = self.g.value(group, RDF.type) or WSA.Body
                for name in re.split(r"[、，,]", m.group(2)):
                    name = name.strip()
                    if name:
                        member = self.body(name, p, cls=cls)
                        self.g.add((member, RDF.type, self.lex.suffix_class(name) or WSA.Department))
                        self.g.add((member, WSA.memberOfGroup, group))

    def rosters(self) -> None:
        """Leading-group rosters: "组 长：刘世文 党委书记" and the lines under it."""
        roster_roles = rules()["roster_roles"]
        head = re.compile(r"^([\u4e00-\u9fff ]{2,12}?)[：:](.*)$")
        for p in self.tree.walk():
            if p.children or p.kind == "document" or "\n" not in p.lead:
                continue
            group = None
            for m in self.lex.find(p.heading or "", "class"):
                if m.iris[0] == WSA.LeadingGroup:
                    name = (p.heading or "")[:m.end]
                    for verb in rules()["name_prefix_verbs"]:
                        name = name.removeprefix(verb)
                    group = self.body(name, p, cls=WSA.LeadingGroup)
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
                self.roster_line(p, group, role, line)

    def roster_line(self, p: Provision, group: URIRef, role_label: str, line: str) -> None:
        tokens = line.split()
        name = ""
        while tokens and (len(name) < 2 and len(tokens[0]) <= 2 or not name):
            name += tokens.pop(0)
            if len(name) >= 2:
                break
        role = next(iter(self.lex.find(role_label, "role")), None)
        if role is None or not name:
            return
        person = iri_for("person", self.doc_id, short_hash(name))
        self.g.add((person, RDF.type, FOAF.Person))
        self.g.add((person, FOAF.name, Literal(name, lang="zh")))
        self._defined(person, p)
        self.g.add((self.post(group, role.iris[0], role_label, p), ORG.heldBy, person))
        for phrase in re.split(r"[、，,]", " ".join(tokens)):
            phrase = phrase.strip()
            roles = self.roles(phrase)
            if not roles:
                if phrase:
                    self.summary.unplaced.append(f"{p.id}: {name} {phrase}")
                continue
            bodies = self.bodies_named(phrase[:roles[0].start], p) if phrase[:roles[0].start] else None
            for b in bodies or [self.principal]:
                self.g.add((self.post(b, roles[0].iris[0], phrase, p), ORG.heldBy, person))

    # ---- document-level facts -------------------------------------------------------------------
    def principles_and_sanctions(self) -> None:
        for m in self.lex.find(self.text, "principle"):
            for iri in m.iris:
                self.g.add((self.doc, WSA.invokesPrinciple, iri))
        context = rules()["sanction_context"]
        for sentence in SENTENCE.findall(self.text):
            if any(c in sentence for c in context):
                for m in self.lex.find(sentence, "sanction"):
                    for iri in m.iris:
                        self.g.add((self.doc, WSA.providesSanction, iri))

    def legal_basis(self) -> None:
        cues = rules()["legal_basis_cues"]
        for sentence in re.findall(r"[^。\n]+", self.text):
            if any(c in sentence for c in cues):
                for m in re.finditer(r"《[^》]+》(?:[（(][^）)]*〔\d{4}〕\d+号[）)])?", sentence):
                    self.g.add((self.doc, WSA.legalBasis, Literal(m.group(0), lang="zh")))


def extract(doc_id: str, text: str, tree: Provision, lexicon: Lexicon, places: Graph,
            *, source_path: str = "") -> tuple[Triples, Summary]:
    """The RDF of one document, and a summary of what was recognised and what was not.

    Args:
        doc_id: the document's slug, used in every IRI minted for it.
        text: the normalised text that the provisions' offsets point into.
        tree: the provision tree from structure.parse.
        lexicon: the wordings from ontology/.
        places: the gazetteer (data/places.ttl) used to find the jurisdiction.
        source_path: the source file, recorded as dcterms:source.
    """
    ex = _Extractor(doc_id, text, tree, lexicon, places)
    return ex.run(source_path), ex.summary


@lru_cache(maxsize=1)
def _test_lexicon() -> Lexicon:
    """The project's own lexicon, for doctests."""
    return Lexicon.load(Path(__file__).resolve().parent.parent.parent / "ontology")
