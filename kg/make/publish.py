"""Serialize the dataset into ``dist/``: byte-identical from run to run, and swapped in whole.

The whole dataset (the accepted graph, each source's graph, the Wikidata facts) goes to
``kg.trig`` and ``kg.nq``; the accepted graph alone to ``kg.ttl``, ``.nt``, ``.jsonld``, and
with the ontology to ``kg.owl`` (RDF/XML, for Protégé). Turtle comes from rdflib's
``longturtle`` writer, which sorts; N-Triples and N-Quads are rdflib's lines sorted; JSON-LD,
RDF/XML and TriG are written by pyoxigraph from those sorted lines, so no output depends on
hash order (rdflib issue #3545). Blank nodes in the ontology (lists, disjointness axioms) are
given canonical labels (rdflib's RGDA1) before writing; the axiom records of the accepted graph
already have labels derived from their claim.
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
from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.compare import to_canonical_graph

from kg import __version__
from kg.make.loader import Loaded, new_graph, source_graph_iri
from kg.namespaces import ACCEPTED_GRAPH, AIG, DATASET, ID, ONTOLOGY_IRI, PREFIXES, SOURCE_GRAPH, STANDARD, WD, WIKIDATA_GRAPH
from kg.project import Project

DIST_BASE = "https://w3id.org/aigov/dist/"
# dist/<stem>.ttl, .nt, .jsonld: the facts kg link enrich pulled from Wikidata, a graph of their own
ENRICHMENT_STEM = "wikidata-enrichment"
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
VOID = Namespace(STANDARD["void"])
DCAT = Namespace(STANDARD["dcat"])
DCTERMS = Namespace(STANDARD["dcterms"])
SPDX = Namespace("http://spdx.org/rdf/terms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
# The IRI of dist/kg.owl, the ontology and the accepted graph in one OWL document.
KG_DOCUMENT = "https://w3id.org/aigov/kg"

# file name suffix -> media type, for the DCAT distributions
MEDIA_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".owl": "application/rdf+xml",
    ".tsv": "text/tab-separated-values",
    ".trig": "application/trig",
    ".nq": "application/n-quads",
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


def oxigraph_format(nt: bytes, fmt: pyoxigraph.RdfFormat, quads: bool = False) -> bytes:
    """Re-serialize sorted N-Triples (N-Quads when ``quads``) with pyoxigraph, keeping their order."""
    source = pyoxigraph.RdfFormat.N_QUADS if quads else pyoxigraph.RdfFormat.N_TRIPLES
    parsed = list(pyoxigraph.parse(nt, format=source))
    prefixes = PREFIXES if fmt in (pyoxigraph.RdfFormat.RDF_XML, pyoxigraph.RdfFormat.TRIG) else None
    out = pyoxigraph.serialize(parsed, format=fmt, prefixes=prefixes)
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


def named_graphs(loaded: Loaded) -> dict[str, Graph]:
    """Every graph of the dataset by its IRI: the accepted graph, one graph per source, and the
    Wikidata facts when the project has them."""
    graphs = {ACCEPTED_GRAPH: loaded.accepted}
    graphs.update({str(source_graph_iri(s)): g for s, g in sorted(loaded.source_graphs.items())})
    if loaded.enrichment is not None:
        graphs[WIKIDATA_GRAPH] = loaded.enrichment
    return graphs


def nquads(graphs: dict[str, Graph]) -> bytes:
    """N-Quads of ``graphs``, one quad a line, lines sorted."""
    lines = []
    for iri, graph in graphs.items():
        suffix = f" <{iri}> .".encode()
        lines += [line[:-2] + suffix for line in ntriples(graph).splitlines() if line.strip()]
    return b"\n".join(sorted(lines)) + b"\n"


def with_ontology(ontology: Graph, data: Graph) -> Graph:
    """The ontology and the accepted graph in one OWL document, for Protégé: the ontology's own
    header is replaced by one naming this document, derived from the ontology."""
    merged = new_graph()
    header = URIRef(KG_DOCUMENT)
    for triple in ontology:
        if triple[0] != URIRef(ONTOLOGY_IRI):
            merged.add(triple)
    for triple in data:
        merged.add(triple)
    merged.add((header, RDF.type, OWL.Ontology))
    merged.add((header, DCTERMS.title, Literal("aigov-kg: the ontology and the accepted graph", lang="en")))
    merged.add((header, DCTERMS.license, LICENSE))
    merged.add((header, URIRef(STANDARD["prov"] + "wasDerivedFrom"), URIRef(ONTOLOGY_IRI)))
    merged.add((header, RDFS.comment, Literal(
        "The ontology with the accepted graph's instance data, in one file for Protégé and other OWL tools; "
        "the claims of each source are in dist/kg.trig.", lang="en")))
    return merged


def render(project: Project, loaded: Loaded, base: str | None = None) -> dict[str, bytes]:
    """Every file of ``dist/``, as bytes, by name; ``base``: the site's base URL (default the
    w3id.org IRIs)."""
    ontology = canonical(loaded.vocabulary.graph)
    data = loaded.accepted  # its only blank nodes are the axiom records, labelled from their claim
    files: dict[str, bytes] = {}
    files.update(serializations("ontology", ontology, rdfxml=True))
    files.update(serializations("kg", data))
    files["kg.owl"] = oxigraph_format(ntriples(with_ontology(ontology, data)), pyoxigraph.RdfFormat.RDF_XML)
    graphs = named_graphs(loaded)
    files["kg.nq"] = nquads(graphs)
    files["kg.trig"] = oxigraph_format(files["kg.nq"], pyoxigraph.RdfFormat.TRIG, quads=True)
    if loaded.enrichment is not None:
        files.update(serializations(ENRICHMENT_STEM, loaded.enrichment))
    files["shapes.ttl"] = project.shapes.read_bytes()
    files[project.mappings.name] = project.mappings.read_bytes()
    files["void.ttl"] = turtle(void_description(loaded, ontology, graphs, files))
    files.update(site_files(files, project.queries_dir, base))
    files["SHA256SUMS"] = checksums(files)
    return files


def checksums(files: dict[str, bytes]) -> bytes:
    """``sha256sum``'s listing of ``files``, by name (what ``SHA256SUMS`` holds)."""
    return "".join(f"{hashlib.sha256(content).hexdigest()}  {name}\n" for name, content in sorted(files.items())).encode("utf-8")


def site_files(files: dict[str, bytes], queries_dir: Path, base: str | None = None) -> dict[str, bytes]:
    """The static site of the published data files (``site/…``): its footer names the package's
    version and a digest of the data files, the same for the same data. ``base``: where its IRIs
    are looked up (default the w3id.org IRIs)."""
    from kg.make.site.build import build_site
    from kg.make.site.page import W3ID

    digest = hashlib.sha256(checksums(files)).hexdigest()[:16]
    return {f"site/{path}": content for path, content in build_site(files, __version__, digest, queries_dir, base or W3ID).items()}


def void_description(loaded: Loaded, ontology: Graph, graphs: dict[str, Graph], files: dict[str, bytes]) -> Graph:
    """VoID statistics of the dataset and of each of its graphs, and DCAT distributions (size,
    media type, SHA-256) of the published files."""
    g = new_graph()
    g.bind("spdx", SPDX)
    g.bind("sd", SD)
    data = loaded.accepted
    dataset = URIRef(DATASET)
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.title, Literal("aigov-kg: a knowledge graph of AI governance", lang="en")))
    g.add((dataset, DCTERMS.description, Literal(
        "Summits, nations, blocs, initiatives and pledges of AI governance, and who endorsed or declined what: what each "
        "source claims, in a named graph of its own, with its evidence, and the accepted graph derived from the claims "
        "by rules anyone can read, with every disagreement between sources.", lang="en")))
    g.add((dataset, DCTERMS.license, LICENSE))
    g.add((dataset, OWL.versionInfo, Literal(__version__)))  # the release; kg diff names it
    g.add((dataset, DCTERMS.rights, Literal(
        "The data is under CC BY 4.0 (its dcterms:license); the quoted spans remain their publishers'. The code that "
        "builds it (aigov-kg) is under the Apache License 2.0.", lang="en")))
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

    for iri, graph in graphs.items():
        node = URIRef(iri)
        g.add((dataset, VOID.subset, node))
        g.add((node, RDF.type, VOID.Dataset))
        g.add((node, SD.name, node))
        _count(g, node, graph)
        if iri == ACCEPTED_GRAPH:
            g.add((node, DCTERMS.title, Literal("the accepted graph", lang="en")))
            g.add((node, DCTERMS.license, LICENSE))
            g.add((node, DCTERMS.description, Literal(
                "The direct triples derived from the claims by the acceptance rules, the entities, the sources and the "
                "disagreements; the default graph of dist/kg.ttl.", lang="en")))
        elif iri.startswith(SOURCE_GRAPH):
            source = iri[len(SOURCE_GRAPH):]
            g.add((node, DCTERMS.title, Literal(f"the claims of {source}", lang="en")))
            g.add((node, DCTERMS.source, URIRef(ID + source)))
            g.add((node, DCTERMS.license, LICENSE))
            g.add((node, VOID.entities, _int(sum(1 for _ in graph.subjects(RDF.type, URIRef(AIG + "Claim"))))))

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
        enrichment = URIRef(WIKIDATA_GRAPH)
        for p, o in loaded.enrichment.predicate_objects(enrichment):
            if p != VOID.propertyPartition and p != VOID.triples:
                g.add((enrichment, p, o))
        g.add((enrichment, URIRef(STANDARD["prov"] + "wasDerivedFrom"), URIRef("https://www.wikidata.org/")))
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

    A failure at any point, a kill or a power cut included, leaves the previous ``dist/`` as it
    was or the new one complete: the files and their directory are flushed to disk before the
    swap, the swap is one atomic step (:func:`_swap`), and the parent directory is flushed after
    it. What a kill leaves behind (``.dist-new-*``, ``.dist-old-*``) the next publish removes,
    restoring ``dist/`` first if a kill between the two renames of the fallback swap lost it.
    One publish at a time: a lock on ``.dist.lock`` keeps two builds from removing each other's
    work.
    """
    import fcntl

    root, dist = project.root, project.dist
    with open(root / ".dist.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        recover_dist(project)
        staging = Path(tempfile.mkdtemp(prefix=".dist-new-", dir=root))
        try:
            folders = sorted({folder for name in files for folder in (staging / name).parents if staging in folder.parents})
            for folder in folders:
                folder.mkdir(parents=True, exist_ok=True)
            for name, content in files.items():
                _write_synced(staging / name, content)
            for folder in folders:
                _fsync_dir(folder)
            staging.chmod(0o755)
            _fsync_dir(staging)
            _swap(staging, dist)
            _fsync_dir(root)
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # the failed build, or the previous dist/ after the swap
    return Published({name: len(content) for name, content in sorted(files.items())})


def recover_dist(project: Project) -> None:
    """Undo what a killed publish left: put back a ``dist/`` stranded in ``.dist-old-*/dist``
    when ``dist/`` is missing, then remove every ``.dist-new-*`` and ``.dist-old-*`` folder (so
    only while no other publish runs: :func:`write_dist` calls it holding the lock)."""
    root, dist = project.root, project.dist
    if not dist.exists():
        stranded = sorted(root.glob(".dist-old-*/dist"), key=lambda p: p.stat().st_mtime)
        if stranded:
            os.rename(stranded[-1], dist)
            _fsync_dir(root)
    for leftover in [*root.glob(".dist-new-*"), *root.glob(".dist-old-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def _write_synced(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` and wait until it is on disk."""
    with open(path, "wb") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())


def _fsync_dir(path: Path) -> None:
    """Wait until the entries of the directory ``path`` (names created, renamed) are on disk."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap the directories ``a`` and ``b`` in one atomic step with Linux's
    ``renameat2(RENAME_EXCHANGE)``; False where the C library, the kernel or the file system
    has no such call (then nothing was changed)."""
    import ctypes
    import errno

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _swap(staging: Path, dist: Path) -> None:
    """Put ``staging`` in place of ``dist``; the previous ``dist``, if any, is left at ``staging``.

    The first build (no ``dist`` yet) is a plain rename. Otherwise the two are exchanged
    atomically, so ``dist`` always exists, whole. Only where ``renameat2`` is unavailable (not
    Linux, an old kernel, a file system without ``RENAME_EXCHANGE``) does it fall back to two
    renames, ``dist`` into ``.dist-old-*/dist`` and then ``staging`` into place: a kill between
    them leaves no ``dist``, which :func:`recover_dist` restores from that folder.
    """
    if not dist.exists():
        os.rename(staging, dist)
        return
    if _exchange(staging, dist):
        return
    retired = Path(tempfile.mkdtemp(prefix=".dist-old-", dir=dist.parent))
    os.rename(dist, retired / "dist")
    try:
        os.rename(staging, dist)
    except BaseException:
        os.rename(retired / "dist", dist)
        raise
    os.rename(retired, staging)
