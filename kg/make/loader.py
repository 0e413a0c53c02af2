"""Turn the facts files, their sources and the Wikidata mappings into RDF (rdflib).

Each fact becomes its direct triple, so simple queries stay simple, plus a provenance record:
an OWL 2 axiom annotation (``owl:Axiom`` with ``owl:annotatedSource/Property/Target``) that says
``prov:wasDerivedFrom`` the source and gives ``aig:evidence``, an ``oa:SpecificResource`` whose
``oa:TextQuoteSelector`` and ``oa:TextPositionSelector`` locate the exact words. Axiom
annotations are OWL's own way to annotate a triple, so the whole graph stays OWL 2 DL, loads in
Protégé, and lives in one default graph that Turtle can hold; the reasoner needs only the direct
triples (:attr:`Loaded.assertions`).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from kg.errors import KGError
from kg.make.evidence import QuoteError, Span, locate
from kg.make.facts import Entity, Fact, FactFile, Quote, read_facts
from kg.make.mappings import Mapping, read_mappings
from kg.namespaces import AIG, ID, PREFIXES, STANDARD, WD
from kg.make.ontology import Vocabulary, read_ontology
from kg.project import Project
from kg.make.sources import Source, read_source
from kg.suggest import did_you_mean

A = Namespace(AIG)
OA = Namespace(STANDARD["oa"])
PROV = Namespace(STANDARD["prov"])
SKOS = Namespace(STANDARD["skos"])
DCTERMS = Namespace(STANDARD["dcterms"])

Triple = tuple[Node, Node, Node]


@dataclass
class Loaded:
    """Everything the later build steps need from the inputs."""

    vocabulary: Vocabulary
    data: Graph
    assertions: Graph
    origins: dict[Triple, list[tuple[str, int]]]
    sources: dict[str, Source]
    entities: dict[str, Entity]
    mappings: tuple[Mapping, ...]
    enrichment: Graph | None = None
    cached_wikidata_items: int = 0
    fact_count: int = 0
    quote_count: int = 0
    evidence_spans: set[tuple[str, int, int]] = field(default_factory=set)


def entity_iri(entity_id: str) -> URIRef:
    """The IRI of an entity (or source document) with this slug."""
    return URIRef(ID + entity_id)


def new_graph() -> Graph:
    """An empty graph with the project's prefixes bound."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def load(project: Project) -> Loaded:
    """Read every input of ``project`` and build its graph; bad input raises :class:`KGError`."""
    vocabulary = read_ontology(project.ontology, project.relative(project.ontology))
    files = [read_facts(path, project.relative(path)) for path in sorted(project.facts_dir.glob("*.yaml"))]
    if not files:
        raise KGError("no facts files", path=project.relative(project.facts_dir), hint="add data/facts/<source>.yaml")
    loaded = Loaded(
        vocabulary=vocabulary,
        data=new_graph(),
        assertions=new_graph(),
        origins=defaultdict(list),
        sources={},
        entities={},
        mappings=(),
    )
    builder = _Builder(project, loaded)
    for facts in files:
        builder.source(facts)
    for facts in files:
        builder.entities(facts)
    for facts in files:
        for fact in facts.facts:
            builder.fact(facts, fact)
    loaded.mappings = read_mappings(project.mappings, project.relative(project.mappings))
    for mapping in loaded.mappings:
        builder.mapping(mapping, project.relative(project.mappings))
    _check_namespaces(loaded)
    loaded.enrichment, loaded.cached_wikidata_items = _read_wikidata_files(project)
    return loaded


def _read_wikidata_files(project: Project) -> tuple[Graph | None, int]:
    """The enrichment graph (None when the project has none) and the number of items in the
    Wikidata cache; both files are parsed, so a damaged one stops the build with its line."""
    import pyoxigraph

    from kg.use.link.rdffile import read_turtle

    cached = read_turtle(project.wikidata_cache, project.relative(project.wikidata_cache))
    items = sum(1 for t in cached if t.predicate.value == "http://xmlns.com/foaf/0.1/primaryTopic")
    if not project.enrichment.is_file():
        return None, items
    triples = read_turtle(project.enrichment, project.relative(project.enrichment))
    graph = new_graph()
    graph.parse(data=pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES) or b"", format="nt")
    return graph, items


class _Builder:
    """Adds entities, facts and links to a :class:`Loaded`, checking each against the ontology."""

    def __init__(self, project: Project, loaded: Loaded) -> None:
        self.project = project
        self.loaded = loaded
        self.where: dict[str, tuple[str, int]] = {}

    def term(self, name: str, kind: str) -> URIRef:
        """An aig: term the loader writes itself; it must be declared as ``kind``."""
        if self.loaded.vocabulary.kind_of(name) != kind:
            raise KGError(
                f"the ontology does not declare aig:{name} as {kind}",
                path=self.project.relative(self.project.ontology),
                hint=f"declare aig:{name} in the ontology; the loader needs it",
            )
        return A[name]

    def source(self, facts: FactFile) -> None:
        expected = facts.path.rsplit("/", 1)[-1].removesuffix(".yaml")
        if facts.source != expected:
            raise KGError(
                f"source {facts.source!r} does not match the file name {expected!r}",
                path=facts.path,
                line=1,
                hint="name each facts file after its source: data/facts/<source>.yaml",
            )
        src = read_source(self.project, facts.source, facts.path, 1)
        self.loaded.sources[src.id] = src
        self.where[src.id] = (facts.path, 1)
        node, data = entity_iri(src.id), self.loaded.data
        data.add((node, RDF.type, self.term("SourceDocument", "class")))
        data.add((node, RDF.type, OWL.NamedIndividual))
        data.add((node, RDFS.label, Literal(src.title, lang="en")))
        data.add((node, SKOS.editorialNote, Literal(src.title_note, lang="en")))
        data.add((node, DCTERMS.language, Literal(src.language)))
        data.add((node, DCTERMS["format"], Literal(src.media_type)))
        for subject in src.subjects:
            data.add((node, DCTERMS.subject, Literal(subject, lang="en")))
        data.add((node, self.term("sha256", "annotation"), Literal(src.sha256)))
        data.add((node, self.term("namesOriginalSource", "annotation"), Literal(src.original_source)))

    def entities(self, facts: FactFile) -> None:
        for entity in facts.entities:
            if entity.id in self.where:
                path, line = self.where[entity.id]
                raise KGError(
                    f"duplicate id {entity.id!r}, already used at {path}:{line}",
                    path=facts.path,
                    line=entity.line,
                    hint="each entity is declared once; refer to it by id elsewhere",
                )
            self.where[entity.id] = (facts.path, entity.line)
            self.loaded.entities[entity.id] = entity
            node = entity_iri(entity.id)
            for name in entity.types:
                if self.loaded.vocabulary.kind_of(name) != "class":
                    raise KGError(
                        f"unknown class aig:{name}",
                        path=facts.path,
                        line=entity.line,
                        hint=_suggest(name, self.loaded.vocabulary.classes, "class"),
                    )
                self.assert_triple(facts, (node, RDF.type, A[name]), entity.quotes, entity.line)
            self.loaded.data.add((node, RDF.type, OWL.NamedIndividual))
            self.loaded.data.add((node, RDFS.label, Literal(entity.label, lang="en")))
            for alt in entity.alt_labels:
                self.loaded.data.add((node, SKOS.altLabel, Literal(alt, lang="en")))

    def fact(self, facts: FactFile, fact: Fact) -> None:
        vocabulary = self.loaded.vocabulary
        kind = vocabulary.kind_of(fact.predicate)
        if kind not in ("object", "datatype"):
            known = vocabulary.object_properties | vocabulary.datatype_properties
            raise KGError(
                f"unknown property aig:{fact.predicate}" if kind is None else f"aig:{fact.predicate} is an {kind}, not a fact property",
                path=facts.path,
                line=fact.line,
                hint=_suggest(fact.predicate, known, "object or data property"),
            )
        subject = self.known(fact.subject, facts, fact)
        if kind == "object":
            if fact.object is None:
                raise KGError(
                    f"aig:{fact.predicate} links two entities: give object:, not value:",
                    path=facts.path,
                    line=fact.line,
                    hint="name the object by its entity id",
                )
            obj: Node = self.known(fact.object, facts, fact)
        else:
            if fact.value is None:
                raise KGError(
                    f"aig:{fact.predicate} takes a literal: give value:, not object:",
                    path=facts.path,
                    line=fact.line,
                    hint="write the value as text, a number or true/false",
                )
            obj = _literal(fact, vocabulary.ranges.get(fact.predicate), facts.path)
        self.assert_triple(facts, (subject, A[fact.predicate], obj), fact.quotes, fact.line)
        self.loaded.fact_count += 1

    def known(self, entity_id: str, facts: FactFile, fact: Fact) -> URIRef:
        if entity_id not in self.where:
            raise KGError(
                f"unknown entity id {entity_id!r}",
                path=facts.path,
                line=fact.line,
                hint=_suggest(entity_id, set(self.where), "entity id") + "; or declare it under entities:",
            )
        return entity_iri(entity_id)

    def assert_triple(self, facts: FactFile, triple: Triple, quotes: tuple[Quote, ...], line: int) -> None:
        """Add the direct triple and its axiom annotation with one evidence span per quote."""
        loaded, data = self.loaded, self.loaded.data
        source = loaded.sources[facts.source]
        source_node = entity_iri(source.id)
        subject, predicate, obj = triple
        data.add(triple)
        loaded.assertions.add(triple)
        loaded.origins[triple].append((facts.path, line))
        key = "|".join((source.id, subject.n3(), predicate.n3(), obj.n3()))
        axiom = BNode("fact-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16])
        if (axiom, RDF.type, OWL.Axiom) in data:
            raise KGError(
                "the same fact is stated twice in this file",
                path=facts.path,
                line=line,
                hint="keep one entry and give it both quotes as a list",
            )
        data.add((axiom, RDF.type, OWL.Axiom))
        data.add((axiom, OWL.annotatedSource, subject))
        data.add((axiom, OWL.annotatedProperty, predicate))
        data.add((axiom, OWL.annotatedTarget, obj))
        data.add((axiom, PROV.wasDerivedFrom, source_node))
        for quote in quotes:
            try:
                span = locate(source.text, quote.text, quote.occurrence)
            except QuoteError as err:
                raise KGError(str(err), path=facts.path, line=quote.line, hint=err.hint) from None
            data.add((axiom, self.term("evidence", "annotation"), self.evidence(source.id, span)))
            loaded.quote_count += 1

    def evidence(self, source_id: str, span: Span) -> URIRef:
        """The oa:SpecificResource for ``span``; the same span always gets the same IRI."""
        node = URIRef(f"{ID}evidence/{source_id}/{span.start}-{span.end}")
        quote, position = URIRef(f"{node}/quote"), URIRef(f"{node}/position")
        data = self.loaded.data
        data.add((node, RDF.type, OA.SpecificResource))
        data.add((node, OA.hasSource, entity_iri(source_id)))
        data.add((node, OA.hasSelector, quote))
        data.add((node, OA.hasSelector, position))
        data.add((quote, RDF.type, OA.TextQuoteSelector))
        data.add((quote, OA.exact, Literal(span.exact)))
        data.add((quote, OA.prefix, Literal(span.prefix)))
        data.add((quote, OA.suffix, Literal(span.suffix)))
        data.add((position, RDF.type, OA.TextPositionSelector))
        data.add((position, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger)))
        data.add((position, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger)))
        self.loaded.evidence_spans.add((source_id, span.start, span.end))
        return node

    def mapping(self, mapping: Mapping, shown_as: str) -> None:
        if mapping.entity_id not in self.loaded.entities:
            raise KGError(
                f"aigid:{mapping.entity_id} is not an entity of any facts file",
                path=shown_as,
                line=mapping.line,
                hint=_suggest(mapping.entity_id, set(self.loaded.entities), "entity id"),
            )
        triple = (entity_iri(mapping.entity_id), OWL.sameAs, URIRef(WD + mapping.qid))
        self.loaded.data.add(triple)
        self.loaded.assertions.add(triple)
        self.loaded.origins[triple].append((shown_as, mapping.line))


def _literal(fact: Fact, range_: URIRef | None, path: str) -> Literal:
    value = fact.value

    def refuse(expected: str) -> KGError:
        return KGError(
            f"aig:{fact.predicate} takes {expected}, got {value!r}",
            path=path,
            line=fact.line,
            hint=f"the range of aig:{fact.predicate} in the ontology is {range_ or 'English text'}",
        )

    if range_ is None or range_ == RDF.langString:
        if not isinstance(value, str):
            raise refuse("English text")
        return Literal(value, lang="en")
    if range_ in (XSD.integer, XSD.nonNegativeInteger):
        if not isinstance(value, int) or isinstance(value, bool) or (range_ == XSD.nonNegativeInteger and value < 0):
            raise refuse("a whole number" + (" from 0" if range_ == XSD.nonNegativeInteger else ""))
        return Literal(str(value), datatype=range_)
    if range_ == XSD.boolean:
        if not isinstance(value, bool):
            raise refuse("true or false")
        return Literal("true" if value else "false", datatype=XSD.boolean)
    raise refuse(f"a literal of a datatype the loader cannot write ({range_})")


def _suggest(name: str, known: set[str] | frozenset[str], what: str) -> str:
    return did_you_mean(name, known).strip() or f"use a declared {what}"


def _check_namespaces(loaded: Loaded) -> None:
    """Refuse any predicate or class outside the ontology and the allowed standard vocabularies."""
    allowed = tuple(STANDARD.values())
    vocabulary = loaded.vocabulary
    for _, predicate, obj in loaded.data:
        for term in (predicate, obj if predicate == RDF.type else None):
            if term is None:
                continue
            iri = str(term)
            if iri.startswith(AIG):
                if vocabulary.kind_of(iri[len(AIG):]) is None:
                    raise KGError(f"the graph uses undeclared term aig:{iri[len(AIG):]}", hint="declare it in ontology/aigov.ttl")
            elif not iri.startswith(allowed):
                raise KGError(f"the graph uses {iri}, outside the allowed namespaces", hint="use a term of the ontology or of " + ", ".join(STANDARD))
