"""Where each IRI is shown on this site, and how it is named there.

Data IRIs get readable paths (``/id/…``, ``/concept/<scheme>/<id>``, ``/ontology/<Name>``);
anything else goes through ``/resource?iri=``. Both directions live here so they agree.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import url_for
from rdflib import BNode, Literal, URIRef

from kgtool.render import compact
from kgtool.vocab import CONCEPT, ID, WSA

_SAFE_TAIL = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=:@/-]+$")
_CONCEPT_TAIL = re.compile(r"^([A-Za-z0-9_-]+)/([A-Za-z0-9._-]+)$")
_ONTOLOGY_TAIL = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
#: Schemes an IRI of the graph may have; anything else (file:, javascript:, data:) is refused.
IRI_SCHEMES = ("http", "https", "urn")
_BAD_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def valid_iri(value: str) -> bool:
    """Whether a string may be an IRI of the graph: absolute, a web or URN scheme, no forbidden characters.

    >>> valid_iri("https://w3id.org/wsa/id/wuxi-towns-2021")
    True
    >>> valid_iri("file:///etc/passwd"), valid_iri("javascript:alert(1)"), valid_iri("https://a b")
    (False, False, False)
    """
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", value)
    return m is not None and m.group(1).lower() in IRI_SCHEMES and not _BAD_IRI_CHARS.search(value) and len(value) < 4000


def path_for(iri: str) -> str:
    """The site path of an IRI (no host), the same function `href` and tests use.

    >>> path_for("https://w3id.org/wsa/id/wuxi-towns-2021/post/d175bd34.government_head")
    '/id/wuxi-towns-2021/post/d175bd34.government_head'
    >>> path_for("https://w3id.org/wsa/concept/role/safety_deputy")
    '/concept/role/safety_deputy'
    >>> path_for("https://w3id.org/wsa/ontology#Post")
    '/ontology/Post'
    >>> path_for("http://www.w3.org/ns/org#Post")
    '/resource?iri=http%3A%2F%2Fwww.w3.org%2Fns%2Forg%23Post'
    """
    if iri.startswith(str(ID)):
        tail = iri[len(str(ID)) :]
        if tail and _SAFE_TAIL.match(tail) and "//" not in tail and not tail.startswith("/") and ".." not in tail:
            return "/id/" + quote(tail, safe="/:@!$&'()*+,;=-._~")
    elif iri.startswith(str(CONCEPT)):
        m = _CONCEPT_TAIL.match(iri[len(str(CONCEPT)) :])
        if m:
            return f"/concept/{m.group(1)}/{m.group(2)}"
    elif iri.startswith(str(WSA)):
        tail = iri[len(str(WSA)) :]
        if _ONTOLOGY_TAIL.match(tail):
            return "/ontology/" + tail
    return "/resource?iri=" + quote(iri, safe="")


def href(term) -> str | None:
    """Link target of a term on this site (None for literals and blank nodes)."""
    if isinstance(term, URIRef) or (isinstance(term, str) and not isinstance(term, (Literal, BNode))):
        if isinstance(term, str) and not valid_iri(str(term)):
            return None
        return url_for("browse.home").rstrip("/") + path_for(str(term))
    return None


def compact_name(term) -> str:
    """A prefixed name (role:safety_deputy) or <iri>."""
    return compact(URIRef(term) if isinstance(term, str) and not isinstance(term, (Literal, BNode)) else term)


def label_for(term, lang: str | None = None) -> str:
    """The best label of an IRI in the chosen language, else its prefixed name; literals as text."""
    from kgtool.web import i18n
    from kgtool.web.site import site

    if term is None:
        return ""
    if isinstance(term, Literal):
        return str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    found = i18n.pick(site().labels().get(str(term)), lang)
    return found if found else compact_name(term)
