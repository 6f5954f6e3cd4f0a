"""A synthetic corpus at any size, made by recombining and perturbing the real documents.

Each generated jurisdiction is a new city (with a county, a town and a high-tech zone under
it) whose documents are copies of some of the real extracted documents (data/*.ttl), each
changed the way real documents of the same kind differ from one another:

- new names: a new slug, IRIs under ``id:<new-slug>/``, graph ``graph:<new-slug>``, a new
  jurisdiction place with zh/en labels, the place names inside body names, titles and texts
  replaced (巴中市经济和信息化委员会 -> 青河市经济和信息化委员会), new document numbers and
  new names for the persons a document names;
- posts dropped (with the duties only they carry) or added (a post copied from another
  document, with its duties, frequency requirements and the provisions they were read from,
  appended to the document's text so that offsets and provenance still hold);
- duties reworded: synonyms swapped throughout a document (检查<->督查, 召开<->举行 …);
- frequencies changed: a document says 每季度 where its model said 每月 (period, text and
  times per year change together), or a requirement's minimum count is raised;
- gaps planted: a post stripped of its duties, a leadership post's inspection or meeting
  duty stripped of its frequency, a duty left with no holder.

Every integrity shape (shapes/integrity.ttl) still holds and every Body, Post and Duty still
points to the provision it was read from. The output is deterministic for a seed:

    python benchmarks/generate.py --jurisdictions 100 --seed 1 --out /tmp/corpus
    python benchmarks/generate.py --jurisdictions 100 --format nq --out /tmp/corpus

writes ``<slug>.ttl`` per document plus ``places-generated.ttl`` (or one ``corpus.nq``), and
``generated.json`` listing the documents and the gaps planted in them. The real documents
are not copied: point a scratch project at both folders (see benchmarks/run.py).
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kgtool.vocab import PREFIXES  # noqa: E402 (after sys.path)

ID = "https://w3id.org/wsa/id/"
PLACE = ID + "place/"
GRAPH = "https://w3id.org/wsa/graph/"
WSA = "https://w3id.org/wsa/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_ALT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
XSD = "http://www.w3.org/2001/XMLSchema#"


def _w(local: str) -> ox.NamedNode:
    return ox.NamedNode(WSA + local)


POST, DUTY, FREQ, PROVISION, JURISDICTION = _w("Post"), _w("Duty"), _w("FrequencyRequirement"), _w("Provision"), _w("Jurisdiction")
HAS_DUTY, DUTY_OF, FREQUENCY, DUTY_TYPE = _w("hasDuty"), _w("dutyOf"), _w("frequency"), _w("dutyType")
PERIOD, MIN_OCC, TIMES, TEXT, SOURCE_TEXT = _w("period"), _w("minOccurrences"), _w("timesPerYear"), _w("text"), _w("sourceText")
CHAR_START, CHAR_END, LEVEL, ADMIN_LEVEL, WITHIN = _w("charStart"), _w("charEnd"), _w("responsibilityLevel"), _w("adminLevel"), _w("within")
JURISDICTION_OF, DOC_NUMBER = _w("jurisdiction"), _w("documentNumber")
ORG_ROLE, POST_IN = ox.NamedNode("http://www.w3.org/ns/org#role"), ox.NamedNode("http://www.w3.org/ns/org#postIn")
HELD_BY = ox.NamedNode("http://www.w3.org/ns/org#heldBy")
IS_PART_OF = ox.NamedNode("http://purl.org/dc/terms/isPartOf")
CREATOR = ox.NamedNode("http://purl.org/dc/terms/creator")
DC_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
FOAF_NAME = ox.NamedNode("http://xmlns.com/foaf/0.1/name")
DUTYTYPE = "https://w3id.org/wsa/concept/dutytype/"
ADMINLEVEL = "https://w3id.org/wsa/concept/adminlevel/"
LEVEL_POST = ox.NamedNode("https://w3id.org/wsa/concept/level/post")
LEADING_ROLES = {
    ox.NamedNode(f"https://w3id.org/wsa/concept/role/{r}")
    for r in ("party_secretary", "government_head", "principal_head", "safety_deputy", "business_deputy")
}
TIMED_ACTIONS = (ox.NamedNode(DUTYTYPE + "inspection"), ox.NamedNode(DUTYTYPE + "meeting"))

#: Syllables for new place names, with their pinyin (for slugs and English labels).
SYLLABLES = tuple(
    zip(
        "青河安平阳山江宁华兴新长永丰泰清源云石龙凤金玉宝德广林溪湖海乐康嘉瑞祥盛福春秋",
        [
            "qing",
            "he",
            "an",
            "ping",
            "yang",
            "shan",
            "jiang",
            "ning",
            "hua",
            "xing",
            "xin",
            "chang",
            "yong",
            "feng",
            "tai",
            "qing",
            "yuan",
            "yun",
            "shi",
            "long",
            "feng",
            "jin",
            "yu",
            "bao",
            "de",
            "guang",
            "lin",
            "xi",
            "hu",
            "hai",
            "le",
            "kang",
            "jia",
            "rui",
            "xiang",
            "sheng",
            "fu",
            "chun",
            "qiu",
        ],
    )
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌海波宁东辉鹏飞凯琳雪梅"
#: Same-meaning wordings a document may use instead of its model's (swapped both ways).
SYNONYMS = (
    ("检查", "督查"),
    ("召开", "举行"),
    ("研究", "研判"),
    ("加强", "强化"),
    ("部署", "安排"),
    ("督促", "敦促"),
    ("及时", "迅速"),
    ("组织", "统筹"),
)
#: Period changes a document may make throughout: (from, to, wording of from, wording of to).
PERIOD_CHANGES = (
    ("P1M", "P3M", "每月", "每季度"),
    ("P3M", "P1M", "每季度", "每月"),
    ("P3M", "P6M", "每季度", "每半年"),
    ("P6M", "P1Y", "每半年", "每年"),
    ("P1Y", "P6M", "每年", "每半年"),
)
PER_YEAR = {"P1W": Decimal(52), "P1M": Decimal(12), "P3M": Decimal(4), "P6M": Decimal(2), "P1Y": Decimal(1)}
COUNTS = {1: ("一", "1"), 2: ("两", "2"), 3: ("三", "3"), 4: ("四", "4")}
#: Suffixes stripped from a place label to find the core name used inside other names.
SUFFIXES = ("高新技术产业开发区", "高新区", "自治区", "街道", "市", "区", "县", "镇", "乡", "省")
LEVELS = ("city", "county", "town", "development_zone")


# ------------------------------------------------------------------------------ templates


@dataclass
class Template:
    """One real document as the model for generated ones."""

    slug: str
    kind: str  # "econ-2018": the slug without its place word
    doc: str  # the document IRI
    triples: list[tuple]  # (s, p, o) pyoxigraph terms, sorted
    level: str  # admin level of its jurisdiction
    cores: dict[str, str]  # core place name -> admin level it stands for ("巴中" -> "city")
    persons: list[str]  # foaf:name values
    doc_number: str | None
    subjects: dict = field(default_factory=dict)  # s -> list[(p, o)]


def _place_info(places: ox.Store) -> dict[str, dict]:
    info: dict[str, dict] = defaultdict(lambda: {"labels": [], "level": None, "within": None})
    for q in places:
        s = q.subject.value
        if q.predicate in (RDFS_LABEL, SKOS_ALT) and getattr(q.object, "language", None) == "zh":
            info[s]["labels"].append(q.object.value)
        elif q.predicate == ADMIN_LEVEL:
            info[s]["level"] = q.object.value.rsplit("/", 1)[-1]
        elif q.predicate == WITHIN:
            info[s]["within"] = q.object.value
    return info


def core_name(label: str) -> str:
    """A place label without its administrative suffix.

    >>> core_name("鄂尔多斯市"), core_name("本溪高新技术产业开发区"), core_name("铜川镇")
    ('鄂尔多斯', '本溪', '铜川')
    """
    for suffix in SUFFIXES:
        if label.endswith(suffix) and len(label) - len(suffix) >= 2:
            return label[: -len(suffix)]
    return label


def load_templates(root: Path) -> tuple[list[Template], list[str]]:
    """The real documents (data/*.ttl holding a wsa:PolicyDocument) and the province IRIs."""
    places = ox.Store()
    for path in sorted((root / "data").glob("*.ttl")):
        store = ox.Store()
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
        if not any(store.quads_for_pattern(None, RDF_TYPE, _w("PolicyDocument"))):
            places.extend(store)
    info = _place_info(places)
    provinces = sorted(p for p, i in info.items() if i["level"] == "province")
    templates = []
    for path in sorted((root / "data").glob("*.ttl")):
        store = ox.Store()
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
        docs = [q.subject for q in store.quads_for_pattern(None, RDF_TYPE, _w("PolicyDocument"))]
        if len(docs) != 1:
            continue
        doc = docs[0].value
        place = next((q.object.value for q in store.quads_for_pattern(docs[0], JURISDICTION_OF, None)), None)
        cores: dict[str, str] = {}
        node, level = place, None
        while node is not None and node in info and info[node]["level"] != "province":
            level = level or info[node]["level"]
            mapped = info[node]["level"] if info[node]["level"] in LEVELS else "city"
            for label in info[node]["labels"]:
                core = core_name(label)
                if len(core) >= 2:
                    cores.setdefault(core, mapped)
            node = info[node]["within"]
        triples = sorted(((q.subject, q.predicate, q.object) for q in store), key=_key)
        subjects: dict = defaultdict(list)
        for s, p, o in triples:
            subjects[s].append((p, o))
        persons = sorted({o.value for s, p, o in triples if p == FOAF_NAME})
        number = next((o.value for s, p, o in triples if p == DOC_NUMBER), None)
        words = path.stem.split("-")
        templates.append(
            Template(
                slug=path.stem,
                kind="-".join(words[1:]) or path.stem,
                doc=doc,
                triples=triples,
                level=level if level in LEVELS else "city",
                cores=cores,
                persons=persons,
                doc_number=number,
                subjects=dict(subjects),
            )
        )
    if not templates:
        raise SystemExit(f"no documents under {root / 'data'}")
    return templates, provinces


def _key(t: tuple) -> tuple:
    return tuple(str(x) for x in t)


# ------------------------------------------------------------------------------ rewriting text


class Rewriter:
    """Replaces several wordings at once (a swap stays a swap) and maps character offsets.

    >>> r = Rewriter({"检查": "督查", "督查": "检查", "巴中": "青河"})
    >>> r.sub("巴中市督查检查")
    '青河市检查督查'
    >>> text, shift = r.sub_with_offsets("巴中市每季度")
    >>> text, shift(3)
    ('青河市每季度', 3)
    """

    def __init__(self, mapping: dict[str, str]):
        self.mapping = {k: v for k, v in mapping.items() if k and k != v}
        keys = sorted(self.mapping, key=lambda k: (-len(k), k))
        self.pattern = re.compile("|".join(map(re.escape, keys))) if keys else None

    def sub(self, text: str) -> str:
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda m: self.mapping[m.group()], text)

    def sub_with_offsets(self, text: str):
        """The new text and a function from old offsets to new ones."""
        if self.pattern is None:
            return text, lambda i: i
        ends: list[int] = []
        shifts: list[int] = []
        total = 0
        parts: list[str] = []
        last = 0
        for m in self.pattern.finditer(text):
            new = self.mapping[m.group()]
            parts.append(text[last : m.start()])
            parts.append(new)
            last = m.end()
            total += len(new) - len(m.group())
            ends.append(m.end())
            shifts.append(total)
        parts.append(text[last:])

        def shift(i: int) -> int:
            k = bisect.bisect_right(ends, i)
            return i + (shifts[k - 1] if k else 0)

        return "".join(parts), shift


# ------------------------------------------------------------------------------ one jurisdiction


@dataclass
class Jurisdiction:
    slug: str
    places: list[tuple]  # triples for the places graph
    documents: dict[str, list[tuple]]  # document slug -> triples
    planted: list[dict]  # gaps planted: {"document", "kind", "focus"}
    changes: list[dict]  # other perturbations, for the record


def _names(rng: random.Random, n: int, avoid: set[str]) -> tuple[str, str]:
    while True:
        picks = [rng.choice(SYLLABLES) for _ in range(n)]
        zh = "".join(z for z, _ in picks)
        if zh not in avoid and len(set(zh)) == n:
            return zh, "".join(p for _, p in picks)


def _person(rng: random.Random, length: int) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(max(1, length - 1)))


def _lit(value: str, like: ox.Literal) -> ox.Literal:
    if like.language:
        return ox.Literal(value, language=like.language)
    return ox.Literal(value, datatype=like.datatype)


def _decimal(value: Decimal) -> ox.Literal:
    text = format(value.normalize(), "f")
    if "." not in text:
        text += ".0"
    return ox.Literal(text, datatype=ox.NamedNode(XSD + "decimal"))


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def _duration(value: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + "duration"))


class _Doc:
    """A generated document's triples as a mutable set, indexed both ways."""

    def __init__(self, triples):
        self.spo: dict = defaultdict(lambda: defaultdict(set))
        self.pos: dict = defaultdict(lambda: defaultdict(set))
        for t in triples:
            self.add(t)

    def add(self, t: tuple) -> None:
        s, p, o = t
        self.spo[s][p].add(o)
        self.pos[p][o].add(s)

    def remove(self, t: tuple) -> None:
        s, p, o = t
        if o in self.spo.get(s, {}).get(p, ()):
            self.spo[s][p].discard(o)
            self.pos[p][o].discard(s)

    def objects(self, s, p) -> list:
        return sorted(self.spo.get(s, {}).get(p, ()), key=str)

    def subjects(self, p, o) -> list:
        return sorted(self.pos.get(p, {}).get(o, ()), key=str)

    def typed(self, cls) -> list:
        return self.subjects(RDF_TYPE, cls)

    def drop_node(self, node) -> None:
        """Remove every triple with node as subject or object."""
        for p, objects in list(self.spo.get(node, {}).items()):
            for o in list(objects):
                self.remove((node, p, o))
        for p in list(self.pos):
            for s in list(self.pos[p].get(node, ())):
                self.remove((s, p, node))

    def triples(self) -> list[tuple]:
        return sorted(((s, p, o) for s, po in self.spo.items() for p, os in po.items() for o in os), key=_key)


def _ren(term, old: str, new: str, place_map: dict[str, str]):
    if isinstance(term, ox.NamedNode):
        v = term.value
        if v == old or v.startswith(old + "/"):
            return ox.NamedNode(new + v[len(old) :])
        if v in place_map:
            return ox.NamedNode(place_map[v])
    elif isinstance(term, ox.BlankNode):
        return ox.BlankNode(f"{new.rsplit('/', 1)[-1]}-{term.value}".replace("-", "x"))
    return term


def _rewrite(t: Template, new_doc: str, rewriter: Rewriter, place_map: dict[str, str], period_change, source_note: str) -> list[tuple]:
    """The template's triples under new IRIs, with its texts rewritten and offsets kept true."""
    shift = None
    for _s, p, o in t.triples:
        if p == SOURCE_TEXT:
            _, shift = rewriter.sub_with_offsets(o.value)
            break
    out = []
    for s, p, o in t.triples:
        s2 = _ren(s, t.doc, new_doc, place_map)
        if isinstance(o, ox.Literal):
            dt = o.datatype.value
            if p in (CHAR_START, CHAR_END) and shift is not None:
                o2 = _integer(shift(int(o.value)))
            elif p == DC_SOURCE:
                o2 = ox.Literal(source_note)
            elif o.language or dt == XSD + "string":
                o2 = _lit(rewriter.sub(o.value), o)
            else:
                o2 = o
        else:
            o2 = _ren(o, t.doc, new_doc, place_map)
        out.append((s2, p, o2))
    if period_change is not None:  # the structured frequencies follow the wording
        old, new = period_change[0], period_change[1]
        freqs = {s for s, p, o in out if p == PERIOD and o.value == old}
        mins = {s: int(o.value) for s, p, o in out if p == MIN_OCC and s in freqs}
        kept = [tr for tr in out if not (tr[0] in freqs and tr[1] in (PERIOD, TIMES))]
        for f in sorted(freqs, key=str):
            kept.append((f, PERIOD, _duration(new)))
            kept.append((f, TIMES, _decimal(mins.get(f, 1) * PER_YEAR[new])))
        out = kept
    return out


def _change_minimum(doc: _Doc, rng: random.Random, changes: list, slug: str) -> None:
    """Raise (or lower) some requirements' minimum count; times per year follow."""
    for f in doc.typed(FREQ):
        if rng.random() >= 0.2:
            continue
        periods = doc.objects(f, PERIOD)
        mins = doc.objects(f, MIN_OCC)
        if len(periods) != 1 or len(mins) != 1 or periods[0].value not in PER_YEAR:
            continue
        old = int(mins[0].value)
        new = old + 1 if old < 4 else old - 1
        doc.remove((f, MIN_OCC, mins[0]))
        for t in doc.objects(f, TIMES):
            doc.remove((f, TIMES, t))
        doc.add((f, MIN_OCC, _integer(new)))
        doc.add((f, TIMES, _decimal(new * PER_YEAR[periods[0].value])))
        for text in doc.objects(f, TEXT):  # "至少一次" -> "至少两次" in the requirement's own wording
            if old in COUNTS and new in COUNTS:
                value = text.value
                for a, b in zip(COUNTS[old], COUNTS[new]):
                    value = value.replace(f"至少{a}次", f"至少{b}次")
                if value != text.value:
                    doc.remove((f, TEXT, text))
                    doc.add((f, TEXT, _lit(value, text)))
        changes.append({"document": slug, "kind": "minimum_changed", "focus": f.value, "from": old, "to": new})


def _holders(doc: _Doc, duty) -> list:
    return doc.subjects(HAS_DUTY, duty) + doc.objects(duty, DUTY_OF)


def _drop_duty_tree(doc: _Doc, duty) -> None:
    frequencies = doc.objects(duty, FREQUENCY)
    doc.drop_node(duty)
    for f in frequencies:
        if not doc.subjects(FREQUENCY, f):
            doc.drop_node(f)


def _drop_post(doc: _Doc, post) -> None:
    """Remove a post, the duties only it carries, and persons who hold nothing else."""
    duties = doc.objects(post, HAS_DUTY)
    persons = doc.objects(post, HELD_BY)
    doc.drop_node(post)
    for d in duties:
        if not _holders(doc, d):
            _drop_duty_tree(doc, d)
    for person in persons:
        if not doc.subjects(HELD_BY, person):
            doc.drop_node(person)


def _first_responsible(doc: _Doc, post) -> bool:
    return any(o.value.endswith("/first_responsible") for o in doc.objects(post, LEVEL))


def _is_leadership(doc: _Doc, post) -> bool:
    """wsash:LeadershipPost: a level other than level:post, or a leading role."""
    if any(o != LEVEL_POST for o in doc.objects(post, LEVEL)):
        return True
    return any(o in LEADING_ROLES for o in doc.objects(post, ORG_ROLE))


def _copy_post(doc: _Doc, new_doc: str, source: Template, rewriter: Rewriter, post, tag: str, appended: list[tuple]) -> str:
    """Copy a post of another document with its duties, frequencies, persons and provisions.

    New nodes get local ids prefixed with ``tag``; the post joins a body of the same class
    (else the issuing body); copied provisions become parts of the document, their text
    appended to its source text (`appended` collects (provision, text))."""
    sub = source.subjects
    own = source.doc + "/"
    duties = [o for p, o in sub.get(post, ()) if p == HAS_DUTY]
    nodes = {post, *duties}
    nodes |= {o for p, o in sub.get(post, ()) if p == HELD_BY}
    nodes |= {o for d in duties for p, o in sub.get(d, ()) if p == FREQUENCY}
    provisions = {o for n in nodes for p, o in sub.get(n, ()) if p == DERIVED}

    def moved(node) -> ox.NamedNode:
        kind, _, rest = node.value[len(own) :].partition("/")
        return ox.NamedNode(f"{new_doc}/{kind}/{tag}.{rest}")

    body = next((o for p, o in sub.get(post, ()) if p == POST_IN), None)
    target_body = None
    for cls in sorted((o for p, o in sub.get(body, ()) if p == RDF_TYPE), key=str):
        found = doc.typed(cls)
        if found:
            target_body = found[0]
            break
    if target_body is None:
        target_body = next(iter(doc.objects(ox.NamedNode(new_doc), CREATOR)), None)
    for n in sorted(nodes | provisions, key=str):
        if not isinstance(n, ox.NamedNode) or not n.value.startswith(own):
            continue
        for p, o in sub.get(n, ()):
            if n in provisions and p in (IS_PART_OF, CHAR_START, CHAR_END):
                continue
            if isinstance(o, ox.Literal):
                o2 = _lit(rewriter.sub(o.value), o) if (o.language or o.datatype.value == XSD + "string") else o
            elif o in nodes or o in provisions:
                o2 = moved(o)
            elif isinstance(o, ox.NamedNode) and o.value == source.doc:
                o2 = ox.NamedNode(new_doc)
            elif p == POST_IN:
                if target_body is None:
                    continue
                o2 = target_body
            elif isinstance(o, ox.NamedNode) and o.value.startswith(own):
                continue  # a link to something not copied
            else:
                o2 = o
            doc.add((moved(n), p, o2))
    for prov in sorted(provisions, key=str):
        text = next((o.value for p, o in sub.get(prov, ()) if p == TEXT), "")
        doc.add((moved(prov), IS_PART_OF, ox.NamedNode(new_doc)))
        appended.append((moved(prov), rewriter.sub(text)))
    return moved(post).value


def _finish_source_text(doc: _Doc, new_doc: str, appended: list[tuple]) -> None:
    """Append copied provisions' texts to the document's text and point their offsets there."""
    if not appended:
        return
    node = ox.NamedNode(new_doc)
    old = next(iter(doc.objects(node, SOURCE_TEXT)), None)
    text = old.value if old is not None else ""
    for prov, piece in appended:
        start = len(text) + 1
        text = text + "\n" + piece
        for o in doc.objects(prov, CHAR_START) + doc.objects(prov, CHAR_END):  # copied twice: last wins
            doc.remove((prov, CHAR_START, o))
            doc.remove((prov, CHAR_END, o))
        doc.add((prov, CHAR_START, _integer(start)))
        doc.add((prov, CHAR_END, _integer(start + len(piece))))
    if old is not None:
        doc.remove((node, SOURCE_TEXT, old))
        doc.add((node, SOURCE_TEXT, _lit(text, old)))


def jurisdiction(j: int, seed: int, templates: list[Template], provinces: list[str]) -> Jurisdiction:
    """The j-th generated jurisdiction: its places and documents (deterministic for seed, j)."""
    rng = random.Random(f"kgtool-generate:{seed}:{j}")
    real = {c for t in templates for c in t.cores}
    city, city_py = _names(rng, 2, real)
    county, _ = _names(rng, 2, real | {city})
    town, _ = _names(rng, 2, real | {city, county})
    slug = f"{city_py}-{j:04d}"
    new_core = {"city": city, "county": county, "town": town, "development_zone": city}
    place_iri = {
        "city": PLACE + slug,
        "county": PLACE + slug + "-county",
        "town": PLACE + slug + "-town",
        "development_zone": PLACE + slug + "-hitech",
    }
    province = rng.choice(provinces) if provinces else None
    en = city_py.capitalize()
    places: list[tuple] = []

    def place(level: str, zh: str, en_label: str, within: str | None, alt: str | None = None) -> None:
        node = ox.NamedNode(place_iri[level])
        places.extend(
            [
                (node, RDF_TYPE, JURISDICTION),
                (node, RDFS_LABEL, ox.Literal(zh, language="zh")),
                (node, RDFS_LABEL, ox.Literal(en_label, language="en")),
                (node, ADMIN_LEVEL, ox.NamedNode(ADMINLEVEL + level)),
            ]
        )
        if within:
            places.append((node, WITHIN, ox.NamedNode(within)))
        if alt:
            places.append((node, SKOS_ALT, ox.Literal(alt, language="zh")))

    place("city", city + "市", f"{en} (generated)", province)
    place("county", county + "区", f"{en} County (generated)", place_iri["city"])
    place("town", town + "镇", f"{en} Town (generated)", place_iri["county"])
    place("development_zone", city + "高新区", f"{en} High-tech Zone (generated)", place_iri["city"], alt=city + "高新技术产业开发区")

    # names every document of this jurisdiction uses: places, persons, document numbers
    names: dict[str, dict[str, str]] = {}
    for t in templates:
        mapping = {core: new_core[level] for core, level in t.cores.items()}
        for name in t.persons:
            mapping[name] = _person(rng, len(name))
        if t.doc_number:
            number = t.doc_number
            first = next((new_core[lv][0] for c, lv in sorted(t.cores.items()) if number.startswith(c[0])), None)
            if first:
                number = first + number[1:]
            mapping[t.doc_number] = re.sub(r"〕\d+号", f"〕{rng.randint(1, 150)}号", number)
        names[t.slug] = mapping

    chosen = [t for t in templates if rng.random() < 0.85] or [rng.choice(templates)]
    docs: dict[str, _Doc] = {}
    origin: dict[str, Template] = {}
    planted: list[dict] = []
    changes: list[dict] = []
    for t in chosen:
        doc_slug = f"{slug}-{t.kind}"
        if doc_slug in docs:
            doc_slug = f"{doc_slug}-{len(docs)}"
        mapping = dict(names[t.slug])
        swaps = [pair for pair in SYNONYMS if rng.random() < 0.5]
        for a, b in swaps:
            mapping[a], mapping[b] = b, a
        period_change = None
        if rng.random() < 0.3:
            candidates = [c for c in PERIOD_CHANGES if any(p == PERIOD and o.value == c[0] for _, p, o in t.triples)]
            if candidates:
                period_change = rng.choice(candidates)
                mapping[period_change[2]] = period_change[3]
        place_map = {o.value: place_iri[t.level] for s, p, o in t.triples if p == JURISDICTION_OF}
        note = f"generated by benchmarks/generate.py (seed {seed}, jurisdiction {j}) from {t.slug}"
        docs[doc_slug] = _Doc(_rewrite(t, ID + doc_slug, Rewriter(mapping), place_map, period_change, note))
        origin[doc_slug] = t
        if swaps:
            changes.append({"document": doc_slug, "kind": "reworded", "swaps": [f"{a}<->{b}" for a, b in swaps]})
        if period_change:
            changes.append({"document": doc_slug, "kind": "period_changed", "from": period_change[0], "to": period_change[1]})

    for doc_slug in sorted(docs):
        doc, t, iri = docs[doc_slug], origin[doc_slug], ID + doc_slug
        _change_minimum(doc, rng, changes, doc_slug)
        posts = [p for p in doc.typed(POST) if not _first_responsible(doc, p)]
        for _ in range(rng.choice((0, 0, 1, 2))):  # drop up to two posts (never a first responsible one)
            if posts:
                victim = posts.pop(rng.randrange(len(posts)))
                _drop_post(doc, victim)
                changes.append({"document": doc_slug, "kind": "post_dropped", "focus": victim.value})
        others = [o for o in templates if o.slug != t.slug]
        appended: list[tuple] = []
        for k in range(rng.choice((0, 1, 1, 2))):  # add up to two posts copied from other documents
            if not others:
                break
            source = rng.choice(others)
            source_posts = sorted({s for s, p, o in source.triples if p == RDF_TYPE and o == POST}, key=str)
            if source_posts:
                post = rng.choice(source_posts)
                copied = _copy_post(doc, iri, source, Rewriter(names[source.slug]), post, f"x{k + 1}", appended)
                changes.append({"document": doc_slug, "kind": "post_added", "focus": copied, "from": post.value})
        _finish_source_text(doc, iri, appended)

    # plant gaps, each in one document of this jurisdiction; later ones spare earlier ones' nodes
    slugs = sorted(docs)
    spared: set = set()
    if rng.random() < 0.5:  # a post stripped of its duties
        for doc_slug in rng.sample(slugs, len(slugs)):
            doc = docs[doc_slug]
            # a post with a level keeps its duties: a level on a post without any is an integrity
            # violation (shapes/integrity.ttl), not the accountability gap planted here
            candidates = [p for p in doc.typed(POST) if doc.objects(p, HAS_DUTY) and not doc.objects(p, LEVEL)]
            if candidates:
                post = rng.choice(candidates)
                for d in doc.objects(post, HAS_DUTY):
                    doc.remove((post, HAS_DUTY, d))
                    if not _holders(doc, d):
                        _drop_duty_tree(doc, d)
                spared.add(post)
                planted.append({"document": doc_slug, "kind": "post_without_duty", "shape": "PostWithoutDuty", "focus": post.value})
                break
    if rng.random() < 0.5:  # a leadership post's timed inspection (or meeting) duties lose their frequency
        for doc_slug in rng.sample(slugs, len(slugs)):
            doc = docs[doc_slug]
            found = None
            for action in TIMED_ACTIONS:
                found = next(
                    (
                        p
                        for p in doc.typed(POST)
                        if _is_leadership(doc, p)
                        and any(action in doc.objects(d, DUTY_TYPE) and doc.objects(d, FREQUENCY) for d in doc.objects(p, HAS_DUTY))
                    ),
                    None,
                )
                if found:
                    break
            if found:
                for d in doc.objects(found, HAS_DUTY):
                    if any(a in doc.objects(d, DUTY_TYPE) for a in TIMED_ACTIONS):
                        spared.add(d)
                        for f in doc.objects(d, FREQUENCY):
                            doc.remove((d, FREQUENCY, f))
                            if not doc.subjects(FREQUENCY, f):
                                doc.drop_node(f)
                spared.add(found)
                planted.append(
                    {"document": doc_slug, "kind": "frequency_removed", "shape": "LeadershipWithoutFrequency", "focus": found.value}
                )
                break
    if rng.random() < 0.5:  # a duty that nobody carries
        for doc_slug in rng.sample(slugs, len(slugs)):
            doc = docs[doc_slug]
            # never a post's last duty where the post holds a level (an integrity violation, as above)
            duties = [
                d
                for d in doc.typed(DUTY)
                if d not in spared
                and _holders(doc, d)
                and not any(h in spared or (doc.objects(h, LEVEL) and len(list(doc.objects(h, HAS_DUTY))) == 1) for h in _holders(doc, d))
            ]
            if duties:
                duty = rng.choice(duties)
                for h in doc.subjects(HAS_DUTY, duty):
                    doc.remove((h, HAS_DUTY, duty))
                for h in doc.objects(duty, DUTY_OF):
                    doc.remove((duty, DUTY_OF, h))
                planted.append({"document": doc_slug, "kind": "unassigned_duty", "shape": "UnassignedDuty", "focus": duty.value})
                break
    documents = {doc_slug: docs[doc_slug].triples() for doc_slug in slugs}
    return Jurisdiction(slug=slug, places=sorted(places, key=_key), documents=documents, planted=planted, changes=changes)


def generate(root: Path, n: int, seed: int) -> Iterator[Jurisdiction]:
    """N jurisdictions, in order, each deterministic for (seed, index)."""
    templates, provinces = load_templates(root)
    for j in range(n):
        yield jurisdiction(j, seed, templates, provinces)


# ------------------------------------------------------------------------------ writing


def _triples(triples):
    return [ox.Triple(s, p, o) for s, p, o in triples]


def write(root: Path, n: int, seed: int, out: Path, *, fmt: str = "ttl") -> dict:
    """Write N generated jurisdictions to ``out``; returns the summary also written to generated.json."""
    out.mkdir(parents=True, exist_ok=True)
    summary: dict = {"seed": seed, "jurisdictions": n, "format": fmt, "documents": [], "triples": 0, "planted": [], "changes": 0}
    places: list[tuple] = []
    nq = (out / "corpus.nq").open("wb") if fmt == "nq" else None
    try:
        for jur in generate(root, n, seed):
            places.extend(jur.places)
            for slug, triples in jur.documents.items():
                summary["documents"].append(slug)
                summary["triples"] += len(triples)
                if nq is not None:
                    g = ox.NamedNode(GRAPH + slug)
                    ox.serialize([ox.Quad(s, p, o, g) for s, p, o in triples], nq, ox.RdfFormat.N_QUADS)
                else:
                    ox.serialize(_triples(triples), str(out / f"{slug}.ttl"), ox.RdfFormat.TURTLE, prefixes=PREFIXES)
            summary["planted"].extend(jur.planted)
            summary["changes"] += len(jur.changes)
        summary["triples"] += len(places)
        if nq is not None:
            g = ox.NamedNode(GRAPH + "places-generated")
            ox.serialize([ox.Quad(s, p, o, g) for s, p, o in places], nq, ox.RdfFormat.N_QUADS)
        else:
            ox.serialize(_triples(places), str(out / "places-generated.ttl"), ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    finally:
        if nq is not None:
            nq.close()
    (out / "generated.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jurisdictions", "-n", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="folder to write into (created)")
    parser.add_argument("--format", choices=("ttl", "nq"), default="ttl", help="one Turtle file per document (default) or one N-Quads file")
    parser.add_argument("--root", type=Path, default=ROOT, help="project whose data/*.ttl are the models")
    args = parser.parse_args()
    started = time.perf_counter()
    summary = write(args.root, args.jurisdictions, args.seed, args.out, fmt=args.format)
    print(
        f"{args.jurisdictions} jurisdictions, {len(summary['documents'])} documents, {summary['triples']} triples, "
        f"{len(summary['planted'])} gaps planted in {time.perf_counter() - started:.1f} s -> {args.out}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
