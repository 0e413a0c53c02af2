"""Claims as the build holds them, and their RDF: the claim nodes and evidence of each source's
named graph.

A claim's IRI is stable: ``https://w3id.org/aigov/claim/<source>/<16 hex digits>``, the digits
from the SHA-256 of its subject, property, value and the qualifiers that narrow what it says (what
was counted, how exactly, as of when, regarding what, from and until when), so a claim keeps its
IRI from build to build and release to release (citing, retracting and diffing depend on it),
and one source may report the same value twice with different qualifiers (61 nations exactly, 61
parties about). A note or who gave a reason (aig:statedBy) describes a claim without changing it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from rdflib import RDF, RDFS, XSD, Literal, Namespace, URIRef
from rdflib.term import Node

from kg.make.evidence import Span
from kg.namespaces import AIG, CLAIM, ID, STANDARD

A = Namespace(AIG)
OA = Namespace(STANDARD["oa"])
PROV = Namespace(STANDARD["prov"])
SKOS = Namespace(STANDARD["skos"])

Triple = tuple[Node, Node, Node]

# Qualifiers that describe a claim without narrowing what it states: left out of its identity.
DESCRIPTIVE_QUALIFIERS = frozenset({SKOS.note, A.statedBy})


def entity_iri(entity_id: str) -> URIRef:
    """The IRI of an entity (or source document) with this slug."""
    return URIRef(ID + entity_id)


def group_iri(source_id: str, group_id: str) -> URIRef:
    """The IRI of an unnamed group, scoped to the source that speaks of it."""
    return URIRef(f"{ID}{source_id}/{group_id}")


def digest(*parts: str, length: int = 16) -> str:
    """Hex digits of the SHA-256 of ``parts`` joined by ``|``."""
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:length]


@dataclass
class Claim:
    """One statement of one source. ``prop`` is the full IRI of the property and ``name`` its
    local name; ``qualifiers`` are (property, value) pairs; ``origin`` is the claims file and
    line; ``rank`` an aig: rank individual's local name, set by a curator's decision."""

    source: str
    subject: URIRef
    prop: URIRef
    name: str
    value: Node
    qualifiers: tuple[tuple[URIRef, Node], ...]
    evidence: tuple[URIRef, ...]
    origin: tuple[str, int]
    rank: str = "NormalRank"
    rank_reason: str | None = None
    iri: URIRef = field(init=False)

    def __post_init__(self) -> None:
        narrowing = sorted(f"{p.n3()}={o.n3()}" for p, o in self.qualifiers if p not in DESCRIPTIVE_QUALIFIERS)
        self.iri = URIRef(f"{CLAIM}{self.source}/{digest(self.subject.n3(), self.prop.n3(), self.value.n3(), *narrowing)}")

    @property
    def triple(self) -> Triple:
        """The direct triple the claim states."""
        return (self.subject, self.prop, self.value)

    def node(self) -> list[Triple]:
        """The triples of the claim node, as its source's graph holds them."""
        value_property = A.claimObject if isinstance(self.value, URIRef) else A.claimValue
        triples: list[Triple] = [
            (self.iri, RDF.type, A.Claim),
            (self.iri, A.claimSubject, self.subject),
            (self.iri, A.claimProperty, self.prop),
            (self.iri, value_property, self.value),
            (self.iri, PROV.wasDerivedFrom, entity_iri(self.source)),
            (self.iri, A.rank, A[self.rank]),
        ]
        if self.rank_reason:
            triples.append((self.iri, A.rankReason, Literal(self.rank_reason, lang="en")))
        triples += [(self.iri, p, o) for p, o in self.qualifiers]
        triples += [(self.iri, A.evidence, e) for e in self.evidence]
        return triples


def quoted_evidence(source_id: str, span: Span) -> tuple[URIRef, list[Triple]]:
    """The IRI and triples of the evidence for ``span``; the same span always gets the same IRI."""
    node = URIRef(f"{ID}evidence/{source_id}/{span.start}-{span.end}")
    quote, position = URIRef(f"{node}/quote"), URIRef(f"{node}/position")
    return node, [
        (node, RDF.type, OA.SpecificResource),
        (node, RDF.type, A.QuotedEvidence),
        (node, OA.hasSource, entity_iri(source_id)),
        (node, A.quote, Literal(span.exact)),
        (node, OA.hasSelector, quote),
        (node, OA.hasSelector, position),
        (quote, RDF.type, OA.TextQuoteSelector),
        (quote, OA.exact, Literal(span.exact)),
        (quote, OA.prefix, Literal(span.prefix)),
        (quote, OA.suffix, Literal(span.suffix)),
        (position, RDF.type, OA.TextPositionSelector),
        (position, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger)),
        (position, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger)),
    ]


def cited_evidence(source_id: str, locator: str) -> tuple[URIRef, list[Triple]]:
    """The IRI and triples of the evidence at ``locator`` (our words) on a cited page."""
    node = URIRef(f"{ID}evidence/{source_id}/at-{digest(locator, length=12)}")
    return node, [
        (node, RDF.type, OA.SpecificResource),
        (node, RDF.type, A.CitedEvidence),
        (node, OA.hasSource, entity_iri(source_id)),
        (node, A.locator, Literal(locator, lang="en")),
    ]


def group_node(source_id: str, group_id: str, label: str) -> list[Triple]:
    """The triples that declare an unnamed group of a source."""
    from rdflib import OWL

    node = group_iri(source_id, group_id)
    return [
        (node, RDF.type, OWL.NamedIndividual),
        (node, RDF.type, A.UnnamedGroup),
        (node, RDFS.label, Literal(label, lang="en")),
        (node, PROV.wasDerivedFrom, entity_iri(source_id)),
    ]
