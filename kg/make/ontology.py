"""Read the ontology and list the aig: terms it declares, so the loader can refuse the rest."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, URIRef

from kg.errors import KGError
from kg.namespaces import AIG


@dataclass(frozen=True)
class Vocabulary:
    """The ontology graph and its aig: terms by kind; ``ranges`` maps a data property to its range."""

    graph: Graph
    classes: frozenset[str]
    object_properties: frozenset[str]
    datatype_properties: frozenset[str]
    annotation_properties: frozenset[str]
    ranges: dict[str, URIRef]

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

    datatype = local(OWL.DatatypeProperty)
    ranges = {}
    for name in datatype:
        found = list(graph.objects(URIRef(AIG + name), RDFS.range))
        if found:
            ranges[name] = found[0]
    return Vocabulary(
        graph=graph,
        classes=local(OWL.Class),
        object_properties=local(OWL.ObjectProperty),
        datatype_properties=datatype,
        annotation_properties=local(OWL.AnnotationProperty),
        ranges=ranges,
    )
