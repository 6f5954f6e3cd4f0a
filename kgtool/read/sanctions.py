"""The sanctions, rewards and mitigations a document provides, with where it says so.

A sanction wording (通报, 约谈, 追究…责任 …) counts only in a sentence that speaks of
accountability, commendation or consequences: one holding a cue word of
rules/extract.yaml (`sanction_context` and `sanction_context_more`). So "组织召开会议，通报情况"
in a list of duties gives nothing, while "采取警示提示、约谈、通报等方式督促落实" gives three.

The wordings are the sanction scheme's labels in ontology/lexicon.ttl; the kind of each
concept comes from the ontology's hierarchy: narrower (skos:broader*) than sanction:reward
it is a reward, than sanction:mitigation a mitigation, and anything else (everything under
sanction:accountability) a sanction proper. To teach a new wording, add a label; to add a
form, add a concept under the right top concept. No wording or kind is listed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rdflib import URIRef

from kgtool.read.lexicon import Lexicon
from kgtool.read.wordings import load
from kgtool.vocab import concept

#: A sentence: up to 。；; or a line break (the same cut as the extractor's).
SENTENCE = re.compile(r"[^。；;\n]+[。；;]?")
REWARD = concept("sanction", "reward")
MITIGATION = concept("sanction", "mitigation")

Kind = Literal["sanction", "reward", "mitigation"]


@dataclass(frozen=True, slots=True)
class SanctionMention:
    """One sanction, reward or mitigation wording in a text, and what it names."""

    concept: URIRef
    kind: Kind
    start: int  # offsets into the text given to `sanctions`
    end: int
    surface: str


@lru_cache(maxsize=1)
def context_cues() -> tuple[str, ...]:
    """The words that make a sentence one about accountability, commendation or consequences."""
    rules = load("extract")
    return tuple(rules.get("sanction_context", [])) + tuple(rules.get("sanction_context_more", []))


def kind_of(iri: URIRef, lexicon: Lexicon) -> Kind:
    """'reward' or 'mitigation' when the concept is skos:broader* that top concept, else 'sanction'.

    >>> from kgtool.read.lexicon import project_lexicon
    >>> lex = project_lexicon()
    >>> [kind_of(concept("sanction", i), lex) for i in ("praise", "lighter_accountability", "admonition")]
    ['reward', 'mitigation', 'sanction']
    """
    above = lexicon.broader_closure(iri)
    if MITIGATION in above:
        return "mitigation"
    if REWARD in above:
        return "reward"
    return "sanction"


def sanctions(text: str, lexicon: Lexicon) -> list[SanctionMention]:
    """Every sanction, reward and mitigation wording of a (normalised) text, in text order.

    Only sentences holding a context cue are read; a wording that names several concepts
    gives one mention per concept.

    >>> from kgtool.read.lexicon import project_lexicon
    >>> lex = project_lexicon()
    >>> text = "各部门应及时通报情况。对发现隐患及时报告的，给予表扬；对主动补救的，可以从轻、减轻追究责任。"
    >>> [(m.surface, m.kind, m.concept.rsplit("/", 1)[-1]) for m in sanctions(text, lex)]
    [('表扬', 'reward', 'praise'), ('从轻、减轻追究', 'mitigation', 'lighter_accountability')]
    """
    cues = context_cues()
    out: list[SanctionMention] = []
    for sentence in SENTENCE.finditer(text):
        if not any(c in sentence.group() for c in cues):
            continue
        for m in lexicon.find(sentence.group(), "sanction"):
            for iri in m.iris:
                out.append(SanctionMention(iri, kind_of(iri, lexicon), sentence.start() + m.start, sentence.start() + m.end, m.surface))
    return out
