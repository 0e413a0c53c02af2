"""``kg link enrich``: pull a small, declared set of Wikidata facts about linked items (the
table ``data/wikidata/enrich.tsv``) into ``data/wikidata/enrichment.ttl``, a graph of its own
with its provenance (the endpoint, the retrieval time), published beside the main graph and
loaded by ``kg query`` as the named graph :data:`ENRICHMENT_GRAPH`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pyoxigraph

from kg.errors import KGError
from kg.use.link.check import linked_entities, now_utc
from kg.use.link.rdffile import PREFIXES, write_turtle
from kg.use.link.wikidata import PREFIXES as SPARQL_PREFIXES
from kg.use.link.cache import MAX_TEXT, is_item, is_name
from kg.use.link.wikidata import RDFS_LABEL, Endpoint, batches, construct
from kg.namespaces import WD, WDT
from kg.project import Project
from kg.use.store import ENRICHMENT_GRAPH

VALUE_KINDS = ("literal", "item", "linked")
_PID = re.compile(r"^P[1-9][0-9]*$")
_COLUMNS = ("class", "property", "label", "values")
_HEADER = """Facts about linked items pulled from Wikidata by kg link enrich, as declared in
data/wikidata/enrich.tsv. Written by kg link enrich: do not edit by hand.
Published as dist/wikidata-enrichment.* and queried as the named graph <{graph}>.
{state}"""


class Pull(NamedTuple):
    """One declared row: for linked entities of aig class ``cls``, Wikidata property ``pid``;
    ``values`` is ``literal``, ``item`` or ``linked`` (then ``linked_classes`` restricts the
    values to items linked to entities of those classes)."""

    cls: str
    pid: str
    label: str
    values: str
    linked_classes: tuple[str, ...]
    line: int


def _verified_properties(path: Path) -> set[str]:
    rows = (line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#"))
    return {row[1] for row in rows if len(row) > 1 and row[0] == "property"}


def read_spec(project: Project, classes: set[str]) -> list[Pull]:
    """The rows of ``enrich.tsv``, each checked: a known class, a verified property, a known kind."""
    path, shown = project.enrich_spec, project.relative(project.enrich_spec)
    verified = _verified_properties(project.root / "data" / "wikidata" / "verified-ids.tsv")
    pulls: list[Pull] = []
    header_seen = False
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip() or text.startswith("#"):
            continue
        cells = text.split("\t")
        if not header_seen:
            if tuple(cells) != _COLUMNS:
                raise KGError(f"the header must be {' '.join(_COLUMNS)} (tab-separated)", path=shown, line=number, hint="restore the header row")
            header_seen = True
            continue
        if len(cells) != len(_COLUMNS):
            raise KGError(f"{len(cells)} cells; a row has {len(_COLUMNS)}, separated by tabs", path=shown, line=number, hint="class, property, label, values")
        cls, pid, label, values = cells
        if cls not in classes:
            raise KGError(f"unknown class aig:{cls}", path=shown, line=number, hint="use a class of ontology/aigov.ttl, e.g. Nation")
        if not _PID.fullmatch(pid) or pid not in verified:
            raise KGError(
                f"{pid!r} is not a property on data/wikidata/verified-ids.tsv",
                path=shown,
                line=number,
                hint="cross-check the property number in two independent sources and add it to that list first",
            )
        kind, _, listed = values.partition(" ")
        linked = tuple(c.strip() for c in listed.split(",") if c.strip())
        if kind not in VALUE_KINDS or (kind == "linked") != bool(linked) or not set(linked) <= classes:
            raise KGError(
                f"values {values!r} is not literal, item, or linked CLASS[,CLASS…] with classes of the ontology",
                path=shown,
                line=number,
                hint="e.g. linked Bloc,InternationalOrganization",
            )
        pulls.append(Pull(cls, pid, label, kind, linked, number))
    return pulls


def pull_query(pull: Pull, qids: list[str], allowed: list[str]) -> str:
    """CONSTRUCT the declared property of ``qids`` (values limited to ``allowed`` for a ``linked``
    row), with the English labels of item values."""
    restrict = f"\n  VALUES ?value {{ {' '.join(f'wd:{q}' for q in allowed)} }}" if pull.values == "linked" else ""
    label = "\n  OPTIONAL { ?value rdfs:label ?valueLabel FILTER (LANG(?valueLabel) = \"en\") }" if pull.values == "item" else ""
    return f"""{SPARQL_PREFIXES}CONSTRUCT {{ ?item wdt:{pull.pid} ?value . ?value rdfs:label ?valueLabel }} WHERE {{
  VALUES ?item {{ {' '.join(f'wd:{q}' for q in qids)} }}{restrict}
  ?item wdt:{pull.pid} ?value .{label}
}}"""


def _asked(pull: Pull, qids: list[str], answer: list[pyoxigraph.Triple]) -> list[pyoxigraph.Triple]:
    """What :func:`pull_query` asked for in ``answer``: the pulled property of ``qids`` (an item
    value for an ``item`` or ``linked`` row, a bounded literal for a ``literal`` row), and the
    English labels (bounded literals) of the item values kept. Anything else is dropped."""
    asked, predicate = {WD + q for q in qids}, WDT + pull.pid

    def fits(term: object) -> bool:
        if pull.values == "literal":
            return isinstance(term, pyoxigraph.Literal) and len(term.value) <= MAX_TEXT
        return is_item(term)

    kept = [t for t in answer if t.subject.value in asked and t.predicate.value == predicate and fits(t.object)]
    values = {t.object.value for t in kept if isinstance(t.object, pyoxigraph.NamedNode)}
    return kept + [t for t in answer if t.predicate.value == RDFS_LABEL and t.subject.value in values and is_name(t, ("en",))]


def _provenance(endpoint: str | None, when: str | None, pulls: list[Pull], counts: dict[str, int]) -> list[pyoxigraph.Triple]:
    graph = pyoxigraph.NamedNode(ENRICHMENT_GRAPH)
    dcterms, void, pav, prov = PREFIXES["dcterms"], PREFIXES["void"], PREFIXES["pav"], PREFIXES["prov"]
    rdf_type = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

    def n(iri: str) -> pyoxigraph.NamedNode:
        return pyoxigraph.NamedNode(iri)

    triples = [
        pyoxigraph.Triple(graph, rdf_type, n(void + "Dataset")),
        pyoxigraph.Triple(graph, rdf_type, n(prov + "Entity")),
        pyoxigraph.Triple(graph, n(dcterms + "title"), pyoxigraph.Literal("Facts about linked items, from Wikidata", language="en")),
        pyoxigraph.Triple(graph, n(dcterms + "license"), n("http://creativecommons.org/publicdomain/zero/1.0/")),
        pyoxigraph.Triple(graph, n(dcterms + "source"), n("https://www.wikidata.org/")),
    ]
    if endpoint and when:
        triples += [
            pyoxigraph.Triple(graph, n(pav + "retrievedFrom"), n(endpoint)),
            pyoxigraph.Triple(graph, n(pav + "retrievedOn"), pyoxigraph.Literal(when, datatype=n(PREFIXES["xsd"] + "dateTime"))),
        ]
    else:
        triples.append(pyoxigraph.Triple(graph, n(dcterms + "description"), pyoxigraph.Literal(
            "Empty: no retrieval from Wikidata has run yet (kg link enrich needs the network).", language="en")))
    for pid in sorted({p.pid for p in pulls}, key=lambda p: (len(p), p)):
        part = n(f"{ENRICHMENT_GRAPH}#{pid}")
        triples += [
            pyoxigraph.Triple(graph, n(void + "propertyPartition"), part),
            pyoxigraph.Triple(part, n(void + "property"), n(WDT + pid)),
            pyoxigraph.Triple(part, n(void + "triples"), pyoxigraph.Literal(str(counts.get(pid, 0)), datatype=n(PREFIXES["xsd"] + "integer"))),
        ]
    return triples


def count_by_property(triples: list[pyoxigraph.Triple]) -> dict[str, int]:
    """How many of ``triples`` state each Wikidata property (``P297`` -> n)."""
    counts: dict[str, int] = {}
    for t in triples:
        if t.predicate.value.startswith(WDT):
            pid = t.predicate.value[len(WDT):]
            counts[pid] = counts.get(pid, 0) + 1
    return counts


def write_enrichment(path: Path, triples: list[pyoxigraph.Triple], endpoint: str | None, when: str | None, pulls: list[Pull]) -> None:
    """Write the pulled ``triples`` and their provenance to ``path``."""
    counts = count_by_property(triples)
    state = f"Retrieved from {endpoint} at {when}." if endpoint else "No retrieval has run yet: it needs the network."
    write_turtle(path, _HEADER.format(graph=ENRICHMENT_GRAPH, state=state), [*triples, *_provenance(endpoint, when, pulls, counts)])


def enrich(project: Project, endpoint: Endpoint) -> dict[str, int]:
    """Pull the declared facts about every linked item from ``endpoint`` into the enrichment
    file, replacing what it held; returns the number of triples pulled per property."""
    from kg.use.link.entities import expected_classes
    from kg.use.store import open_store

    store = open_store(project)
    mappings, entities = linked_entities(project, store)
    pulls = read_spec(project, set(expected_classes(store)))
    by_class: dict[str, list[str]] = {}
    for mapping in mappings:
        by_class.setdefault(entities[mapping.entity_id].cls, []).append(mapping.qid)
    triples: list[pyoxigraph.Triple] = []
    for pull in pulls:
        allowed = sorted(q for c in pull.linked_classes for q in by_class.get(c, []))
        if pull.values == "linked" and not allowed:
            continue
        for batch in batches(by_class.get(pull.cls, [])):
            triples += _asked(pull, batch, construct(endpoint, pull_query(pull, batch, allowed)))
    when = now_utc()
    write_enrichment(project.enrichment, triples, endpoint.url, when, pulls)
    return count_by_property(triples)
