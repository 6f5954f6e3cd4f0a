"""The plain values every comparison is made of: terms, jurisdictions, display order, numbers.

Takes nothing from the store; gives `Term` (a concept or class with its labels), `Jurisdiction`
(one compared document and its place), the order in which roles, body classes and duty types
are shown (DESIGN.md order; unknown ones follow by id), and `num` for counts and rates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from kgtool.vocab import local_name

# Display order of known concepts and classes (DESIGN.md order); unknown ones follow by id.
ROLE_ORDER = (
    "party_secretary",
    "vice_party_secretary",
    "government_head",
    "principal_head",
    "safety_deputy",
    "business_deputy",
    "deputy_head",
    "other_leader",
    "discipline_secretary",
    "people_congress_chair",
    "leading_group_leader",
    "leading_group_deputy",
    "leading_group_member",
    "office_director",
    "department_head",
    "enforcement_officer",
    "staff",
    "village_party_secretary",
    "village_head",
    "enterprise_head",
)
BODY_ORDER = (
    "PartyOrganization",
    "GovernmentBody",
    "LeadingGroup",
    "WorkingOffice",
    "Department",
    "SupervisoryDepartment",
    "NonSupervisoryDepartment",
    "AffiliatedUnit",
    "VillageCommittee",
    "Enterprise",
    "Body",
)
DUTY_ORDER = (
    "implement_policy",
    "meeting",
    "hear_report",
    "inspection",
    "responsibility_system",
    "assessment",
    "staffing_funding",
    "training_publicity",
    "hazard_control",
    "emergency",
    "accident",
    "planning",
    "supervision",
    "reporting",
    "other",
)
CATCH_ALL = "other"  # dutytype:other, a catch-all such as "按照…原则抓好…工作"


@dataclass(frozen=True, slots=True)
class Term:
    """A concept or class with its Chinese and English labels, as the ontology gives them.

    ``kind`` says what it stands for: "role", "body" (a body class holding duties itself),
    "dutytype", "principle", "sanction", "level", or "none".
    """

    iri: str
    id: str
    zh: str
    en: str
    kind: str = ""

    @property
    def text(self) -> str:
        """ "中文 / English", or just one of them when the other is missing.

        >>> Term("urn:x", "x", "检查", "Inspection").text
        '检查 / Inspection'
        """
        if self.zh and self.en and self.zh != self.en:
            return f"{self.zh} / {self.en}"
        return self.zh or self.en or self.id


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """One compared column: a policy document and the place it governs."""

    slug: str  # the document id, e.g. "wuxi-towns-2021"
    document: str  # the document IRI
    title: str
    place: str | None  # the wsa:Jurisdiction IRI
    place_id: str | None  # e.g. "wuxi"
    zh: str  # place label, e.g. "无锡市"
    en: str  # e.g. "Wuxi"
    admin_level: str | None  # e.g. "city"
    issued: str | None

    @property
    def text(self) -> str:
        """ "无锡市 / Wuxi"."""
        if self.zh and self.en:
            return f"{self.zh} / {self.en}"
        return self.zh or self.en or self.slug

    @property
    def short(self) -> str:
        """The Chinese place name, for narrow table columns."""
        return self.zh or self.en or self.slug


NONE_HOLDER = Term("", "unassigned", "（未指明责任主体）", "(no holder named)", "none")


def num(value: Decimal | float | int | None) -> str:
    """A count or rate as people write it.

    >>> num(Decimal("4.0")), num(Decimal("0.333333")), num(None), num(0.5)
    ('4', '0.33', '', '0.5')
    """
    if value is None:
        return ""
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.quantize(Decimal("0.01")).normalize(), "f")


def order_terms(terms: Iterable[Term], preferred: Sequence[str]) -> list[Term]:
    rank = {name: i for i, name in enumerate(preferred)}
    return sorted(set(terms), key=lambda t: (rank.get(local_name(t.iri), len(rank)), t.id))


def order_holders(terms: Iterable[Term]) -> list[Term]:
    roles = order_terms([t for t in terms if t.kind == "role"], ROLE_ORDER)
    bodies = order_terms([t for t in terms if t.kind == "body"], BODY_ORDER)
    rest = sorted({t for t in terms if t.kind not in ("role", "body")}, key=lambda t: t.id)
    return roles + bodies + rest


def decimal_or_none(term: Any) -> Decimal | None:
    """A literal as a Decimal; None when it is absent or no number."""
    if term is None:
        return None
    try:
        return Decimal(str(term))
    except InvalidOperation:
        return None
