"""Read the ontology: the aig: terms it declares (so the loader can refuse the rest), the ranges
the loader writes values in, and the acceptance rules it declares for each property."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, URIRef

from kg.errors import KGError
from kg.namespaces import AIG

# How the accepted graph is derived from a property's claims (aig:acceptance); EveryValue when
# the ontology declares none.
ACCEPTANCE_RULES = ("EveryValue", "OneValue", "NoValue")


@dataclass(frozen=True)
class Vocabulary:
    """The ontology graph and its aig: terms by kind. ``ranges`` maps a data or annotation
    property to its range; ``acceptance`` a property to its rule (absent: EveryValue);
    ``disjoint`` holds the pairs of properties declared owl:propertyDisjointWith."""

    graph: Graph
    classes: frozenset[str]
    object_properties: frozenset[str]
    datatype_properties: frozenset[str]
    annotation_properties: frozenset[str]
    ranges: dict[str, URIRef]
    acceptance: dict[str, str]
    disjoint: frozenset[frozenset[str]]

    def kind_of(self, name: str) -> str | None:
        """``class``, ``object``, ``datatype`` or ``annotation`` for a declared local name, else None."""
        for kind, names in (
            ("class", self.classes),
            ("object", self.object_properties),
            ("datatype", self.datatype_properties),
            ("annotation", self.annotation_properties),
        ):
            if name in names:
                return kind
        return None

    @property
    def claimable(self) -> frozenset[str]:
        """The properties a claim may state: object and data properties, and the annotation
        properties that declare an acceptance rule (the dates)."""
        dated = {name for name in self.annotation_properties if name in self.acceptance}
        return self.object_properties | self.datatype_properties | dated

    def rule(self, name: str) -> str:
        """The acceptance rule of property ``name``."""
        return self.acceptance.get(name, "EveryValue")


def read_ontology(path: Path, shown_as: str) -> Vocabulary:
    """Parse the Turtle ontology at ``path``; a syntax error names the file and line."""
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as err:  # rdflib raises several parser-specific types; all mean bad Turtle
        raise KGError(f"not valid Turtle: {err}", path=shown_as, hint="fix the syntax at the position given") from None

    def local(kind: URIRef) -> frozenset[str]:
        return frozenset(
            str(s)[len(AIG):] for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef) and str(s).startswith(AIG)
        )

    datatype, annotation = local(OWL.DatatypeProperty), local(OWL.AnnotationProperty)
    ranges = {}
    for name in datatype | annotation:
        found = sorted(graph.objects(URIRef(AIG + name), RDFS.range))
        if found:
            ranges[name] = found[0]
    acceptance = {}
    for prop, rule in graph.subject_objects(URIRef(AIG + "acceptance")):
        name, rule_name = str(prop)[len(AIG):], str(rule)[len(AIG):]
        if not str(prop).startswith(AIG) or rule_name not in ACCEPTANCE_RULES:
            raise KGError(f"aig:acceptance of {prop} is {rule}, not one of aig:{', aig:'.join(ACCEPTANCE_RULES)}",
                          path=shown_as, hint="declare the rule on an aig: property")
        if name in acceptance and acceptance[name] != rule_name:
            raise KGError(f"aig:{name} has two acceptance rules (aig:{acceptance[name]}, aig:{rule_name})", path=shown_as,
                          hint="declare one aig:acceptance per property")
        acceptance[name] = rule_name
    for prop in graph.subjects(RDF.type, OWL.FunctionalProperty):
        name = str(prop)[len(AIG):]
        if str(prop).startswith(AIG) and acceptance.get(name) != "OneValue":
            raise KGError(f"aig:{name} is functional but its aig:acceptance is not aig:OneValue", path=shown_as,
                          hint="a functional property takes one value: declare aig:acceptance aig:OneValue on it")
    for a, b in graph.subject_objects(OWL.propertyDisjointWith):
        if a == b:
            raise KGError(f"{a} is declared disjoint with itself", path=shown_as,
                          hint="owl:propertyDisjointWith joins two different properties")
    disjoint = frozenset(
        frozenset((str(a)[len(AIG):], str(b)[len(AIG):]))
        for a, b in graph.subject_objects(OWL.propertyDisjointWith)
        if str(a).startswith(AIG) and str(b).startswith(AIG)
    )
    return Vocabulary(
        graph=graph,
        classes=local(OWL.Class),
        object_properties=local(OWL.ObjectProperty),
        datatype_properties=datatype,
        annotation_properties=annotation,
        ranges=ranges,
        acceptance=acceptance,
        disjoint=disjoint,
    )
