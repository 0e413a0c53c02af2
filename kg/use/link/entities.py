"""The graph's entities as ``kg link`` sees them: names, class, the Wikidata classes a match must
belong to, and the countries they are tied to, read from the built graph (``dist/``)."""

from __future__ import annotations

from typing import NamedTuple

import pyoxigraph

from kg.namespaces import AIG, ID, WD

# Classes whose members are never linked: our own source documents, and groups the sources leave
# unnamed (nothing in Wikidata is "the analysts the article quotes").
NOT_LINKABLE = frozenset({"SourceDocument", "QuotedSource", "CitedSource", "UnnamedGroup"})

_PREFIXES = f"""PREFIX aig: <{AIG}>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


class Entity(NamedTuple):
    """One entity of the graph: ``names`` are its label then its alternative labels; ``expected``
    the Wikidata classes (QIDs) a linked item must be an instance of (empty when the ontology
    declares none for its class); ``countries`` the QIDs of the linked nations it belongs to."""

    id: str
    iri: str
    label: str
    names: tuple[str, ...]
    cls: str
    expected: frozenset[str]
    countries: frozenset[str]

    @property
    def linkable(self) -> bool:
        """False for source documents and unnamed groups."""
        return self.cls not in NOT_LINKABLE


def _rows(store: pyoxigraph.Store, query: str) -> list[tuple[str, ...]]:
    return [tuple(term.value for term in row) for row in store.query(_PREFIXES + query)]


def expected_classes(store: pyoxigraph.Store) -> dict[str, frozenset[str]]:
    """For each aig: class (local name), the Wikidata classes its members must belong to: those
    the ontology declares for it (owl:equivalentClass, aig:acceptedWikidataClass), else those of
    its nearest superclass that declares any."""
    declared: dict[str, set[str]] = {}
    for cls, wd in _rows(store, "SELECT ?c ?w WHERE { ?c owl:equivalentClass|aig:acceptedWikidataClass ?w }"):
        if cls.startswith(AIG) and wd.startswith(WD):
            declared.setdefault(cls[len(AIG):], set()).add(wd[len(WD):])
    parents: dict[str, list[str]] = {}
    for cls, parent in _rows(store, "SELECT ?c ?p WHERE { ?c rdfs:subClassOf ?p }"):
        if cls.startswith(AIG) and parent.startswith(AIG):
            parents.setdefault(cls[len(AIG):], []).append(parent[len(AIG):])
    classes = {c[len(AIG):] for (c,) in _rows(store, "SELECT ?c WHERE { ?c a owl:Class }") if c.startswith(AIG)}

    def nearest(cls: str) -> frozenset[str]:
        level, seen = [cls], set()
        while level:
            found = set().union(*(declared.get(c, set()) for c in level))
            if found:
                return frozenset(found)
            seen.update(level)
            level = sorted({p for c in level for p in parents.get(c, []) if p not in seen})
        return frozenset()

    return {cls: nearest(cls) for cls in classes}


def read_entities(store: pyoxigraph.Store) -> dict[str, Entity]:
    """Every named entity of the built graph held in ``store``, by id, in id order."""
    labels = {e: label for e, label in _rows(store, "SELECT ?e ?l WHERE { ?e a owl:NamedIndividual ; rdfs:label ?l }")}
    types: dict[str, str] = {}
    for entity, cls in _rows(store, "SELECT ?e ?c WHERE { ?e a owl:NamedIndividual ; a ?c }"):
        if cls.startswith(AIG) and (entity not in types or cls[len(AIG):] in NOT_LINKABLE):
            types[entity] = cls[len(AIG):]  # a source is a source, whatever its other classes
    alt: dict[str, list[str]] = {}
    for entity, name in _rows(store, "SELECT ?e ?l WHERE { ?e a owl:NamedIndividual ; skos:altLabel ?l }"):
        alt.setdefault(entity, []).append(name)
    countries: dict[str, set[str]] = {}
    query = "SELECT ?e ?q WHERE { ?e aig:country|aig:officeOf|(aig:holdsOffice/aig:officeOf) ?n . ?n a aig:Nation ; owl:sameAs ?q }"
    for entity, qid in _rows(store, query):
        if qid.startswith(WD):
            countries.setdefault(entity, set()).add(qid[len(WD):])
    expected = expected_classes(store)
    entities = {}
    for iri in sorted(labels):
        if not iri.startswith(ID) or iri not in types:
            continue
        entity_id = iri[len(ID):]
        cls = types[iri]
        entities[entity_id] = Entity(
            entity_id,
            iri,
            labels[iri],
            (labels[iri], *sorted(alt.get(iri, []))),
            cls,
            expected.get(cls, frozenset()),
            frozenset(countries.get(iri, set())),
        )
    return entities
