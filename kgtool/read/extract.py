"""Provision tree + lexicon -> RDF: bodies, posts, duties, frequencies, principles, sanctions.

Every Body, Post and Duty gets wsa:definedIn and prov:wasDerivedFrom the provision it was
read from. Wordings come from ontology/lexicon.ttl and rules/extract.yaml; no document is
special-cased here, so a new text of the same kind goes through the same code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from rdflib import Graph, Literal, URIRef

from kgtool.read import designations
from kgtool.read.designations import Office
from kgtool.read.duty_types import duty_types
from kgtool.read.explain import DutyNote, Explanation
from kgtool.read.frequencies import frequencies, times_per_year
from kgtool.read.frontmatter import front_matter
from kgtool.read.lexicon import Lexicon
from kgtool.read.places import place_units
from kgtool.read.sanctions import sanctions
from kgtool.read.structure import Provision
from kgtool.read.triples import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, WSA, XSD, Triples
from kgtool.read.wordings import load
from kgtool.vocab import concept, iri_for, local_name, short_hash

__all__ = ["Summary", "Triples", "extract", "times_per_year"]

ITEM_KINDS = {"part", "clause", "item", "subitem", "row"}
SENTENCE = re.compile(r"[^。；;\n]+[。；;]?")
PRINCIPAL_HEAD = concept("role", "principal_head")
#: The heads of a jurisdiction: in an organisation that is not a territory they are one principal head.
TOP_ROLES = {"principal_head", "government_head", "party_secretary"}


def rules() -> dict:
    """The extraction wordings (rules/extract.yaml)."""
    return load("extract")


def opens_statement(rest: str, followers: tuple[str, ...]) -> bool:
    """Whether what follows a designation opens its statement: one of the followers, but not a
    word that only begins like one (应急 is no 应: "…听取1次县应急管理局…汇报" has no subject 县).

    >>> opens_statement("应急管理局汇报", ("应", "对")), opens_statement("应当组织", ("应", "对"))
    (False, True)
    """
    return rest.startswith(followers) and not rest.startswith(tuple(rules()["predicate_lookalikes"]))


@dataclass(frozen=True, slots=True)
class Holder:
    """Who a passage's duties belong to: an office (role, portfolio, in one or more bodies), a
    body itself (role None), or all the leaders of a body (collective)."""

    body: URIRef
    role: URIRef | None
    label: str
    bodies: tuple[URIRef, ...] = ()
    portfolio: str | None = None
    extra_roles: tuple[URIRef, ...] = ()
    collective: bool = False
    known: bool = True


@dataclass
class Summary:
    """What extraction recognised, and what it could not place, for `kgtool ingest`."""

    counts: dict[str, int] = field(default_factory=dict)
    unplaced: list[str] = field(default_factory=list)
    explanation: Explanation = field(default_factory=Explanation)



class _Extractor:
    """One document's extraction: keeps the minted bodies and posts so mentions merge."""

    def __init__(self, doc_id: str, text: str, tree: Provision, lexicon: Lexicon, places: Graph):
        self.doc_id, self.text, self.tree, self.lex, self.places = doc_id, text, tree, lexicon, places
        self.doc = iri_for("document", doc_id)
        self.g = Triples()
        self.summary = Summary()
        self.bodies: dict[str, URIRef] = {}
        self.posts: dict[tuple[str, URIRef, str | None], URIRef] = {}  # (scope, role, portfolio) -> post
        self.provision_iris: dict[str, URIRef] = {}
        self.duty_count = 0
        self.context: dict[str, list[Holder]] = {}
        self.collective_duties: dict[tuple[URIRef, ...], list[tuple[Holder, URIRef, Provision]]] = {}
        self.level_remainders: dict[URIRef, tuple[Holder, Provision, str]] = {}
        self.jurisdiction_label: str | None = None
        self.prose_portfolios: dict[tuple[str, str], str | None] = {}  # (body, title) -> portfolio

    # ---- minting -------------------------------------------------------------------------
    def prov(self, provision: Provision) -> URIRef:
        if provision.id not in self.provision_iris:
            self.provision_iris[provision.id] = iri_for("provision", self.doc_id, provision.id)
        return self.provision_iris[provision.id]

    def _defined(self, node: URIRef, provision: Provision) -> None:
        self.g.add((node, WSA.definedIn, self.doc))
        self.g.add((node, PROV.wasDerivedFrom, self.prov(provision)))

    def body(self, name: str, provision: Provision, cls: URIRef | None = None) -> URIRef:
        """The body of this name in this document, minted on first mention. A bare class word
        of a class whose members are many (企业, 企业单位, 各类生产经营单位) names them all: one body
        per class, whatever the wording."""
        label = key = re.sub(r"\s+", "", name)
        bare = re.sub(r"^(各类|各|全)", "", key)
        if self.lex.is_class_label(bare) and \
                local_name(self.lex.suffix_class(bare)) in rules()["generic_member_classes"]:
            key = local_name(self.lex.suffix_class(bare))
        if key not in self.bodies:
            node = iri_for("body", self.doc_id, short_hash(key))
            self.bodies[key] = node
            self.g.add((node, RDF.type, cls or self.lex.suffix_class(label) or WSA.Body))
            self.g.add((node, RDFS.label, Literal(label, lang="zh")))
            self._defined(node, provision)
            if self.principal is not None and node != self.principal:
                self.g.add((node, ORG.subOrganizationOf, self.principal))
        node = self.bodies[key]
        self.g.add((node, PROV.wasDerivedFrom, self.prov(provision)))
        return node

    def post(self, holder: Holder, provision: Provision) -> URIRef:
        """The post of an office; later wordings of the same office become skos:altLabel.

        One office, one post: an office is its role, its portfolio and where it sits, either the
        jurisdiction's own leadership (党委, 政府, the issuing organisation) or named bodies. A
        plain principal head (主要负责人) of a named body takes its class's head role
        (wsa:headRole): the 主要负责人 of a 管委会 heads its government. In an organisation that
        is not a territory (a commission, a trade union, a bureau), its administrative head is its
        principal head (see issuer_head_roles); its party-group secretary is too where one person
        holds both (党组书记、局长, read by the designation grammar), and stays the party secretary
        where the text names the two apart (党组书记与局长共同为…第一责任人, a row for each).
        """
        bodies = holder.bodies or (holder.body,)
        role = holder.role
        if role == PRINCIPAL_HEAD and bodies != (self.principal,):
            role = self.lex.head_role(self.g.value(bodies[0], RDF.type)) or role
        scope = self.scope_of(bodies)
        if scope == "main" and not self.territorial and local_name(role) in self.issuer_head_roles():
            role = PRINCIPAL_HEAD
        portfolio = holder.portfolio if holder.portfolio not in (None, "safety", "business") else None
        key = (scope, role, portfolio)
        label = re.sub(r"\s+", "", holder.label)
        wording = Literal(label, lang="zh")
        if key not in self.posts:
            suffix = f".{short_hash(portfolio)}" if portfolio else ""
            node = iri_for("post", self.doc_id, f"{scope}.{local_name(role)}{suffix}")
            self.posts[key] = node
            self.g.add((node, RDF.type, WSA.Post))
            self.g.add((node, RDFS.label, wording))
            for b in bodies:
                self.g.add((node, ORG.postIn, b))
            self.g.add((node, ORG.role, role))
            if portfolio:
                self.g.add((node, WSA.portfolio, Literal(portfolio, lang="zh")))
            self._defined(node, provision)
            if not holder.known:
                self.summary.unplaced.append(f"{provision.id}: {label}: a post the grammar cannot place (role other)")
        node = self.posts[key]
        for extra in holder.extra_roles:
            if extra != role and local_name(extra) not in TOP_ROLES | {"deputy_head"}:
                self.g.add((node, ORG.role, extra))
        if (node, RDFS.label, wording) not in self.g:
            self.g.add((node, SKOS.altLabel, wording))
        self.g.add((node, PROV.wasDerivedFrom, self.prov(provision)))
        return node

    def issuer_head_roles(self) -> set[str]:
        """The roles that, in the issuer's own leadership, name the head of an issuer that is not a
        territory: a government head (主任 of a commission, 主席 of a trade union) and the head role
        of its class (局长 of a 局: wsa:headRole department_head)."""
        head = self.lex.head_role(self.g.value(self.principal, RDF.type))
        return {"principal_head", "government_head"} | ({local_name(head)} if head else set())

    def scope_of(self, bodies: tuple[URIRef, ...]) -> str:
        """Where an office sits: "main" for the jurisdiction's own leadership, else its bodies."""
        if any(self.at_jurisdiction_level(b) for b in bodies):
            return "main"
        return ".".join(sorted(local_name(b) for b in bodies))

    def at_jurisdiction_level(self, body: URIRef) -> bool:
        """Whether a body is the jurisdiction's own party committee or government (or the
        issuing organisation), not a department, unit or lower level: 高新区党工委 in Benxi,
        党组 in a commission, but not 街道办事处."""
        if body == self.principal:
            return True
        if self.g.value(body, RDF.type) not in (WSA.PartyOrganization, WSA.GovernmentBody):
            return False
        name = str(self.g.value(body, RDFS.label) or "")
        qualifier = self._qualifier(name)
        place = self.jurisdiction_label or ""
        return qualifier.removeprefix("本") == "" or bool(place) and (place.endswith(qualifier) or place in qualifier)

    def holder_node(self, holder: Holder, provision: Provision) -> URIRef:
        if holder.role is None:
            return holder.body
        return self.post(holder, provision)

    # ---- recognising holders ---------------------------------------------------------------
    def bodies_named(self, phrase: str, provision: Provision, default: URIRef | None = None) -> list[URIRef] | None:
        """Bodies in a phrase such as "高新区管委会、街道办事处"; None if it is not all bodies.

        A name is split at 和/及/与 only when every part is a body ("环境和资源综合利用科" is one);
        a bare class word ("各部门") means the default body, the one the passage is about.
        """
        phrase = re.sub(r"^(各级|各类|各|本|全)", "", phrase.strip()).rstrip("的")
        if default is not None and self.lex.is_class_label(phrase):
            return [default]
        if len(phrase) < 2:
            return None
        out: list[URIRef] = []
        names = [n for n in re.split(r"、(?![^（(]*[)）])", phrase) if n]
        if len(names) > 1 and set(names) <= set(rules()["generic_unit_words"]):
            return [self.body(phrase, provision, cls=self.lex.suffix_class(names[-1]))]  # 各办、中心、所: the units, together
        qualifier = self._qualifier(names[0]) if names else ""
        if not (place_units(qualifier) or self.lex.suffix_class(qualifier)):
            qualifier = ""  # 高新区 (党工委、管委会) is shared; 机关各 (部（室）、文化宫) is not a place or body
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

    def designation_at_start(self, text: str, *, subject: bool = False,
                             predicates: list[str] | None = None) -> tuple[str, list[Office]] | None:
        """The longest designation that opens a heading, lead or sentence, and its offices.

        A designation ends where a title or a body word ends and what follows is a predicate
        (对, 是, 应, 要, 每 …) or, in a heading, the words of a duty list (安全生产职责); it lies
        within the first clause. subject=True asks for a sentence subject (a predicate must follow).
        """
        text = text.strip()
        clause_end = next((m.start() for m in re.finditer(r"[，,。；;：:]", text)), len(text))
        followers = tuple(predicates or rules()["subject_predicates"]) + (() if subject else tuple(rules()["heading_followers"]))
        for end in sorted(self._designation_ends(text[:clause_end]), reverse=True):
            rest = re.sub(r"^[（(][^（()）]{1,12}[)）]", "", text[end:])  # "主要负责人（董事长）是…"
            introduced = self.introduced_post(text[:end])
            if rest and not opens_statement(rest, followers) and not (introduced and rest[0] in "，,"):
                continue
            phrase = introduced or text[:end]
            for verb in rules()["name_prefix_verbs"]:
                phrase = phrase.removeprefix(verb)
            if re.search(r"\s", phrase):
                continue  # "刘世文  党委书记": a name and a title, not one designation
            offices = designations.read(phrase, self.lex)
            if offices and all(o.clean if o.title else self.lex.suffix_class(o.body) and
                               not designations.is_clause_like(o.body) for o in offices):
                return phrase, offices
        return None

    def introduced_post(self, phrase: str) -> str | None:
        """A post that a clause sets up ("集团公司设安全总监，在主要负责人领导下…"): the designation
        without the verb ("集团公司安全总监"), which is then the subject of what follows the comma;
        None when no introducing verb (rules/extract.yaml post_introducers) stands between the body
        that sets it up and the title."""
        title = designations.title_at_end(phrase, self.lex)
        verb = next((v for v in rules()["post_introducers"] if title and phrase[:title.start].endswith(v)
                     and title.start > len(v)), None)
        return phrase[:title.start - len(verb)] + phrase[title.start:] if verb else None

    def _designation_ends(self, text: str) -> set[int]:
        """Where a title (role label, composed title, leader noun) or a body word ends."""
        ends = {m.end for m in self.lex.find(text, "role")} | {m.end for m in self.lex.find(text, "class")}
        for pattern in designations.leader_noun_patterns():
            ends |= {m.end() for m in pattern.finditer(text)}
        for pattern in designations.composed_patterns():
            ends |= {m.end() for m in pattern.finditer(text)}
        quoted = [(q.start(), q.end()) for q in re.finditer(r"《[^》]*》|“[^”]*”", text)]
        return {e for e in ends if not any(a < e <= b for a, b in quoted)}

    def holders_of_offices(self, offices: list[Office], provision: Provision,
                           default: URIRef | None = None) -> list[Holder]:
        """Offices as holders: bodies resolved to IRIs, 党政 to the party committee and the government."""
        out: list[Holder] = []
        for office in offices:
            if not office.title:  # a body named as a conjunct: 各办、中心、所和分管领导
                bodies = self.bodies_named(office.body, provision, default)
                out.extend(Holder(b, None, office.label) for b in bodies or [])
                continue
            office = self.with_prose_portfolio(office)
            bodies = self.office_bodies(office, provision, default)
            role = concept("role", office.role) if office.role else None
            extra = tuple(concept("role", r) for r in office.extra_roles)
            shorthand = designations.rules()["party_government_shorthands"].get(office.body)
            if shorthand and office.role in TOP_ROLES:  # 党政主要负责人: the party secretary and the government head
                out.extend(Holder(self.principal, concept("role", r), office.label, (self.principal,)) for r in shorthand)
                continue
            out.append(Holder(bodies[0], role, office.label, tuple(bodies), office.portfolio, extra,
                              collective=office.role is None, known=office.known))
        return out

    def read_prose_portfolios(self) -> None:
        """Portfolios stated in prose of deputies whose designation names none ("常务副县长协助县长
        分管全县安全生产工作", "各副州长…对分管行业领域…负领导责任"), read before any duty so that
        every mention of that deputy, in a heading or a list, is the same safety or business
        deputy. Two different portfolios for one designation cancel out (it names several posts)."""
        tails = [tail for p in self.tree.walk() for sentence in SENTENCE.findall(p.lead)
                 for tail in re.findall(r"(?:^|(?<=[，,]))(?=(.+))", sentence)]  # from each clause to the sentence's end
        for clause in tails:
            found = self.designation_at_start(clause, subject=True)
            if found is not None:
                portfolio = designations.prose_portfolio(clause.strip()[len(found[0]):])
                for office in found[1]:
                    if portfolio and office.role in designations.FIELDLESS_DEPUTIES and office.portfolio is None:
                        key = (office.body, office.title)
                        self.prose_portfolios[key] = portfolio if self.prose_portfolios.get(key, portfolio) == portfolio else None

    def with_prose_portfolio(self, office: Office) -> Office:
        """The office with the portfolio the text states for it in prose, if any."""
        portfolio = self.prose_portfolios.get((office.body, office.title)) \
            if office.role in designations.FIELDLESS_DEPUTIES and office.portfolio is None else None
        return designations.with_portfolio(office, portfolio) if portfolio else office

    def office_bodies(self, office: Office, provision: Provision, default: URIRef | None) -> list[URIRef]:
        """The bodies an office sits in: those it names, else the passage's default, else the issuer's."""
        if office.body and office.body not in designations.rules()["party_government_shorthands"]:
            cut = re.sub(r"^.*等", "", office.body)
            named = self.bodies_named(cut, provision, default)
            if named:
                return named
        return [default or self.principal]

    def holders(self, text: str, provision: Provision, default: URIRef | None = None) -> list[Holder]:
        """Posts or bodies named at the start of a heading or lead."""
        found = self.designation_at_start(text)
        if found is None:
            return []
        return self.holders_of_offices(found[1], provision, default)

    def subject(self, sentence: str, provision: Provision, default: URIRef | None = None,
                predicates: list[str] | None = None) -> list[Holder]:
        """A sentence's own subject when it opens with a designation: "镇长为…", "主要负责人每半年…";
        predicates narrows what may follow it (outside a duty list only a modal will do: 应, 要 …)."""
        agents = self.passive_agent(sentence, provision, default)
        if agents:
            return agents
        found = self.designation_at_start(sentence, subject=True, predicates=predicates)
        return self.holders_of_offices(found[1], provision, default) if found else []

    def passive_agent(self, sentence: str, provision: Provision, default: URIRef | None = None) -> list[Holder]:
        """"各办、中心、所负责的安全生产工作由分管领导和负责人落实": the offices after 由, when an
        agent verb follows them, hold the sentence; a head named without body or portfolio (负责人)
        heads the bodies the sentence's topic opens with."""
        topic, by, agent = sentence.partition("由")
        if not by or re.search(r"[，,：:]", topic) or re.match(rules()["self_reference"], topic):
            return []  # "本细则由…负责解释" is about the document, not a duty
        found = self.designation_at_start(agent, subject=True, predicates=rules()["passive_agent_verbs"])
        if found is None:
            return []
        opening = re.match(r"(.+?)(?:负责)?的", topic)
        topic_bodies = self.bodies_named(opening.group(1), provision, default) if opening else None
        out = []
        for office in found[1]:
            if topic_bodies and office.title and not office.body and office.portfolio is None:
                head = replace(office, role="principal_head", known=True) if office.role == "other" else office
                out.extend(self.holders_of_offices([head], provision, topic_bodies[0]))
            else:
                out.extend(self.holders_of_offices([office], provision, default))
        return out

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
        self.territorial = False
        place = self.jurisdiction(meta.creator or meta.title or "")
        if place is not None:
            g.add((doc, WSA.jurisdiction, place))
        self.provisions(self.tree, doc)
        for p in self.tree.walk():
            self.summary.explanation.at(p.id, p.heading)
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
        principal_name = str(self.g.value(self.principal, RDFS.label))
        self.territorial = principal_name.endswith(tuple(rules()["territorial_suffixes"])) or \
            principal_name == self.jurisdiction_label or self.g.value(self.principal, RDF.type) == WSA.LeadingGroup
        self.principles_and_sanctions()
        self.legal_basis()
        self.read_prose_portfolios()
        self.duties(self.tree, None)
        self.levels()
        self.body_lists()
        self.rosters()
        self.appointments()
        self.distribute_collectives()
        self.level_duties()
        self.accountable_posts()
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
            return self.jurisdiction_from_name(name)
        self.jurisdiction_label = best[2]
        return best[1]

    def jurisdiction_from_name(self, name: str) -> URIRef | None:
        """A jurisdiction the gazetteer lacks, made from the places the issuer's name opens with
        ("石桥县人民政府办公室": 石桥县, a county), each within the one before; reported, so that an
        analyst can add it to data/places.ttl with the province it lies in."""
        units = place_units(name)
        if not units:
            self.summary.unplaced.append(f"jurisdiction: no place of data/places.ttl, and none named, in {name!r}")
            return None
        parent = None
        for label, level in units:
            node = iri_for("place", local_id=f"new-{short_hash(label)}")
            self.g.add((node, RDF.type, WSA.Jurisdiction))
            self.g.add((node, RDFS.label, Literal(label, lang="zh")))
            self.g.add((node, WSA.adminLevel, concept("adminlevel", level)))
            self.g.add((node, PROV.wasDerivedFrom, self.prov(self.tree)))
            if parent is not None:
                self.g.add((node, WSA.within, parent))
            parent = node
        self.jurisdiction_label = units[-1][0]
        self.summary.unplaced.append(
            f"jurisdiction: {' > '.join(label for label, _ in units)} is not in data/places.ttl: made from the "
            f"issuer's name ({units[-1][1]}); add it there with the place it lies in to compare it by province")
        return parent

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
    def holder_of(self, p: Provision, default: URIRef | None = None) -> tuple[list[Holder], str]:
        """Whose duties a provision lists, named by its heading or its lead, or by a table row;
        and what named them (for --explain).

        A heading made only of generic words (要求, 安全生产责任) names nobody: its items stay
        with the holder of the passage they are in, or unassigned at the top (never the issuer).
        """
        cues = rules()["duty_list_cues"]
        if p.kind == "table" or p.heading and any(c in p.heading for c in rules()["not_duty_list_cues"]):
            return [], ""  # a table's rows name their own holders
        if p.heading:
            found = self.holders(p.heading, p, default)
            if found and (any(c in p.heading for c in cues) or p.children):
                lead = self.lead_holders(p, default) if found[0].role is None else []
                # "企业单位安全责任 / 企业单位主要负责人应当履行下列安全职责：" -> the post
                return (lead, f"list lead-in «{p.lead.strip()}»") if lead else (found, f"heading «{p.heading}»")
        found = self.lead_holders(p, default)
        if found:
            return found, f"list lead-in «{p.lead.strip()}»"
        if p.kind == "row":
            return self.row_holders(p), "the table row's cells"
        return [], ""

    def lead_holders(self, p: Provision, default: URIRef | None = None) -> list[Holder]:
        """Holders named by a lead that introduces a list ("…主要履行以下安全生产职责:")."""
        if not (p.children and p.lead.rstrip().endswith(("：", ":"))):
            return []
        sentence = SENTENCE.findall(p.lead)[-1].strip()
        return self.holders(sentence, p, default)

    def duty_cell(self, row: Provision) -> str:
        """The text of a table row's duties column ("工作职责"), not the other cells."""
        columns = rules().get("table_columns", {})
        return "\n".join(c.text for c in row.cells if columns.get(c.column) == "duties")

    def row_holders(self, row: Provision) -> list[Holder]:
        """A duty-table row: columns say which cell names the level, the post or the body."""
        columns = rules().get("table_columns", {})
        holders: list[Holder] = []
        level, supervisor = None, []
        for cell in row.cells:
            meaning = columns.get(cell.column)
            text = re.sub(r"\s+", "", cell.text)
            if meaning == "level":
                level = next(iter(self.lex.find(text, "level")), None)
            elif meaning == "supervisor":
                supervisor = self.holders_of_offices(designations.read(text, self.lex), row)
            elif meaning == "post":
                found = self.holders_of_offices(designations.read(text, self.lex), row)
                holders.extend(found)
                if not found:
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
            if supervisor and h.role is None and supervisor[0].role is not None:
                self.g.add((node, WSA.supervisedBy, self.holder_node(supervisor[0], row)))
        return holders

    def duties(self, p: Provision, holders: list[Holder] | None) -> None:
        default = holders[0].body if holders else None
        own, why = self.holder_of(p, default) if p.kind != "document" else ([], "")
        if own:
            self.context[p.id] = own
            note = self.summary.explanation.at(p.id)
            note.holders, note.why = [h.label for h in own], why
            for h in own:
                if not h.collective:
                    self.holder_node(h, p)
            if p.children:
                if p.lead.strip() and not p.lead.rstrip().endswith(("：", ":")) and p.kind != "row":
                    self.duty_texts(p, p.lead, own, split=True, in_list=True)
                for child in p.children:
                    self.duties_under(child, own)
            else:
                # a table row's duty cell is one duty; an item's sentences are one duty each
                self.duty_texts(p, self.duty_cell(p) if p.kind == "row" else p.lead, own, split=p.kind != "row", in_list=True)
            return
        if not holders and p.heading and any(c in p.heading for c in rules()["holderless_list_cues"]) \
                and not any(c in p.heading for c in rules()["not_duty_list_cues"]) \
                and p.children and all(c.kind in ITEM_KINDS and c.kind != "row" for c in p.children):
            for child in p.children:  # "（一）安全生产责任 1.… 2.…": duties nobody is named for
                self.duties_under(child, [])
            return
        for child in p.children:
            self.duties(child, holders)
        if not p.children and p.kind != "document":
            self.duty_texts(p, p.lead, [], split=False, in_list=False)

    def duties_under(self, p: Provision, holders: list[Holder]) -> None:
        if self.holder_of(p, holders[0].body if holders else None)[0]:
            self.duties(p, holders)
            return
        self.context[p.id] = holders
        if p.lead.strip() and not p.lead.rstrip().endswith(("：", ":")) and p.kind in ITEM_KINDS and p.kind != "row":
            self.duty_texts(p, p.lead, holders, split=False, in_list=True)
        for child in p.children:
            self.duties_under(child, holders)

    def duty_texts(self, p: Provision, text: str, holders: list[Holder], *, split: bool, in_list: bool) -> None:
        """One duty per item (or per sentence of an unnumbered passage); a sentence that opens
        with its own designation ("其他负责人按照…每季度至少…") starts that holder's duties.

        A sentence that states a level ("X对…负全面领导责任") is a level (see levels), and only
        what it asks beyond that is a duty; a cross-reference (详见附表) is none. Outside a duty
        list, text with no holder of its own is a duty only if it sets a frequency.
        """
        list_intro = rules()["list_intro"]
        skipped = self.summary.explanation.at(p.id).skipped
        runs: list[tuple[list[Holder], list[str]]] = [(holders, [])]
        for sentence in (s.strip() for s in SENTENCE.findall(text)):
            if not sentence:
                continue
            if re.search(rf"{list_intro}[：:]", sentence):
                skipped.append((sentence, "introduces a list"))
                continue
            if self.is_reference(sentence):
                skipped.append((sentence, "a cross-reference"))
                continue
            if re.match(rules()["self_reference"], sentence):
                skipped.append((sentence, "about the document itself"))
                continue
            if not in_list and self.lex.find(sentence, "level"):
                skipped.append((sentence, "states a level"))
                continue  # outside a duty list, "X是…第一责任人" states a level (see levels), not a duty
            subject = self.subject(sentence, p, holders[0].body if holders else None,
                                   predicates=None if in_list else rules()["modal_predicates"])
            sentence = self.beyond_level(sentence)
            if subject:
                runs.append((subject, [sentence] if sentence else []))
            elif sentence:
                runs[-1][1].append(sentence)
        if not in_list:
            if runs[0][1] and not frequencies("".join(runs[0][1])):
                skipped.extend((s, "no holder named and outside a duty list") for s in runs[0][1])
            runs = runs[1:] + ([([], runs[0][1])] if frequencies("".join(runs[0][1])) else [])
        parts = [(h, [s]) for h, ss in runs for s in ss] if split else [(h, ss) for h, ss in runs if ss]
        parts = [(h, ss) for h, ss in parts if len("".join(ss).strip()) >= 4]
        for k, (owners, sentences) in enumerate(parts):
            local = p.id if len(parts) == 1 else f"{p.id}-{k + 1}"
            self.duty(p, local, "".join(sentences).strip(), owners)

    def is_reference(self, sentence: str) -> bool:
        """A cross-reference to a table or annex ("职责详见附表"), not a duty."""
        return any(re.search(cue, sentence) for cue in rules()["reference_cues"])

    def stated_levels(self, sentence: str) -> list:
        """The level wordings of a sentence that only state a level ("X负直接领导责任"), not those
        that a duty asks to carry out ("落实分管行业领域安全生产监管责任": an item that is a duty
        whatever level it also implies; rules/extract.yaml level_as_object) or that name the one
        helped ("协助第一责任人…履行…职责"; level_of_another)."""
        as_object = re.compile(rules()["level_as_object"] + "|" + rules()["level_of_another"])
        return [m for m in self.lex.find(sentence, "level") if not as_object.search(sentence[:m.start])]

    def beyond_level(self, sentence: str) -> str:
        """What a sentence asks beyond the level it states: the clauses after the level clause,
        unless they state levels too ("…全面负责，其他从业人员对安全生产负岗位责任")."""
        levels = self.stated_levels(sentence)
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

    def duty(self, p: Provision, local: str, text: str, owners: list[Holder]) -> None:
        g = self.g
        node = iri_for("duty", self.doc_id, local)
        self.duty_count += 1
        g.add((node, RDF.type, WSA.Duty))
        g.add((node, WSA.text, Literal(text, lang="zh")))
        self._defined(node, p)
        decided = duty_types(text, self.lex)
        for t in sorted({concept("dutytype", d.concept) for d in decided} or {concept("dutytype", "other")}):
            g.add((node, WSA.dutyType, t))
        found = frequencies(text)
        self.summary.explanation.at(p.id).duties.append(DutyNote(
            local, text, list(dict.fromkeys(o.label for o in owners)),
            [(d.concept, d.evidence) for d in decided] or [("other", "")],
            [f.wording for f in found]))
        for owner in owners:
            if owner.collective:
                self.collective_duties.setdefault(self.collective_key(owner), []).append((owner, node, p))
            else:
                g.add((self.holder_node(owner, p), WSA.hasDuty, node))
        for k, f in enumerate(found, start=1):
            fnode = iri_for("freq", self.doc_id, f"{local}-{k}")
            g.add((node, WSA.frequency, fnode))
            g.add((fnode, RDF.type, WSA.FrequencyRequirement))
            g.add((fnode, WSA.period, Literal(f.period, datatype=XSD.duration)))
            g.add((fnode, WSA.minOccurrences, Literal(f.minimum)))
            per_year = times_per_year(f.period, f.minimum).quantize(Decimal("0.0001")).normalize()
            g.add((fnode, WSA.timesPerYear, Literal(per_year, datatype=XSD.decimal)))
            g.add((fnode, WSA.text, Literal(f.wording, lang="zh")))
            # the action counted: the one the wording names, else what the duty asks (每月至少调度1次…)
            action = f.action or (decided[0].concept if decided else "other")
            g.add((fnode, WSA.action, concept("dutytype", action)))
            self._defined(fnode, p)

    def collective_key(self, holder: Holder) -> tuple[URIRef, ...]:
        return tuple(sorted(holder.bodies or (holder.body,)))

    def distribute_collectives(self) -> None:
        """Duties of "the leaders of B" (领导干部, 班子成员) go to every leader post in B; with no
        such post named, one post of role other stands for them (and is reported)."""
        for key, items in self.collective_duties.items():
            scope = self.scope_of(key)
            targets = [node for (post_scope, role, _), node in self.posts.items()
                       if post_scope == scope and local_name(role) in rules()["leader_roles"]]
            for owner, duty, p in items:
                if targets:
                    for node in targets:
                        self.g.add((node, WSA.hasDuty, duty))
                else:
                    other = Holder(owner.body, concept("role", "other"), owner.label, owner.bodies, known=False)
                    self.g.add((self.post(other, p), WSA.hasDuty, duty))

    # ---- levels, lists, rosters ---------------------------------------------------------------
    def levels(self) -> None:
        """"X是…第一责任人", "X对…负全面领导责任": a level lands on the offices its sentence's
        subject names (distributed over 和, 党政), or on the holder of the list it stands in."""
        gloss = re.compile(rules()["definition_gloss"])
        for p in map(self.heading_sentence_in_lead, self.tree.walk()):
            lead = gloss.sub(lambda m: "＿" * len(m.group(0)), p.lead)
            for found in SENTENCE.finditer(lead):
                sentence, last, previous = found.group(), 0, None
                original = p.lead[found.start():found.end()]
                another = re.compile(rules()["level_of_another"])
                levels = [m for m in self.lex.find(sentence, "level") if not another.search(sentence[:m.start])]
                for n, level in enumerate(levels):
                    remainder = self.after_level(original, level.end, levels[n + 1].start if n + 1 < len(levels) else None) \
                        or self.level_clause(original, last, level.end)
                    for holder in self.level_subject(sentence[last:level.start], p, previous):
                        if holder.role is None and holder.body != self.principal:
                            previous = holder.body  # "各类生产经营单位要落实…主体责任，法人代表…": its units
                        if holder.role is not None and not holder.collective:
                            post = self.post(holder, p)
                            self.g.add((post, WSA.responsibilityLevel, level.iris[0]))
                            self.summary.explanation.at(p.id).levels.append((holder.label, level.surface))
                            previous = holder.body if holder.body != self.principal else None
                            if remainder:
                                self.level_remainders.setdefault(post, (holder, p, remainder))
                    last = level.end

    @staticmethod
    def after_level(sentence: str, level_end: int, next_level: int | None) -> str:
        """What a sentence asks after the clause of a level, up to the clause of the next level
        ("法人代表要认真履行…第一责任人的责任，认真组织，周密安排…" -> "认真组织，周密安排…")."""
        cut = re.search(r"[，,]", sentence[level_end:])
        if cut is None:
            return ""
        rest = sentence[level_end + cut.end():]
        if next_level is not None:
            rest = rest[: next_level - level_end - cut.end()]
            rest = rest[: max(rest.rfind("，"), rest.rfind(","), 0)]
        rest = rest.strip("，,。；; ")
        return rest if len(rest) >= 6 else ""

    @staticmethod
    def level_clause(sentence: str, start: int, level_end: int) -> str:
        """The clause that states a level, from its subject on ("其他从业人员对安全生产负岗位责任")."""
        cut = max(sentence.rfind("，", start, level_end), sentence.rfind(",", start, level_end))
        clause = sentence[max(cut + 1, start):level_end].strip("，,。；; ")
        return clause if len(clause) >= 6 else ""

    @staticmethod
    def heading_sentence_in_lead(p: Provision) -> Provision:
        """The provision with a heading that is a sentence put back before its lead: a lead-in
        short enough to pass for a heading ("第四条 主管生产的负责人对生产系统安全生产工作负领导责任，
        主要职责：") states its level as a longer one would."""
        if p.heading and re.search(r"[，,；;]", p.heading):
            return replace(p, lead=f"{p.heading}：{p.lead}")
        return p

    def level_duties(self) -> None:
        """A post whose only statement is its level sentence holds what that sentence asks beyond
        the level as its one duty ("部门单位主要负责人是…第一责任人，负责本部门单位日常安全工作"), or,
        when it asks nothing more, the level clause itself ("其他从业人员对安全生产负岗位责任": a
        catch-all, which the gap report shows as such); where a list spells the post's duties
        out, the sentence only summarises them."""
        made: dict[str, int] = {}
        for post, (holder, p, text) in self.level_remainders.items():
            if not self.g.objects(post, WSA.hasDuty):
                made[p.id] = made.get(p.id, 0) + 1
                self.duty(p, f"{p.id}-level-{made[p.id]}", text, [holder])

    def level_subject(self, span: str, p: Provision, previous: URIRef | None = None) -> list[Holder]:
        """The holders a level clause names: the designation opening its clause, or the one
        standing alone in the clause before ("其他副科级以上领导，按照…负直接领导责任"), else the
        holder of the list the sentence is in."""
        context = self.context.get(p.id, [])
        default = context[0].body if context else None
        clauses = [c.strip() for c in re.split(r"[，,：:]", span)]
        inherit = rules()["inherit_body_roles"]
        for k in range(len(clauses) - 1, -1, -1):
            found = self.designation_at_start(clauses[k], subject=True) or \
                (k < len(clauses) - 1 and self.designation_at_start(clauses[k]))
            if found:  # "…主要负责人对本单位…，其他从业人员对…": that unit's staff
                topic = previous if previous is not None else self.topic_body(clauses[:k], p)
                return [h for o in found[1] for h in self.holders_of_offices(
                    [o], p, topic if topic is not None and o.role in inherit and not o.body else default)]
            if k == len(clauses) - 1 and not re.match(rules()["level_clause_opening"], clauses[k]):
                break
        return [h for h in context if h.role is not None] if len(clauses) <= 2 else []

    def topic_body(self, clauses: list[str], p: Provision) -> URIRef | None:
        """The body the nearest earlier clause is about ("各类生产经营单位要落实…主体责任，法人代表要…":
        the units whose legal representative is meant), if that clause opens with bodies alone."""
        for clause in reversed(clauses):
            found = self.designation_at_start(clause, subject=True)
            if found and not any(o.title for o in found[1]):
                bodies = self.bodies_named(found[1][0].body, p)
                return bodies[0] if bodies else None
        return None

    def accountable_posts(self) -> None:
        """"（村委员会）实行一把手责任追究制": a scheme that holds an office of the passage's body to
        account names that office, even where the text gives it no duty of its own."""
        pattern = re.compile(rules()["accountable_office"])
        for p in self.tree.walk():
            bodies = [h.body for h in self.context.get(p.id, []) if h.role is None]
            for m in pattern.finditer(p.lead if bodies else ""):
                offices = [o for o in designations.read(m.group("office"), self.lex) if o.title and o.clean]
                for holder in self.holders_of_offices(offices, p, bodies[0]):
                    if holder.role is not None and not holder.collective:
                        self.post(holder, p)

    def appointments(self) -> None:
        """Prose that fills a post: "办公室主任由…局长刘燕军兼任", "党组书记、常务副主席任组长"."""
        verbs = "|".join(designations.rules()["appointment_verbs"])
        for p in self.tree.walk():
            if p.children or p.kind == "document":
                continue
            for sentence in re.split(r"[，,。；;]", p.lead):
                m = re.fullmatch(rf"(.+?)由(.+?)(?:{verbs})", sentence.strip())
                if m:
                    self.appoint(p, m.group(1), m.group(2))

    def appoint(self, p: Provision, post_phrase: str, holder_phrase: str) -> None:
        offices = designations.read(post_phrase, self.lex)
        if len(offices) != 1 or not offices[0].title:
            return
        group = next((b for b in self.g.subjects(PROV.wasDerivedFrom, self.prov(p))
                      if self.g.value(b, RDF.type) == WSA.WorkingOffice), None)
        post = self.post(self.holders_of_offices(offices, p, group)[0], p)
        name = re.search(r"([\u4e00-\u9fff]{2,3})$", holder_phrase)
        title = designations.title_at_end(holder_phrase[: name.start()] if name else holder_phrase, self.lex)
        if name and title is not None and title.start + len(title.surface) == name.start():
            self.g.add((post, ORG.heldBy, self.person(name.group(1), p)))
            holder_phrase = holder_phrase[: name.start()]
        self.g.add((post, SKOS.altLabel, Literal(holder_phrase, lang="zh")))

    def person(self, name: str, p: Provision) -> URIRef:
        person = iri_for("person", self.doc_id, short_hash(name))
        self.g.add((person, RDF.type, FOAF.Person))
        self.g.add((person, FOAF.name, Literal(name, lang="zh")))
        self._defined(person, p)
        return person

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
        """"刘世文  党委书记": the person holds the group post and each office named after the name."""
        tokens = line.split()
        name = ""
        while tokens and (len(name) < 2 and len(tokens[0]) <= 2 or not name):
            name += tokens.pop(0)
            if len(name) >= 2:
                break
        role = next(iter(self.lex.find(role_label, "role")), None)
        if role is None or not name:
            return
        person = self.person(name, p)
        group_post = Holder(group, role.iris[0], role_label, (group,))
        self.g.add((self.post(group_post, p), ORG.heldBy, person))
        for phrase in re.split(r"[，,]", " ".join(tokens)):
            phrase = phrase.strip()
            found = self.holders_of_offices(designations.read(phrase, self.lex), p) if phrase else []
            if not [h for h in found if h.role is not None] and phrase:
                self.summary.unplaced.append(f"{p.id}: {name} {phrase}")
            for holder in found:
                if holder.role is not None:
                    self.g.add((self.post(holder, p), ORG.heldBy, person))

    # ---- document-level facts -------------------------------------------------------------------
    def principles_and_sanctions(self) -> None:
        for m in self.lex.find(self.text, "principle"):
            for iri in m.iris:
                self.g.add((self.doc, WSA.invokesPrinciple, iri))
        for mention in sanctions(self.text, self.lex):
            self.g.add((self.doc, WSA.providesSanction, mention.concept))

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
