"""Answer a question about one entity and one relation from the ontology itself, without a saved
query: "What office does Zhang Guoqing hold?", "Who proposed the Global AI Governance
Initiative?", "When did the Seoul summit end?", "Did China sign the Bletchley Declaration?".

The relations are the ontology's properties that the claims use. Each is matched by the words
of its label and its ``skos:altLabel``\\ s (the ways a question words it), so a property added to
the ontology is askable without new code. The entity the question names is linked to the
answer in either direction (``Initiative proposedBy ?who``, ``?initiative proposedBy Xi``), and
the other names of the question narrow the answers: a claim ``regarding`` the summit named, or
an answer linked to it directly or through one more entity ("Who represented China at the AI
Safety Summit?"). What the question asks decides the answer's kind: *who* an agent, *when* a
date, *where* a place, *how many* a reported count (with its bound) or the number of answers,
"which country" a nation.

Every answer comes from the claims of the sources, each with its evidence; where the claims give
different values the reply says so and shows them all, and a yes/no question is answered Yes (a
claim states it), No (a claim states a property the ontology declares disjoint with it: a
reported decline) or Not reported (nothing either way: absence is not refusal).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import pyoxigraph

from kg.namespaces import AIG, ID
from kg.use.questions.mentions import EntityIndex, Mention
from kg.use.questions.text import concepts_of, stem, tokenize

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
# The kinds of value a relation has, from its range.
_VALUE_KINDS = {XSD + "date": "date", XSD + "integer": "year", XSD + "gYear": "year", XSD + "nonNegativeInteger": "count",
                XSD + "boolean": "boolean", XSD + "string": "text", RDF_LANGSTRING: "text"}
# Concepts of a question that ask for the answer's kind or name a class of thing ("which
# summit"), not a relation.
_ASKING = frozenset({"who", "when", "where", "count", "time", "list", "about", "claim", "evidence", "entity", "summit",
                     "pledge", "nation", "organization", "initiative", "resolution", "bloc", "company", "model"})
# A question's relation words must be matched this well (weighted share of them) for a relation to answer.
MIN_MATCH = 0.34

_RELATIONS = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX aig: <{AIG}>
SELECT ?p ?type ?label ?alt ?domain ?range ?disjoint WHERE {{
  {{ SELECT DISTINCT ?p WHERE {{ GRAPH ?g {{ ?claim aig:claimProperty ?p }} }} }}
  FILTER STRSTARTS(STR(?p), "{AIG}")
  ?p a ?type ; rdfs:label ?label .
  OPTIONAL {{ ?p skos:altLabel ?alt }}
  OPTIONAL {{ ?p rdfs:domain ?domain }}
  OPTIONAL {{ ?p rdfs:range ?range }}
  OPTIONAL {{ {{ ?p owl:propertyDisjointWith ?disjoint }} UNION {{ ?disjoint owl:propertyDisjointWith ?p }} }}
}}"""

# Every claim with the entity at one end (?subject or ?value is bound by VALUES when run), with
# its qualifiers and evidence; the source's page comes from the default graph (only terms that
# are always bound are looked up there: an OPTIONAL on an unbound ?boundKind would join every
# label of the graph; the qualifiers' labels are read once, by the answerer).
CLAIMS = f"""PREFIX aig: <{AIG}>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <http://schema.org/>
SELECT ?claim ?subject ?property ?value ?boundKind ?countedKind ?asOf ?regarding ?source ?quote ?locator
       ?sourceLabel ?url ?publisher ?published ?accepted WHERE {{
  GRAPH ?graph {{
    ?claim aig:claimSubject ?subject ; aig:claimProperty ?property ; ?valueProperty ?value ;
      prov:wasDerivedFrom ?source ; aig:evidence ?evidence .
    FILTER (?valueProperty IN (aig:claimObject, aig:claimValue))
    OPTIONAL {{ ?claim aig:asOf ?asOf . }}
    OPTIONAL {{ ?claim aig:regarding ?regarding . }}
    OPTIONAL {{ ?claim aig:bound ?boundKind . }}
    OPTIONAL {{ ?claim aig:counted ?countedKind . }}
    OPTIONAL {{ ?evidence aig:quote ?quote . }}
    OPTIONAL {{ ?evidence aig:locator ?locator . }}
  }}
  OPTIONAL {{ ?source rdfs:label ?sourceLabel . }}
  OPTIONAL {{ ?source schema:url ?url . }}
  OPTIONAL {{ ?source dcterms:publisher ?publisherTerm . OPTIONAL {{ ?publisherTerm rdfs:label ?publisherLabel . }} }}
  BIND (COALESCE(?publisherLabel, ?publisherTerm) AS ?publisher)
  OPTIONAL {{ ?source dcterms:issued ?published . }}
  BIND (EXISTS {{ ?subject ?property ?value }} AS ?accepted)
}}
ORDER BY ?property ?subject ?value ?source ?quote ?locator"""


class Relation(NamedTuple):
    """An ontology property the claims use, as questions word it."""

    iri: str
    name: str  # the local name: holdsOffice
    label: str
    concepts: frozenset[str]  # of all its labels
    names: tuple[frozenset[str], ...]  # the concepts of each label, one by one
    domain: str | None  # aig class name, or None
    range: str | None  # aig class name, for a property between entities
    kind: str  # entity, date, year, count, boolean or text
    opposite: frozenset[str]  # names of the properties declared disjoint with it
    stems: frozenset[str] = frozenset()  # the stems of its labels' words


class Claim(NamedTuple):
    """One claim of a source, with the evidence that states it."""

    subject: str  # entity id
    relation: str  # the property's local name
    value: pyoxigraph.NamedNode | pyoxigraph.Literal
    bound: str | None
    counted: str | None
    as_of: str | None
    regarding: frozenset[str]
    source: str
    source_title: str
    quote: str | None
    locator: str | None
    url: str | None
    publisher: str | None
    published: str | None
    accepted: bool

    @property
    def other(self) -> str | None:
        """The id of the entity at the value's end, when the value is one."""
        return self.value.value[len(ID):] if isinstance(self.value, pyoxigraph.NamedNode) and self.value.value.startswith(ID) else None


def relations(store: pyoxigraph.Store) -> dict[str, Relation]:
    """The ontology's properties that claims use, by local name."""
    found: dict[str, dict[str, object]] = {}
    for row in store.query(_RELATIONS):
        name = row["p"].value[len(AIG):]
        entry = found.setdefault(name, {"iri": row["p"].value, "label": row["label"].value, "alts": set(), "domain": None,
                                        "range": None, "type": row["type"].value, "disjoint": set()})
        if row["alt"] is not None:
            entry["alts"].add(row["alt"].value)  # type: ignore[attr-defined]
        if row["domain"] is not None and row["domain"].value.startswith(AIG):
            entry["domain"] = row["domain"].value[len(AIG):]
        if row["range"] is not None:
            entry["range"] = row["range"].value
        if row["disjoint"] is not None and row["disjoint"].value.startswith(AIG):
            entry["disjoint"].add(row["disjoint"].value[len(AIG):])  # type: ignore[attr-defined]
    out = {}
    for name, entry in sorted(found.items()):
        names = tuple(frozenset(concepts_of([t.word for t in tokenize(text)])) - _ASKING
                      for text in [entry["label"], *sorted(entry["alts"])])  # type: ignore[list-item]
        names = tuple(n for n in names if n)
        concepts = frozenset().union(*names)
        target = entry["range"]
        if isinstance(target, str) and target.startswith(AIG):
            kind, range_class = "entity", target[len(AIG):]
        else:
            kind, range_class = _VALUE_KINDS.get(str(target), "entity" if entry["type"].endswith("ObjectProperty") else "text"), None  # type: ignore[union-attr]
        out[name] = Relation(str(entry["iri"]), name, str(entry["label"]), concepts, names, entry["domain"], range_class, kind,  # type: ignore[arg-type]
                             frozenset(entry["disjoint"]),  # type: ignore[arg-type]
                             frozenset(stem(t.word) for text in [entry["label"], *entry["alts"]] for t in tokenize(text)))  # type: ignore[list-item]
    return out


def relation_words(store: pyoxigraph.Store) -> set[str]:
    """The words of the relations' labels and alternative labels: a question may use them."""
    return {t.word for r in store.query(_RELATIONS) for term in (r["label"], r["alt"]) if term is not None for t in tokenize(term.value)}


_TERM_LABELS = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?term ?label WHERE {{ ?term rdfs:label ?label . FILTER STRSTARTS(STR(?term), "{AIG}") }}"""


def term_labels(store: pyoxigraph.Store) -> dict[str, str]:
    """The labels of the ontology's own terms (the qualifiers' values: "more than", "nations")."""
    return {row["term"].value: row["label"].value for row in store.query(_TERM_LABELS)}


def claims_about(store: pyoxigraph.Store, entity: str, labels: dict[str, str]) -> list[Claim]:
    """Every claim with ``entity`` as its subject or as its value; ``labels`` names the
    qualifiers' values (:func:`term_labels`)."""
    from kg.use.sparqltext import with_values

    node = pyoxigraph.NamedNode(ID + entity)
    out: dict[tuple[str, str], Claim] = {}
    regarding: dict[str, set[str]] = {}
    for variable in ("subject", "value"):
        for row in store.query(with_values(CLAIMS, {variable: node})):
            if not row["property"].value.startswith(AIG) or not row["subject"].value.startswith(ID):
                continue
            claim_iri = row["claim"].value
            if row["regarding"] is not None and row["regarding"].value.startswith(ID):
                regarding.setdefault(claim_iri, set()).add(row["regarding"].value[len(ID):])
            key = (claim_iri, (row["quote"] or row["locator"] or pyoxigraph.Literal("")).value)
            if key in out:
                continue

            def text(name: str) -> str | None:
                return row[name].value if row[name] is not None else None

            out[key] = Claim(row["subject"].value[len(ID):], row["property"].value[len(AIG):], row["value"],
                             labels.get(text("boundKind") or ""), labels.get(text("countedKind") or ""), text("asOf"), frozenset(), row["source"].value[len(ID):], text("sourceLabel") or "",
                             text("quote"), text("locator"), text("url"), text("publisher"), text("published"),
                             row["accepted"].value == "true")
    return [c._replace(regarding=frozenset(regarding.get(iri, ()))) for (iri, _), c in sorted(out.items(), key=lambda kv: kv[0])]


class Asked(NamedTuple):
    """What a question asks, as the relation answerer needs it."""

    concepts: list[str]  # the concepts of the words that are not names
    kinds: frozenset[str]  # when, where, count, who
    wanted: str | None  # the aig class the question asks for ("which country": Nation)
    mentions: list[Mention]  # the entities named
    yes_no: bool
    stems: frozenset[str] = frozenset()  # the stems of the words that are not names


class Found(NamedTuple):
    """The relation that answers, how the question is read, and the claims that answer it."""

    relation: Relation
    anchor: str  # the entity named
    forward: bool  # the anchor is the claims' subject
    claims: list[Claim]
    match: float
    context: tuple[str, ...]  # the other names, that narrowed the claims
    verdict: str | None = None  # Yes, No or Not reported for a yes/no question
    opposite: tuple[Claim, ...] = ()  # for No: the claims of the disjoint relation


class RelationAnswerer:
    """Answers one-hop questions over the ontology's properties from the claims."""

    def __init__(self, store: pyoxigraph.Store, index: EntityIndex) -> None:
        self.store = store
        self.index = index
        self.relations = relations(store)
        frequency: dict[str, int] = {}
        for relation in self.relations.values():
            for concept in relation.concepts:
                frequency[concept] = frequency.get(concept, 0) + 1
        n = len(self.relations)
        self.idf = {c: math.log((n + 1) / (f + 1)) + 1 for c, f in frequency.items()}
        self._claims: dict[str, list[Claim]] = {}
        self._term_labels = term_labels(store)

    def claims(self, entity: str) -> list[Claim]:
        """The claims at ``entity`` (kept for the answerer's life: the graph does not change under it)."""
        if entity not in self._claims:
            if len(self._claims) > 512:
                self._claims.clear()
            self._claims[entity] = claims_about(self.store, entity, self._term_labels)
        return self._claims[entity]

    def match(self, concepts: list[str], relation: Relation) -> float:
        """How well the question's relation words fit ``relation``: the best, over its label and
        alternative labels, of an F-measure weighted by rarity (how much of the question's words
        the label holds, and how much of the label the question says)."""
        asked = {c for c in concepts if c not in _ASKING}
        if not asked:
            return 0.0

        def weight(c: str) -> float:
            return self.idf.get(c, 0.5 if c.startswith("word:") else 1.0)

        total = sum(weight(c) for c in asked)
        best = 0.0
        for name in relation.names:
            common = sum(weight(c) for c in asked & name)
            if common:
                precision, recall = common / total, common / sum(weight(c) for c in name)
                best = max(best, 2 * precision * recall / (precision + recall))
        return best

    def unexplained(self, concepts: list[str], relation: Relation) -> list[str]:
        """The question's concepts of the lexicon (not mere words) that none of the relation's
        labels holds: a verdict on the relation would answer another question."""
        return [c for c in concepts if c not in _ASKING and not c.startswith("word:") and c not in relation.concepts]

    def _class_of(self, entity: str) -> str:
        return self.index.classes.get(entity, "")

    def _fits(self, entity: str | None, cls: str | None) -> bool:
        return cls is None or (entity is not None and self.index.is_a(self._class_of(entity), cls))

    def _answer_fits(self, asked: Asked, relation: Relation, forward: bool, claim: Claim) -> bool:
        """Whether the claim's other end is the kind of answer the question asks."""
        if forward and relation.kind != "entity":
            if "when" in asked.kinds:
                return relation.kind in ("date", "year")
            if "count" in asked.kinds:
                return relation.kind == "count"
            return not asked.kinds & {"where", "who"} and relation.kind not in ("date", "year", "count") and asked.wanted is None
        answer = claim.other if forward else claim.subject
        if answer is None or "when" in asked.kinds:
            return False
        if "where" in asked.kinds and not self._fits(answer, "Place"):
            return False
        if "who" in asked.kinds and not self._fits(answer, "Agent"):
            return False
        return self._fits(answer, asked.wanted)

    def linked(self, entity: str, other: str, depth: int = 2) -> bool:
        """Whether a claim links ``entity`` to ``other``, directly or through one more entity."""
        level = {entity}
        for _ in range(depth):
            reached = set()
            for e in level:
                for c in self.claims(e):
                    if other in (c.subject, c.other) or other in c.regarding:
                        return True
                    reached.update(x for x in (c.subject, c.other) if x and x != e)
            level = reached
        return False

    def _narrow(self, claims: list[Claim], forward: bool, others: list[str], mentioned: list[str], text: bool = False) -> list[Claim] | None:
        """The claims the question's other names keep: those regarding each, or whose answer is
        linked to it; a name linked directly to another name of the question (``mentioned``: "the
        UK's summit") is context, and so, for ``text`` answers (what was said, warned, aimed at),
        is a name the speaker is linked to within two steps ("what did Vance warn against in
        Paris?": he took part in the summit held there). None when a name keeps nothing and
        qualifies nothing."""
        for other in others:
            kept = [c for c in claims if other in c.regarding or other == (c.other if forward else c.subject)]
            if not kept:  # regarding the summit held in the place named
                kept = [c for c in claims if any(self.linked(r, other, depth=1) for r in c.regarding)]
            if not kept:
                kept = [c for c in claims if self.linked((c.other if forward else c.subject) or "", other, depth=1)]
            if kept:
                claims = kept
            elif not any(self.linked(other, m, depth=1) for m in mentioned if m != other) and not (
                    text and any(self.linked(c.subject, other) for c in claims[:1])):
                return None  # neither narrows the answers nor qualifies another name ("the UK's summit")
        return claims

    def find(self, asked: Asked) -> tuple[Found | None, str | None]:
        """The best reading of the question with the claims that answer it, or None and why not
        (None, None: no relation fits the question's words at all)."""
        entities = [m.entity for m in asked.mentions if m.entity]
        if not entities:
            return None, None
        if asked.yes_no and len(entities) >= 2:
            return self._yes_no(asked, entities)
        if asked.yes_no:  # "is the model open source?": a yes/no value the claims state
            for relation in self.relations.values():
                if relation.kind == "boolean" and self.match(asked.concepts, relation) >= MIN_MATCH:
                    for anchor in entities:
                        stated = [c for c in self.claims(anchor) if c.subject == anchor and c.relation == relation.name]
                        if stated:
                            values = {c.value.value for c in stated}
                            verdict = "Yes" if values == {"true"} else "No" if values == {"false"} else None
                            return Found(relation, anchor, True, stated, self.match(asked.concepts, relation), (), verdict), None
        best: Found | None = None
        empty: tuple[float, Relation, str] | None = None  # the best relation that fits the words but holds nothing
        anchors = [(e, e) for e in entities] + [(event, place) for place in entities for event in self._held_at(place)]
        for anchor, named in anchors:
            others = [e for e in entities if e != named]
            by_relation: dict[tuple[str, bool], list[Claim]] = {}
            for claim in self.claims(anchor):
                forward = claim.subject == anchor
                by_relation.setdefault((claim.relation, forward), []).append(claim)
            for relation in self.relations.values():
                score = self.match(asked.concepts, relation)
                for forward in (True, False):
                    if not self._fits(anchor, relation.domain if forward else relation.range):
                        continue
                    if not forward and relation.kind != "entity":
                        continue
                    claims = [c for c in by_relation.get((relation.name, forward), []) if self._answer_fits(asked, relation, forward, c)]
                    if not claims:
                        if score >= MIN_MATCH and (empty is None or score > empty[0]) and not others and relation.domain \
                                and (relation.kind in ("date", "year")) == ("when" in asked.kinds):
                            empty = (score, relation, anchor)
                        continue
                    narrowed = self._narrow(claims, forward, others, entities, relation.kind == "text")
                    if narrowed is None:
                        continue
                    strict = asked.kinds & {"when", "count"} or asked.wanted
                    if score < MIN_MATCH and not (strict and score > 0) or self.unexplained(asked.concepts, relation):
                        continue
                    found = Found(relation, anchor, forward, narrowed, score, tuple(others))
                    if best is None or self._rank(found, asked) > self._rank(best, asked):
                        best = found
        if best is not None:
            return best, None
        if empty is not None:
            score, relation, anchor = empty
            return None, f"the graph records no {relation.label!r} ({relation.name}) for {self.index.labels.get(anchor, anchor)}"
        return None, None

    def _held_at(self, place: str) -> list[str]:
        """The one event held at ``place``, which a question may name by its place ("when did
        Bletchley wrap up?"); none when several were held there or it is not a place."""
        if self._class_of(place) != "Place":
            return []
        events = [e for e, places in self.index.places.items() if place in places and self.index.is_a(self._class_of(e), "Event")]
        return events if len(events) == 1 else []

    @staticmethod
    def _rank(found: Found, asked: Asked) -> tuple[float, bool, int]:
        """Better readings first: the closer wording; then, for *how many*, a count the sources
        report over the number of things named (the named signatories are rarely all of them);
        then the more of the question's own words its labels use ("emphasised", not "advocated",
        though both mean pushing for something)."""
        return (round(found.match, 3), "count" in asked.kinds and found.relation.kind == "count",
                len(asked.stems & found.relation.stems))

    def _yes_no(self, asked: Asked, entities: list[str]) -> tuple[Found | None, str | None]:
        """Yes (a claim links the two), No (a claim of a disjoint relation does), Not reported."""
        first, second = entities[0], entities[1]
        between = [r for r in self.relations.values() if r.kind == "entity"]
        for relation in sorted(between, key=lambda r: (-self.match(asked.concepts, r), -len(asked.stems & r.stems), r.name)):
            if self.match(asked.concepts, relation) < MIN_MATCH:
                break
            if self.unexplained(asked.concepts, relation):
                continue  # "did any EU member sign?" is not "did the EU sign?"
            for subject, target in ((first, second), (second, first)):
                if not (self._fits(subject, relation.domain) and self._fits(target, relation.range)):
                    continue
                context = tuple(e for e in entities if e not in (subject, target))
                stated = [c for c in self.claims(subject) if c.subject == subject and c.relation == relation.name and c.other == target]
                if stated:
                    return Found(relation, subject, True, stated, self.match(asked.concepts, relation), context, "Yes"), None
                opposite = tuple(c for c in self.claims(subject)
                                 if c.subject == subject and c.relation in relation.opposite and c.other == target)
                if opposite:
                    return Found(relation, subject, True, [], self.match(asked.concepts, relation), context, "No", opposite), None
                return Found(relation, subject, True, [], self.match(asked.concepts, relation), context, "Not reported"), None
        return None, None


def class_asked(words: list[str], index: EntityIndex) -> str | None:
    """The class a "which X" / "what X" question asks for: the aig class whose label is X
    ("which country": Nation, "what office": Office)."""
    synonyms = {"country": "nation", "countries": "nation", "state": "nation", "government": "nation", "city": "place",
                "building": "place", "venue": "place", "organisation": "organization", "body": "organization"}
    by_label = {label: cls for cls, label in index.class_labels.items()}
    for k, word in enumerate(words[:-1]):
        if word in ("which", "what", "whose"):
            noun = words[k + 1]
            label = synonyms.get(noun, noun)
            for candidate in (label, stem(label)):
                if candidate in by_label:
                    return by_label[candidate]
                if candidate.endswith("ie") and candidate[:-2] + "y" in by_label:
                    return by_label[candidate[:-2] + "y"]
    return None
