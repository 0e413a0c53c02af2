"""Serialize the graph into ``dist/``: byte-identical from run to run, and swapped in whole.

Turtle comes from rdflib's ``longturtle`` writer, which sorts; N-Triples are rdflib's lines
sorted; JSON-LD and RDF/XML are written by pyoxigraph from those sorted lines, so no output
depends on hash order (rdflib issue #3545). Blank nodes in the ontology (lists, disjointness
axioms) are given canonical labels (rdflib's RGDA1) before writing; those of the facts already have
labels derived from the fact itself.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
from rdflib import OWL, RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.compare import to_canonical_graph

from kg.make.loader import Loaded, new_graph
from kg.namespaces import AIG, DATASET, ID, ONTOLOGY_IRI, PREFIXES, STANDARD, WD
from kg.project import Project

DIST_BASE = "https://w3id.org/aigov/dist/"
# dist/<stem>.ttl, .nt, .jsonld: the facts kg link enrich pulled from Wikidata, a graph of their own
ENRICHMENT_STEM = "wikidata-enrichment"
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
VOID = Namespace(STANDARD["void"])
DCAT = Namespace(STANDARD["dcat"])
DCTERMS = Namespace(STANDARD["dcterms"])
SPDX = Namespace("http://spdx.org/rdf/terms#")

# file name suffix -> media type, for the DCAT distributions
MEDIA_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".owl": "application/rdf+xml",
    ".tsv": "text/tab-separated-values",
}


@dataclass(frozen=True)
class Published:
    """What the publish step wrote: file name -> size in bytes."""

    files: dict[str, int]


def canonical(graph: Graph) -> Graph:
    """``graph`` with canonical blank-node labels and the project's prefixes."""
    result = new_graph()
    for triple in to_canonical_graph(graph):
        result.add(triple)
    return result


def turtle(graph: Graph) -> bytes:
    """Sorted, prefix-aware Turtle."""
    return graph.serialize(format="longturtle", encoding="utf-8")


def ntriples(graph: Graph) -> bytes:
    """N-Triples, one triple a line, lines sorted."""
    lines = graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
    return ("\n".join(sorted(line for line in lines if line.strip())) + "\n").encode("utf-8")


def oxigraph_format(nt: bytes, fmt: pyoxigraph.RdfFormat) -> bytes:
    """Re-serialize sorted N-Triples with pyoxigraph, keeping their order."""
    triples = list(pyoxigraph.parse(nt, format=pyoxigraph.RdfFormat.N_TRIPLES))
    prefixes = PREFIXES if fmt == pyoxigraph.RdfFormat.RDF_XML else None
    out = pyoxigraph.serialize(triples, format=fmt, prefixes=prefixes)
    return out if out.endswith(b"\n") else out + b"\n"


def serializations(stem: str, graph: Graph, rdfxml: bool = False) -> dict[str, bytes]:
    """``stem``.ttl, .nt and .jsonld (and .owl, RDF/XML, when asked) of one graph."""
    nt = ntriples(graph)
    files = {
        f"{stem}.ttl": turtle(graph),
        f"{stem}.nt": nt,
        f"{stem}.jsonld": oxigraph_format(nt, pyoxigraph.RdfFormat.JSON_LD),
    }
    if rdfxml:
        files[f"{stem}.owl"] = oxigraph_format(nt, pyoxigraph.RdfFormat.RDF_XML)
    return files


def render(project: Project, loaded: Loaded) -> dict[str, bytes]:
    """Every file of ``dist/``, as bytes, by name."""
    ontology = canonical(loaded.vocabulary.graph)
    data = loaded.data  # its only blank nodes are the fact records, labelled from the fact itself
    files: dict[str, bytes] = {}
    files.update(serializations("ontology", ontology, rdfxml=True))
    files.update(serializations("kg", data))
    if loaded.enrichment is not None:
        files.update(serializations(ENRICHMENT_STEM, loaded.enrichment))
    files["shapes.ttl"] = project.shapes.read_bytes()
    files[project.mappings.name] = project.mappings.read_bytes()
    files["void.ttl"] = turtle(void_description(loaded, ontology, data, files))
    files["SHA256SUMS"] = "".join(
        f"{hashlib.sha256(content).hexdigest()}  {name}\n" for name, content in sorted(files.items())
    ).encode("utf-8")
    return files


def void_description(loaded: Loaded, ontology: Graph, data: Graph, files: dict[str, bytes]) -> Graph:
    """VoID statistics and DCAT distributions (size, media type, SHA-256) of the published files."""
    g = new_graph()
    g.bind("spdx", SPDX)
    dataset = URIRef(DATASET)
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.title, Literal("aigov-kg: a knowledge graph of AI governance", lang="en")))
    g.add((dataset, DCTERMS.description, Literal(
        "Summits, nations, blocs, initiatives and pledges of AI governance, and who endorsed or declined what, "
        "each fact with the exact words of its source.", lang="en")))
    g.add((dataset, DCTERMS.license, LICENSE))
    g.add((dataset, VOID.uriSpace, Literal(ID)))
    g.add((dataset, VOID.vocabulary, URIRef(AIG)))
    g.add((dataset, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
    for source in sorted(loaded.sources):
        g.add((dataset, DCTERMS.source, URIRef(ID + source)))
    _count(g, dataset, data)

    entities = set(data.subjects(RDF.type, OWL.NamedIndividual))
    g.add((dataset, VOID.entities, _int(len(entities))))
    classes = Counter(o for s, o in data.subject_objects(RDF.type) if s in entities and str(o).startswith(AIG))
    g.add((dataset, VOID.classes, _int(len(classes))))
    for cls, count in sorted(classes.items()):
        part = URIRef(f"{DATASET}/class/{str(cls)[len(AIG):]}")
        g.add((dataset, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, _int(count)))

    ontology_subset = URIRef(f"{DATASET}/ontology")
    g.add((dataset, VOID.subset, ontology_subset))
    g.add((ontology_subset, RDF.type, VOID.Dataset))
    g.add((ontology_subset, DCTERMS.title, Literal("aigov-kg ontology", lang="en")))
    _count(g, ontology_subset, ontology)

    links = sorted((s, o) for s, o in data.subject_objects(OWL.sameAs) if str(o).startswith(WD))
    wikidata, linkset = URIRef(f"{DATASET}/wikidata"), URIRef(f"{DATASET}/wikidata-links")
    g.add((wikidata, RDF.type, VOID.Dataset))
    g.add((wikidata, DCTERMS.title, Literal("Wikidata", lang="en")))
    g.add((wikidata, VOID.uriSpace, Literal(WD)))
    g.add((dataset, VOID.subset, linkset))
    g.add((linkset, RDF.type, VOID.Linkset))
    g.add((linkset, VOID.subjectsTarget, dataset))
    g.add((linkset, VOID.objectsTarget, wikidata))
    g.add((linkset, VOID.linkPredicate, OWL.sameAs))
    g.add((linkset, VOID.triples, _int(len(links))))

    if loaded.enrichment is not None:
        from kg.use.store import ENRICHMENT_GRAPH

        enrichment = URIRef(ENRICHMENT_GRAPH)
        g.add((dataset, DCTERMS.hasPart, enrichment))
        for p, o in loaded.enrichment.predicate_objects(enrichment):
            if p != VOID.propertyPartition:
                g.add((enrichment, p, o))
        g.add((enrichment, URIRef(STANDARD["prov"] + "wasDerivedFrom"), URIRef("https://www.wikidata.org/")))
        g.add((enrichment, VOID.triples, _int(len(loaded.enrichment))))
        for name in sorted(files):
            if name.startswith(ENRICHMENT_STEM + "."):
                g.add((enrichment, DCAT.distribution, URIRef(f"{DATASET}/distribution/{name}")))

    for name, content in sorted(files.items()):
        dist = URIRef(f"{DATASET}/distribution/{name}")
        checksum = URIRef(f"{DATASET}/distribution/{name}/sha256")
        g.add((dataset, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(name)))
        g.add((dist, DCAT.downloadURL, URIRef(DIST_BASE + name)))
        g.add((dist, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/" + MEDIA_TYPES[Path(name).suffix])))
        g.add((dist, DCAT.byteSize, _int(len(content))))
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(hashlib.sha256(content).hexdigest(), datatype=XSD.hexBinary)))
    return g


def _int(value: int) -> Literal:
    return Literal(str(value), datatype=XSD.integer)


def _count(g: Graph, dataset: URIRef, graph: Graph) -> None:
    g.add((dataset, VOID.triples, _int(len(graph))))
    g.add((dataset, VOID.distinctSubjects, _int(len(set(graph.subjects())))))
    g.add((dataset, VOID.properties, _int(len(set(graph.predicates())))))
    g.add((dataset, VOID.distinctObjects, _int(len(set(graph.objects())))))


def write_dist(project: Project, files: dict[str, bytes]) -> Published:
    """Write ``files`` into a temporary directory beside ``dist/`` and swap it in whole.

    A failure at any point leaves the previous ``dist/`` as it was.
    """
    root, dist = project.root, project.dist
    staging = Path(tempfile.mkdtemp(prefix=".dist-new-", dir=root))
    retired: Path | None = None
    try:
        for name, content in files.items():
            (staging / name).write_bytes(content)
        staging.chmod(0o755)
        if dist.exists():
            retired = Path(tempfile.mkdtemp(prefix=".dist-old-", dir=root))
            os.rename(dist, retired / "dist")
        os.rename(staging, dist)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if retired is not None and not dist.exists():
            os.rename(retired / "dist", dist)
        raise
    finally:
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)
    return Published({name: len(content) for name, content in sorted(files.items())})
