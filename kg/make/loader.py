"""Turn the sources, what each claims, the entity register, the curators' decisions and the
Wikidata mappings into the dataset (rdflib): one named graph per source, the accepted graph,
and the disagreements.

- **Source graphs** (``https://w3id.org/aigov/graph/source/<id>``) hold that source's claim
  nodes (:mod:`kg.make.claims`) with their qualifiers, rank and evidence, the unnamed groups it
  speaks of and its own description: no direct triple about the world, so dropping the graph
  retracts exactly that source.
- **The accepted graph** (``https://w3id.org/aigov/graph/accepted``, the default graph of
  ``dist/kg.ttl``) holds the entities (type, label, names), the sources' descriptions, the
  direct triples the acceptance rules (:mod:`kg.make.accept`) derive from the claims, and for
  each accepted triple one OWL 2 axiom annotation per supporting source: ``prov:wasDerivedFrom``
  the source, its ``aig:evidence``, the ``aig:claim`` and the claim's qualifiers. Axiom
  annotations are OWL's own way to annotate a triple, so the graph stays OWL 2 DL and one
  Turtle file; the reasoner needs only the direct triples (:attr:`Loaded.assertions`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from kg.errors import KGError, excerpt
from kg.make.accept import Acceptance, Disagreement, accept
from kg.make.claimfile import ClaimEntry, ClaimFile, Evidence, NameEntry, Qualifiers, read_claims
from kg.make.claims import A, OA, PROV, SKOS, Claim, Triple, cited_evidence, digest, entity_iri, group_iri, group_node, quoted_evidence
from kg.make.decisions import Decision, read_decisions
from kg.make.entities import Entity, read_entities
from kg.make.evidence import QuoteError, locate, locate_name
from kg.make.mappings import Mapping, read_mappings
from kg.make.ontology import Vocabulary, read_ontology
from kg.make.sources import NORMALIZATIONS, Source, read_source, source_ids
from kg.namespaces import AIG, PREFIXES, SOURCE_GRAPH, STANDARD, WD
from kg.project import Project
from kg.suggest import did_you_mean

DCTERMS = Namespace(STANDARD["dcterms"])
PAV = Namespace(STANDARD["pav"])
SCHEMA = Namespace(STANDARD["schema"])
# Qualifier keys of a claims file -> the annotation property each is written with.
# The properties a claim of which may name what it concerns beside its subject: the pledge a
# reason for declining is about; the event at which a person represented a party.
REGARDING = frozenset({"declineReason", "represented"})
_QUALIFIERS = {"counted": A.counted, "bound": A.bound, "as_of": A.asOf, "so_far": A.soFar, "regarding": A.regarding,
               "stated_by": A.statedBy, "start": A.startDate, "end": A.endDate, "note": SKOS.note}


@dataclass
class Loaded:
    """Everything the later build steps need from the inputs."""

    vocabulary: Vocabulary
    accepted: Graph
    source_graphs: dict[str, Graph]
    assertions: Graph
    origins: dict[Triple, list[tuple[str, int]]]
    sources: dict[str, Source]
    entities: dict[str, Entity]
    claims: list[Claim]
    acceptance: Acceptance
    mappings: tuple[Mapping, ...]
    enrichment: Graph | None = None
    cached_wikidata_items: int = 0

    @property
    def disagreements(self) -> tuple[Disagreement, ...]:
        """What the acceptance rules leave or settle between the sources."""
        return self.acceptance.disagreements


def new_graph() -> Graph:
    """An empty graph with the project's prefixes bound."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def load(project: Project) -> Loaded:
    """Read every input of ``project`` and build the dataset; bad input raises :class:`KGError`."""
    vocabulary = read_ontology(project.ontology, project.relative(project.ontology))
    if not project.entities.is_file():
        raise KGError("no entity register", path=project.relative(project.entities), hint="declare the entities in data/entities.yaml")
    entities = read_entities(project.entities, project.relative(project.entities))
    files = [read_claims(path, project.relative(path)) for path in sorted(project.claims_dir.glob("*.yaml"))]
    if not files:
        raise KGError("no claims files", path=project.relative(project.claims_dir), hint="add a source with kg source add")
    builder = _Builder(project, vocabulary, entities)
    for claims in files:
        builder.source(claims)
    builder.check_every_source_has_claims()
    for claims in files:
        builder.claims_of(claims)
    decisions = read_decisions(project.decisions, project.relative(project.decisions))
    builder.apply(decisions, project.relative(project.decisions))
    acceptance = accept(builder.claims, vocabulary)
    mappings = read_mappings(project.mappings, project.relative(project.mappings))
    loaded = builder.finish(acceptance, mappings, project.relative(project.mappings))
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
    """Reads each source and its claims into :class:`Claim` objects and evidence, checking each
    term against the ontology and each id against the register, then writes the graphs."""

    def __init__(self, project: Project, vocabulary: Vocabulary, entities: tuple[Entity, ...]) -> None:
        self.project = project
        self.vocabulary = vocabulary
        self.entities = {e.id: e for e in entities}
        self.register = project.relative(project.entities)
        self.sources: dict[str, Source] = {}
        self.groups: dict[str, dict[str, URIRef]] = {}
        self.group_triples: dict[str, list[Triple]] = defaultdict(list)
        self.evidence: dict[URIRef, list[Triple]] = {}
        self.claims: list[Claim] = []
        self.by_iri: dict[URIRef, Claim] = {}

    # --- sources ---------------------------------------------------------------------------

    def source(self, claims: ClaimFile) -> None:
        expected = claims.path.rsplit("/", 1)[-1].removesuffix(".yaml")
        if claims.source != expected:
            raise KGError(f"source {excerpt(claims.source)} does not match the file name {excerpt(expected)}", path=claims.path, line=1,
                          hint="name each claims file after its source: data/claims/<source>.yaml")
        if claims.source in self.entities:
            raise KGError(f"source id {excerpt(claims.source)} is also an entity id in {self.register}", path=claims.path, line=1,
                          hint="give the source an id of its own")
        self.sources[claims.source] = read_source(self.project, claims.source, claims.path, 1)

    def check_every_source_has_claims(self) -> None:
        for source_id in source_ids(self.project):
            if source_id not in self.sources:
                meta = self.project.sources_dir / f"{source_id}.meta.yaml"
                raise KGError(f"source {excerpt(source_id)} has no claims file", path=self.project.relative(meta),
                              hint=f"write data/claims/{source_id}.yaml (kg source add writes an empty one), or remove the source")

    # --- claims ----------------------------------------------------------------------------

    def claims_of(self, file: ClaimFile) -> None:
        source = self.sources[file.source]
        scoped: dict[str, URIRef] = {}
        for group in file.groups:
            if group.id in self.entities:
                raise KGError(f"group id {excerpt(group.id)} is an entity id of {self.register}", path=file.path, line=group.line,
                              hint="give the group an id of its own, such as unnamed-" + group.id)
            node = group_iri(source.id, group.id)
            scoped[group.id] = node
            self.group_triples[source.id] += group_node(source.id, group.id, group.label)
            for evidence in self.evidence_of(source, group.evidence, file.path, group.line):
                self.group_triples[source.id].append((node, A.evidence, evidence))
        self.groups[source.id] = scoped
        for entry in file.names:
            self.name(file, source, entry)
        for entry in file.claims:
            self.claim(file, source, entry)

    def name(self, file: ClaimFile, source: Source, entry: NameEntry) -> None:
        subject = self.known(entry.entity, file, source, entry.line)
        entity = self.entities.get(entry.entity)
        if entity is not None and entry.name == entity.label:
            raise KGError(f"{excerpt(entry.name)} is the entity's label already", path=file.path, line=entry.line,
                          hint="list only other names the source uses")
        evidence = entry.evidence
        if not source.quoted and not evidence.locators:
            raise KGError(f"the name {excerpt(entry.name)} has no locator: {source.id} is a cited page", path=file.path,
                          line=entry.line, hint="say where on the page it is used, in our words: locator: headline")
        if source.quoted and not evidence.quotes:
            try:
                span = locate_name(source.text or "", entry.name)
            except QuoteError as err:
                raise KGError(str(err), path=file.path, line=entry.line, hint=err.hint) from None
            nodes = (self.add_evidence(*quoted_evidence(source.id, span)),)
        else:
            nodes = self.evidence_of(source, evidence, file.path, entry.line)
            if source.quoted and not any(entry.name in self.exact(n) for n in nodes):
                raise KGError(f"the quote does not contain the name {excerpt(entry.name)}", path=file.path, line=entry.line,
                              hint="quote words of the source that contain the name")
        self.add(Claim(source.id, subject, SKOS.altLabel, "altLabel", Literal(entry.name, lang=source.language), (), nodes,
                       (file.path, entry.line)))

    def claim(self, file: ClaimFile, source: Source, entry: ClaimEntry) -> None:
        vocabulary, name = self.vocabulary, entry.property
        if name not in vocabulary.claimable:
            kind = vocabulary.kind_of(name)
            raise KGError(
                f"unknown property aig:{name}" if kind is None else f"aig:{name} is an {kind}, not a property a claim can state",
                path=file.path,
                line=entry.line,
                hint=_suggest(name, vocabulary.claimable, "property"),
            )
        subject = self.known(entry.subject, file, source, entry.line)
        if vocabulary.kind_of(name) == "object":
            if entry.object is None:
                raise KGError(f"aig:{name} links two entities: give object:, not value:", path=file.path, line=entry.line,
                              hint="name the object by its entity id")
            value: Node = self.known(entry.object, file, source, entry.line)
        else:
            if entry.value is None:
                raise KGError(f"aig:{name} takes a literal: give value:, not object:", path=file.path, line=entry.line,
                              hint="write the value as text, a number, a date or true/false")
            value = _literal(name, entry.value, vocabulary.ranges.get(name), file.path, entry.line)
        qualifiers = self.qualifiers(file, source, entry)
        evidence = self.evidence_of(source, entry.evidence, file.path, entry.line)
        self.add(Claim(source.id, subject, A[name], name, value, qualifiers, evidence, (file.path, entry.line)))

    def qualifiers(self, file: ClaimFile, source: Source, entry: ClaimEntry) -> tuple[tuple[URIRef, Node], ...]:
        q: Qualifiers = entry.qualifiers
        rule = self.vocabulary.rule(entry.property)
        where = dict(path=file.path, line=entry.line)
        if rule == "NoValue" and (q.counted is None or q.bound is None):
            raise KGError(f"aig:{entry.property} is a reported count: it needs counted: and bound:", **where,
                          hint="counted: nations | nations and organizations | unspecified parties; "
                               "bound: exactly | about | more than | at least | fewer than | at most")
        if rule != "NoValue" and (q.counted or q.bound or q.so_far):
            raise KGError(f"counted:, bound: and as_of: so far qualify reported counts, not aig:{entry.property}", **where,
                          hint="remove them, or use a count property such as signatoryCount")
        if entry.property == "declineReason" and q.regarding is None:
            raise KGError("a reason for declining needs regarding: the pledge it is about", **where, hint="add regarding: <pledge id>")
        if q.stated_by and entry.property != "declineReason":
            raise KGError(f"stated_by: qualifies a reason for declining, not aig:{entry.property}", **where,
                          hint="remove it; say who said what with claimed, emphasized or another property")
        if q.regarding and entry.property not in REGARDING:
            raise KGError(f"regarding: qualifies {' or '.join('aig:' + p for p in sorted(REGARDING))}, not aig:{entry.property}",
                          **where, hint="remove it, or say what the claim concerns in note:")
        if q.start and q.end and q.end < q.start:
            raise KGError("end is before start", **where, hint="check both dates")
        pairs: list[tuple[URIRef, Node]] = []
        for key, prop in _QUALIFIERS.items():
            raw = getattr(q, key)
            if raw is None or raw is False:
                continue
            if key in ("counted", "bound"):
                node: Node = A[raw]
            elif key == "regarding":
                node = self.known(raw, file, source, entry.line)
            elif isinstance(raw, dt.date):
                node = Literal(raw.isoformat(), datatype=XSD.date)
            elif raw is True:
                node = Literal("true", datatype=XSD.boolean)
            else:
                node = Literal(raw, lang="en")
            pairs.append((prop, node))
        return tuple(sorted(pairs))

    def evidence_of(self, source: Source, evidence: Evidence, path: str, line: int) -> tuple[URIRef, ...]:
        """The evidence nodes of an entry; a quote for a cited page or a locator for a quoted
        text is refused."""
        if source.quoted:
            if evidence.locators:
                raise KGError(f"{source.id} is a quoted source: give quote: (its exact words), not locator:", path=path, line=line,
                              hint="a locator is for cited pages, whose text the project does not keep")
            nodes = []
            for quote in evidence.quotes:
                try:
                    span = locate(source.text or "", quote.text, quote.occurrence)
                except QuoteError as err:
                    raise KGError(str(err), path=path, line=quote.line, hint=err.hint) from None
                nodes.append(self.add_evidence(*quoted_evidence(source.id, span)))
            return tuple(nodes)
        if evidence.quotes:
            raise KGError(f"{source.id} is a cited page: give locator: (where on the page, in our words), not quote:",
                          path=path, line=line, hint="no sentence of a cited page is copied into the repository")
        return tuple(self.add_evidence(*cited_evidence(source.id, locator)) for locator in evidence.locators)

    def add_evidence(self, node: URIRef, triples: list[Triple]) -> URIRef:
        self.evidence[node] = triples
        return node

    def exact(self, node: URIRef) -> str:
        return next((str(o) for _, p, o in self.evidence[node] if p == OA.exact), "")

    def known(self, entity_id: str, file: ClaimFile, source: Source, line: int) -> URIRef:
        scoped = self.groups.get(source.id, {})
        if entity_id in scoped:
            return scoped[entity_id]
        if entity_id not in self.entities:
            known = set(self.entities) | set(scoped)
            raise KGError(f"unknown entity id {excerpt(entity_id)}", path=file.path, line=line,
                          hint=_suggest(entity_id, known, "entity id") + f"; or declare it in {self.register}")
        return entity_iri(entity_id)

    def add(self, claim: Claim) -> None:
        if claim.iri in self.by_iri:
            path, line = self.by_iri[claim.iri].origin
            raise KGError(f"the same claim is stated twice in this file (first on line {line}): same subject, property, "
                          "value and qualifiers", path=claim.origin[0], line=claim.origin[1],
                          hint="keep one entry and give it both quotes or locators as a list (a note does not make a claim "
                          "another)")
        self.by_iri[claim.iri] = claim
        self.claims.append(claim)

    # --- decisions ---------------------------------------------------------------------------

    def apply(self, decisions: tuple[Decision, ...], shown_as: str) -> None:
        """Give each decision's rank to the claims it names; a decision naming none is an error."""
        by_statement: dict[tuple[Node, str, Node], list[Claim]] = defaultdict(list)
        for claim in self.claims:
            by_statement[(claim.subject, claim.name, claim.value)].append(claim)
        ranked_by: dict[URIRef, Decision] = {}
        for decision in decisions:
            self.check_decision(decision, shown_as)
            subject = entity_iri(decision.subject)
            if decision.object is not None:
                value: Node = entity_iri(decision.object)
            else:
                value = _literal(decision.property, decision.value, self.vocabulary.ranges.get(decision.property), shown_as, decision.line)
            matched = [c for c in by_statement.get((subject, decision.property, value), ())
                       if decision.source is None or c.source == decision.source]
            if not matched:
                raise KGError("the decision names no claim (no source claims that subject, property and value)", path=shown_as,
                              line=decision.line, hint="check the ids and the value against data/claims/, or remove the decision")
            for claim in matched:
                if claim.iri in ranked_by:
                    raise KGError(f"two decisions rank the same claim of {claim.source} (first on line {ranked_by[claim.iri].line})",
                                  path=shown_as, line=decision.line, hint="keep one decision per claim; narrow one with source:")
                ranked_by[claim.iri] = decision
                claim.rank, claim.rank_reason = decision.rank, decision.reason

    def check_decision(self, decision: Decision, shown_as: str) -> None:
        """Refuse a decision on a property no claim can state, or on one where ranks change nothing."""
        vocabulary, name = self.vocabulary, decision.property
        if name not in vocabulary.claimable:
            raise KGError(f"unknown property aig:{name} in a decision", path=shown_as, line=decision.line,
                          hint=_suggest(name, vocabulary.claimable, "property"))
        rule = vocabulary.rule(name)
        if rule == "NoValue":
            raise KGError(f"aig:{name} holds observations (reported counts): none is ever accepted, so a rank changes nothing",
                          path=shown_as, line=decision.line, hint="remove the decision; say what differs in each claim's note")
        if rule == "EveryValue" and decision.rank == "PreferredRank" and not any(name in pair for pair in vocabulary.disjoint):
            raise KGError(f"every value of aig:{name} is accepted, so a preferred rank changes nothing",
                          path=shown_as, line=decision.line, hint="use rank: deprecated to keep a wrong claim out, or remove the decision")

    # --- graphs ------------------------------------------------------------------------------

    def label_of(self, disagreement: Disagreement) -> str:
        """'<subject>: <property> (, <property>)', in the entities' and the ontology's labels."""
        subject = str(disagreement.subject).removeprefix(str(entity_iri("")))
        entity = self.entities.get(subject)
        names = [str(self.vocabulary.graph.value(p, RDFS.label) or p) for p in disagreement.properties]
        return f"{entity.label if entity else subject}: {' or '.join(names)}"

    def finish(self, acceptance: Acceptance, mappings: tuple[Mapping, ...], mappings_shown: str) -> Loaded:
        accepted, assertions = new_graph(), new_graph()
        origins: dict[Triple, list[tuple[str, int]]] = defaultdict(list)
        for entity in self.entities.values():
            node = entity_iri(entity.id)
            accepted.add((node, RDF.type, OWL.NamedIndividual))
            accepted.add((node, RDFS.label, Literal(entity.label, lang="en")))
            for alt in entity.alt_labels:
                accepted.add((node, SKOS.altLabel, Literal(alt, lang="en")))
            if entity.note:
                accepted.add((node, SKOS.editorialNote, Literal(entity.note, lang="en")))
            for name in entity.types:
                if self.vocabulary.kind_of(name) != "class":
                    raise KGError(f"unknown class aig:{name}", path=self.register, line=entity.line,
                                  hint=_suggest(name, self.vocabulary.classes, "class"))
                triple = (node, RDF.type, A[name])
                accepted.add(triple)
                assertions.add(triple)
                origins[triple].append((self.register, entity.line))
        source_graphs = {}
        for source_id, source in sorted(self.sources.items()):
            graph = new_graph()
            groups = self.group_triples[source_id]
            mentioned = [t for s, p, o in groups if p == A.evidence for t in self.evidence[o]]
            for triple in _describe(source) + groups + mentioned:
                graph.add(triple)
                accepted.add(triple)
                if triple[1] == RDF.type and triple[2] == A.UnnamedGroup:
                    assertions.add(triple)
            source_graphs[source_id] = graph
        for claim in self.claims:
            graph = source_graphs[claim.source]
            for triple in claim.node():
                graph.add(triple)
            for node in claim.evidence:
                for triple in self.evidence[node]:
                    graph.add(triple)
        for claim in acceptance.accepted:
            accepted.add(claim.triple)
            if self.vocabulary.kind_of(claim.name) in ("object", "datatype"):
                assertions.add(claim.triple)
            origins[claim.triple].append(claim.origin)
            axiom = BNode("fact-" + digest(str(claim.iri)))
            accepted.add((axiom, RDF.type, OWL.Axiom))
            accepted.add((axiom, OWL.annotatedSource, claim.subject))
            accepted.add((axiom, OWL.annotatedProperty, claim.prop))
            accepted.add((axiom, OWL.annotatedTarget, claim.value))
            accepted.add((axiom, PROV.wasDerivedFrom, entity_iri(claim.source)))
            accepted.add((axiom, A.claim, claim.iri))
            for p, o in claim.qualifiers:
                accepted.add((axiom, p, o))
            for node in claim.evidence:
                accepted.add((axiom, A.evidence, node))
                for triple in self.evidence[node]:
                    accepted.add(triple)
        for disagreement in acceptance.disagreements:
            for triple in _disagreement_triples(disagreement, self.label_of(disagreement)):
                accepted.add(triple)
        entity_ids = set(self.entities)
        for mapping in mappings:
            if mapping.entity_id not in entity_ids:
                raise KGError(f"{excerpt('aigid:' + mapping.entity_id)} is not an entity of {self.register}", path=mappings_shown, line=mapping.line,
                              hint=_suggest(mapping.entity_id, entity_ids, "entity id"))
            triple = (entity_iri(mapping.entity_id), OWL.sameAs, URIRef(WD + mapping.qid))
            accepted.add(triple)
            assertions.add(triple)
            origins[triple].append((mappings_shown, mapping.line))
        return Loaded(
            vocabulary=self.vocabulary,
            accepted=accepted,
            source_graphs=source_graphs,
            assertions=assertions,
            origins=origins,
            sources=self.sources,
            entities=self.entities,
            claims=self.claims,
            acceptance=acceptance,
            mappings=mappings,
        )


def source_graph_iri(source_id: str) -> URIRef:
    """The IRI of the named graph that holds one source's claims."""
    return URIRef(SOURCE_GRAPH + source_id)


def _describe(source: Source) -> list[Triple]:
    """The description of a source: its kind and citation metadata; a field the page does not
    give is recorded as ``aig:notGiven``."""
    node = entity_iri(source.id)
    triples: list[Triple] = [
        (node, RDF.type, OWL.NamedIndividual),
        (node, RDF.type, A.SourceDocument),
        (node, RDF.type, A.QuotedSource if source.quoted else A.CitedSource),
        (node, RDFS.label, Literal(source.label, lang="en")),
        (node, DCTERMS.language, Literal(source.language)),
    ]
    triples += [(node, DCTERMS.subject, Literal(s, lang="en")) for s in source.subjects]
    if source.original_source:
        triples.append((node, A.namesOriginalSource, Literal(source.original_source)))
    if source.label_is_ours:
        note = source.note if source.quoted else "Descriptive title written by aigov-kg; the page as stored shows no title."
        triples.append((node, SKOS.editorialNote, Literal(note or "", lang="en")))
    if source.quoted:
        triples += [
            (node, DCTERMS["format"], Literal(source.media_type or "")),
            (node, A.sha256, Literal(source.sha256 or "")),
            (node, A.characterCount, Literal(len(source.text or ""), datatype=XSD.nonNegativeInteger)),
            (node, A.normalization, A[NORMALIZATIONS[source.normalization or ""]]),
            (node, A.rights, Literal(source.rights or "", lang="en")),
        ]
        return triples
    triples.append((node, SCHEMA.url, URIRef(source.url or "")))
    triples.append((node, PAV.retrievedOn, Literal((source.retrieved or dt.date.min).isoformat(), datatype=XSD.date)))
    if source.title is not None:
        triples.append((node, DCTERMS.title, Literal(source.title, lang=source.language)))
    if source.publisher is not None:
        triples.append((node, DCTERMS.publisher, Literal(source.publisher)))
    triples += [(node, DCTERMS.creator, Literal(a)) for a in source.authors or ()]
    if source.published is not None:
        triples.append((node, DCTERMS.issued, Literal(source.published.isoformat(), datatype=XSD.date)))
    triples += [(node, A.copyAt, URIRef(url)) for url in source.copies]
    fields = {"title": DCTERMS.title, "authors": DCTERMS.creator, "published": DCTERMS.issued, "publisher": DCTERMS.publisher}
    triples += [(node, A.notGiven, fields[name]) for name in source.not_given()]
    if source.note:
        triples.append((node, SKOS.note, Literal(source.note, lang="en")))
    return triples


def _disagreement_triples(d: Disagreement, label: str) -> list[Triple]:
    triples: list[Triple] = [
        (d.iri, RDF.type, OWL.NamedIndividual),
        (d.iri, RDF.type, A.Disagreement),
        (d.iri, RDFS.label, Literal(label, lang="en")),
        (d.iri, A.contestedSubject, d.subject),
        (d.iri, A.settlement, A[d.settlement]),
        (d.iri, RDFS.comment, Literal(d.explanation, lang="en")),
    ]
    triples += [(d.iri, A.contestedProperty, p) for p in d.properties]
    if d.object is not None:
        triples.append((d.iri, A.contestedObject, d.object))
    triples += [(d.iri, A.involvesClaim, c.iri) for c in d.claims]
    triples += [(d.iri, A.acceptedClaim, c.iri) for c in d.accepted]
    return triples


def _literal(name: str, value: object, range_: URIRef | None, path: str, line: int) -> Literal:
    def refuse(expected: str) -> KGError:
        return KGError(f"aig:{name} takes {expected}, got {excerpt(value)}", path=path, line=line,
                       hint=f"the range of aig:{name} in the ontology is {range_ or 'English text'}")

    if range_ is None or range_ == RDF.langString:
        if not isinstance(value, str):
            raise refuse("text in our words")
        return Literal(value.strip(), lang="en")
    if range_ in (XSD.integer, XSD.nonNegativeInteger):
        if not isinstance(value, int) or isinstance(value, bool) or (range_ == XSD.nonNegativeInteger and value < 0):
            raise refuse("a whole number" + (" from 0" if range_ == XSD.nonNegativeInteger else ""))
        return Literal(str(value), datatype=range_)
    if range_ == XSD.boolean:
        if not isinstance(value, bool):
            raise refuse("true or false")
        return Literal("true" if value else "false", datatype=XSD.boolean)
    if range_ == XSD.date:
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise refuse("a date, YYYY-MM-DD")
        return Literal(value.isoformat(), datatype=XSD.date)
    raise refuse(f"a literal of a datatype the loader cannot write ({range_})")


def _suggest(name: str, known: set[str] | frozenset[str], what: str) -> str:
    return did_you_mean(name, known).strip() or f"use a declared {what}"


_ALLOWED = tuple(STANDARD.values())


def _check_namespaces(loaded: Loaded) -> None:
    """Refuse any predicate or class outside the ontology and the allowed standard vocabularies."""
    vocabulary = loaded.vocabulary
    graphs = [loaded.accepted, *loaded.source_graphs.values()]
    for graph in graphs:
        for _, predicate, obj in graph:
            for term in (predicate, obj if predicate == RDF.type else None):
                if term is None:
                    continue
                iri = str(term)
                if iri.startswith(AIG):
                    if vocabulary.kind_of(iri[len(AIG):]) is None:
                        raise KGError(f"the graph uses undeclared term aig:{iri[len(AIG):]}", hint="declare it in ontology/aigov.ttl")
                elif not iri.startswith(_ALLOWED):
                    raise KGError(f"the graph uses {iri}, outside the allowed namespaces", hint="use a term of the ontology or of " + ", ".join(STANDARD))

