"""What was learned from Wikidata, kept in ``data/wikidata/cache.ttl`` so that checks can be
re-read, and builds and tests run, without the network.

The file holds Wikidata's own triples about each item asked for, and one retrieval record per
item (``pav:retrievedFrom`` the endpoint, ``pav:retrievedOn`` when). An item with a record and no
triples of its own was missing (deleted, or never created) when it was asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import pyoxigraph

from kg.use.link.rdffile import PREFIXES, read_turtle, write_turtle
from kg.use.link.wikidata import LANGUAGES, OWL_SAME_AS, RDFS_LABEL, SCHEMA, SKOS, qid_of
from kg.make.mappings import QID
from kg.namespaces import WD, WDT

CACHE_IRI = "https://w3id.org/aigov/wikidata/cache"
PAV = PREFIXES["pav"]
FOAF = PREFIXES["foaf"]
XSD = PREFIXES["xsd"]
_TOPIC = pyoxigraph.NamedNode(FOAF + "primaryTopic")
_FROM = pyoxigraph.NamedNode(PAV + "retrievedFrom")
_ON = pyoxigraph.NamedNode(PAV + "retrievedOn")
_HEADER = """What kg link check, suggest and accept learned from a Wikidata SPARQL endpoint, kept so that
builds and tests run offline. Written by kg link: do not edit by hand.
Each item asked about has a retrieval record <{iri}#Q…> (pav:retrievedFrom the endpoint,
pav:retrievedOn when); an item with a record and no triples of its own was missing when asked.
{state}"""


# What the cache keeps of an answer: what item_facts_query asks for, in its shape (an endpoint may
# send more, or other things, and its answers are not trusted further).
_NAMES = {RDFS_LABEL: LANGUAGES, SKOS + "altLabel": LANGUAGES, SCHEMA + "description": ("en",)}
_LINKS = frozenset({OWL_SAME_AS, *(WDT + p for p in ("P31", "P17", "P27", "P39"))})
MAX_TEXT = 1000  # characters a cached label, alias or description may have (Wikidata's limit is 250)


def is_item(term: object) -> bool:
    """Whether ``term`` is a Wikidata item IRI (``wd:Q…``)."""
    return isinstance(term, pyoxigraph.NamedNode) and QID.fullmatch(qid_of(term.value)) is not None


def is_name(triple: pyoxigraph.Triple, languages: tuple[str, ...]) -> bool:
    """Whether ``triple`` gives its subject a bounded text in one of ``languages``."""
    text = triple.object
    return isinstance(text, pyoxigraph.Literal) and text.language in languages and len(text.value) <= MAX_TEXT


def answered(qids: Iterable[str], triples: Iterable[pyoxigraph.Triple]) -> list[pyoxigraph.Triple]:
    """The triples of an answer to :func:`~kg.use.link.wikidata.item_facts_query` about ``qids``
    that have the shape it asks for: the items' names (literals, in the languages asked, of
    bounded length) and links to items; the English labels of their classes, the countries of
    their positions, and the subclass-of steps up from their classes. Anything else is dropped."""
    items = {WD + q for q in qids}
    triples = [t for t in triples if is_item(t.subject)]
    kept = [t for t in triples if t.subject.value in items and (
        is_name(t, _NAMES[t.predicate.value]) if t.predicate.value in _NAMES else t.predicate.value in _LINKS and is_item(t.object))]
    classes = {t.object.value for t in kept if t.predicate.value == WDT + "P31"}
    positions = {t.object.value for t in kept if t.predicate.value == WDT + "P39"}
    steps = [t for t in triples if t.predicate.value == WDT + "P279" and is_item(t.object)]
    up: dict[str, set[str]] = {}  # each class's superclasses, so the walk reads each step once
    for t in steps:
        up.setdefault(t.subject.value, set()).add(t.object.value)
    reached, frontier = set(classes), set(classes)
    while frontier:
        frontier = {parent for child in frontier for parent in up.get(child, ())} - reached
        reached |= frontier
    kept += [t for t in triples if t.predicate.value == RDFS_LABEL and t.subject.value in classes and is_name(t, ("en",))]
    kept += [t for t in triples if t.predicate.value == WDT + "P17" and t.subject.value in positions and is_item(t.object)]
    kept += [t for t in steps if t.subject.value in reached]
    return kept


class Retrieval(NamedTuple):
    """When and from where an item was last asked for."""

    endpoint: str
    when: str  # xsd:dateTime, UTC

    @property
    def day(self) -> str:
        """The date part of :attr:`when`."""
        return self.when[:10]


class ItemView(NamedTuple):
    """What Wikidata said about one item, as plain values."""

    qid: str
    labels: tuple[str, ...]
    aliases: tuple[str, ...]
    description: str
    types: tuple[tuple[str, str], ...]  # (QID, English label or "")
    redirect: str  # the QID it redirects to, or ""

    @property
    def exists(self) -> bool:
        """True when the item had any triples of its own (labels, statements or a redirect)."""
        return bool(self.labels or self.aliases or self.description or self.types or self.redirect)

    @property
    def label(self) -> str:
        """Its English label, else its default (mul) label, else ""."""
        return self.labels[0] if self.labels else ""

    def as_json(self) -> dict[str, object]:
        """The view as JSON-ready values."""
        return {
            "label": self.label,
            "aliases": list(self.aliases),
            "description": self.description,
            "instance_of": [{"qid": q, "label": label} for q, label in self.types],
            "redirects_to": self.redirect or None,
        }


class Cache:
    """The cache file's triples in an in-memory pyoxigraph store."""

    def __init__(self, triples: Iterable[pyoxigraph.Triple] = ()) -> None:
        self.store = pyoxigraph.Store()
        self.store.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in triples)

    @classmethod
    def load(cls, path: Path, shown_as: str) -> Cache:
        """The cache at ``path`` (empty when the file does not exist)."""
        return cls(read_turtle(path, shown_as))

    def save(self, path: Path) -> None:
        """Write the cache as sorted Turtle, replacing ``path`` whole."""
        records = sum(1 for _ in self.store.quads_for_pattern(None, _TOPIC, None))
        state = (
            f"{records} item(s) have a retrieval record."
            if records
            else "No retrieval has run yet: no live Wikidata check has been made from this project."
        )
        write_turtle(path, _HEADER.format(iri=CACHE_IRI, state=state), [q.triple for q in self.store])

    def record(self, qids: Iterable[str], triples: Iterable[pyoxigraph.Triple], endpoint: str, when: str) -> None:
        """Replace what is known about ``qids`` by ``triples`` just retrieved from ``endpoint`` at
        ``when`` (xsd:dateTime), with a retrieval record for each; of ``triples`` only what was
        asked about ``qids`` is kept (:func:`answered`)."""
        qids = set(qids)
        for qid in qids:
            item = pyoxigraph.NamedNode(WD + qid)
            for quad in list(self.store.quads_for_pattern(item, None, None)):
                self.store.remove(quad)
            node = pyoxigraph.NamedNode(f"{CACHE_IRI}#{qid}")
            for quad in list(self.store.quads_for_pattern(node, None, None)):
                self.store.remove(quad)
            self.store.add(pyoxigraph.Quad(node, _TOPIC, item))
            self.store.add(pyoxigraph.Quad(node, _FROM, pyoxigraph.NamedNode(endpoint)))
            self.store.add(pyoxigraph.Quad(node, _ON, pyoxigraph.Literal(when, datatype=pyoxigraph.NamedNode(XSD + "dateTime"))))
        self.store.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in answered(qids, triples))

    def retrieval(self, qid: str) -> Retrieval | None:
        """When and where ``qid`` was last retrieved, or None if it never was."""
        node = pyoxigraph.NamedNode(f"{CACHE_IRI}#{qid}")
        endpoint = next(self.store.quads_for_pattern(node, _FROM, None), None)
        when = next(self.store.quads_for_pattern(node, _ON, None), None)
        if endpoint is None or when is None:
            return None
        return Retrieval(endpoint.object.value, when.object.value)

    def _objects(self, qid: str, predicate: str) -> list[pyoxigraph.NamedNode | pyoxigraph.Literal]:
        item = pyoxigraph.NamedNode(WD + qid)
        found = [q.object for q in self.store.quads_for_pattern(item, pyoxigraph.NamedNode(predicate), None)]
        return sorted(found, key=str)

    def _texts(self, qid: str, predicate: str) -> tuple[str, ...]:
        """Literal values, English first, then the default (mul) language."""
        found = [o for o in self._objects(qid, predicate) if isinstance(o, pyoxigraph.Literal)]
        found.sort(key=lambda o: (o.language != "en", o.value))
        return tuple(dict.fromkeys(o.value for o in found))

    def view(self, qid: str) -> ItemView:
        """What the cache holds about ``qid``."""
        types = []
        for cls in self._objects(qid, WDT + "P31"):
            label = self._texts(qid_of(cls.value), RDFS_LABEL)
            types.append((qid_of(cls.value), label[0] if label else ""))
        redirect = self._objects(qid, OWL_SAME_AS)
        description = self._texts(qid, SCHEMA + "description")
        return ItemView(
            qid,
            self._texts(qid, RDFS_LABEL),
            self._texts(qid, SKOS + "altLabel"),
            description[0] if description else "",
            tuple(types),
            qid_of(redirect[0].value) if redirect else "",
        )

    def values(self, qid: str, prop: str) -> list[str]:
        """The QIDs ``qid`` has for property ``prop`` (``P17``)."""
        return [qid_of(o.value) for o in self._objects(qid, WDT + prop) if isinstance(o, pyoxigraph.NamedNode)]

    def countries(self, qid: str) -> set[str]:
        """The countries the item belongs to: its country (P17), country of citizenship (P27),
        and the country of each position it holds (P39, then P17)."""
        found = set(self.values(qid, "P17")) | set(self.values(qid, "P27"))
        for position in self.values(qid, "P39"):
            found |= set(self.values(position, "P17"))
        return found

    def is_instance_of(self, qid: str, classes: Iterable[str]) -> bool:
        """True when the item is an instance of one of ``classes``, directly or through
        subclass-of steps (P31/P279*)."""
        classes = sorted(set(classes))
        if not classes:
            return False
        values = " ".join(f"<{WD}{c}>" for c in classes)
        query = f"ASK {{ VALUES ?expected {{ {values} }} <{WD}{qid}> <{WDT}P31>/<{WDT}P279>* ?expected }}"
        return bool(self.store.query(query))
