"""dist/: the files, their agreement with each other, byte-stability and the atomic swap."""

import hashlib

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from kg.make.publish import write_dist
from tests.conftest import ROOT, copy_project, run_build

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DATASET = URIRef("https://w3id.org/aigov/dataset")

EXPECTED = {
    "ontology.ttl", "ontology.nt", "ontology.jsonld", "ontology.owl",
    "kg.ttl", "kg.nt", "kg.jsonld", "kg.owl", "kg.trig", "kg.nq",
    "wikidata-enrichment.ttl", "wikidata-enrichment.nt", "wikidata-enrichment.jsonld",
    "shapes.ttl", "wikidata.sssom.tsv", "void.ttl", "SHA256SUMS",
}


def parse(path, fmt):
    return Graph().parse(path, format=fmt)


def test_dist_has_every_file(built):
    assert {p.name for p in built.dist.iterdir()} == EXPECTED | {"site"}
    assert (built.dist / "site" / "index.html").is_file()


def test_every_turtle_file_parses_alone_and_formats_agree(built):
    for name in ("ontology", "kg", "wikidata-enrichment"):
        ttl = parse(built.dist / f"{name}.ttl", "turtle")
        assert len(ttl) > (10 if name == "wikidata-enrichment" else 100)
        assert isomorphic(ttl, parse(built.dist / f"{name}.nt", "nt"))
        assert isomorphic(ttl, parse(built.dist / f"{name}.jsonld", "json-ld"))
    assert isomorphic(parse(built.dist / "ontology.ttl", "turtle"), parse(built.dist / "ontology.owl", "xml"))
    for name in ("shapes.ttl", "void.ttl"):
        parse(built.dist / name, "turtle")


def test_the_dataset_holds_the_accepted_graph_and_one_graph_per_source(built):
    from rdflib import Dataset

    trig, nquads = Dataset(), Dataset()
    trig.parse(built.dist / "kg.trig", format="trig")
    nquads.parse(built.dist / "kg.nq", format="nquads")
    names = {str(g.identifier) for g in trig.graphs() if len(g)}
    sources = {p.name.removesuffix(".meta.yaml") for p in built.sources_dir.glob("*.meta.yaml")}
    assert names == {"https://w3id.org/aigov/graph/accepted", "https://w3id.org/aigov/graph/wikidata",
                     *(f"https://w3id.org/aigov/graph/source/{s}" for s in sources)}
    for name in names:
        assert isomorphic(trig.graph(URIRef(name)), nquads.graph(URIRef(name))), name
    accepted = trig.graph(URIRef("https://w3id.org/aigov/graph/accepted"))
    assert isomorphic(accepted, parse(built.dist / "kg.ttl", "turtle"))
    kg_owl = parse(built.dist / "kg.owl", "xml")
    ontology = parse(built.dist / "ontology.nt", "nt")
    from rdflib import BNode

    ground = lambda graph: {t for t in graph if not any(isinstance(x, BNode) for x in t)}  # noqa: E731
    assert ground(accepted) <= ground(kg_owl)
    assert len(ground(ontology) - ground(kg_owl)) < 20  # the ontology, under the document's own header


def test_pyoxigraph_reads_the_dataset_too(built):
    import pyoxigraph

    for name, fmt in (("kg.trig", pyoxigraph.RdfFormat.TRIG), ("kg.nq", pyoxigraph.RdfFormat.N_QUADS)):
        graphs = {q.graph_name for q in pyoxigraph.parse(path=str(built.dist / name), format=fmt)}
        assert len(graphs) >= 10, name


def test_sha256sums_cover_every_other_file(built):
    lines = (built.dist / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ")
        listed[name] = digest
    site = {str(p.relative_to(built.dist)) for p in (built.dist / "site").rglob("*") if p.is_file()}
    assert set(listed) == EXPECTED - {"SHA256SUMS"} | site
    for name, digest in listed.items():
        assert hashlib.sha256((built.dist / name).read_bytes()).hexdigest() == digest


def test_void_counts_and_distributions_match_the_files(built):
    void = parse(built.dist / "void.ttl", "turtle")
    kg = parse(built.dist / "kg.nt", "nt")
    assert void.value(DATASET, VOID.triples) == Literal(len(kg))
    linkset = URIRef("https://w3id.org/aigov/dataset/wikidata-links")
    assert int(void.value(linkset, VOID.triples)) == 12
    partitions = {str(void.value(p, VOID["class"])).rsplit("#", 1)[1]: int(void.value(p, VOID.entities)) for p in void.objects(DATASET, VOID.classPartition)}
    register = (ROOT / "data" / "entities.yaml").read_text(encoding="utf-8")
    assert partitions["Bloc"] == 2 and partitions["Nation"] == register.count("\n    type: Nation\n") >= 30
    assert partitions["SovereignEntity"] == 1 and partitions["CitedSource"] >= 70
    from rdflib import Dataset

    dataset = Dataset()
    dataset.parse(built.dist / "kg.nq", format="nquads")
    for graph in dataset.graphs():
        if len(graph):
            assert (DATASET, VOID.subset, graph.identifier) in void, graph.identifier
            assert int(void.value(graph.identifier, VOID.triples)) == len(graph), graph.identifier
    distributions = list(void.objects(DATASET, DCAT.distribution))
    assert len(distributions) == len(EXPECTED) - 2  # neither void.ttl nor SHA256SUMS can describe itself
    for dist in distributions:
        name = str(dist).rsplit("/", 1)[1]
        content = (built.dist / name).read_bytes()
        assert int(void.value(dist, DCAT.byteSize)) == len(content)
        checksum = void.value(dist, SPDX.checksum)
        assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(content).hexdigest()


def test_two_builds_are_byte_identical_whatever_the_hash_seed(tmp_path):
    first, second = copy_project(tmp_path / "a"), copy_project(tmp_path / "b")
    assert run_build(first, seed="1").returncode == 0
    assert run_build(second, seed="2").returncode == 0
    for name in EXPECTED:
        assert (first.dist / name).read_bytes() == (second.dist / name).read_bytes(), name


def test_no_timestamps_or_random_blank_nodes(built):
    import re

    for name in ("kg.nt", "kg.nq", "kg.trig", "ontology.nt", "void.ttl", "kg.jsonld", "ontology.owl", "kg.owl"):
        text = (built.dist / name).read_text(encoding="utf-8")
        assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:", text) and "dateTime" not in text, name
    labels = set(re.findall(r"_:(\S+)", (built.dist / "kg.nq").read_text(encoding="utf-8")))
    assert labels and all(label.startswith("fact-") for label in labels)  # derived from the claim
    assert all(label.startswith("cb") for label in re.findall(r"_:(\S+)", (built.dist / "ontology.nt").read_text(encoding="utf-8")))


def test_a_failed_write_keeps_the_previous_dist(project):
    project.dist.mkdir()
    (project.dist / "kg.ttl").write_text("previous", encoding="utf-8")
    with pytest.raises(IsADirectoryError):  # "clash" is a folder of the next file by the time it is written
        write_dist(project, {"kg.ttl": b"new", "clash": b"never", "clash/x.ttl": b"never"})
    assert [p.name for p in project.dist.iterdir()] == ["kg.ttl"]
    assert (project.dist / "kg.ttl").read_text(encoding="utf-8") == "previous"
    assert not list(project.root.glob(".dist-*"))


def test_write_replaces_dist_whole(project):
    project.dist.mkdir()
    (project.dist / "stale.ttl").write_text("old", encoding="utf-8")
    write_dist(project, {"kg.ttl": b"new"})
    assert [p.name for p in project.dist.iterdir()] == ["kg.ttl"]
    assert not list(project.root.glob(".dist-*"))


def test_the_published_graph_with_its_provenance_is_consistent_under_hermit(built):
    """Axiom annotations keep the whole accepted graph OWL: HermiT reads all of kg.owl, the
    file for Protégé."""
    import owlready2

    from kg.make.reason import check_java

    check_java()
    world = owlready2.World()
    world.get_ontology((built.dist / "kg.owl").as_uri()).load(format="rdfxml")
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    assert not [c for c in world.inconsistent_classes() if c is not owlready2.Nothing]


def test_the_enrichment_graph_is_described_with_its_provenance(built):
    void = parse(built.dist / "void.ttl", "turtle")
    enrichment = URIRef("https://w3id.org/aigov/graph/wikidata")
    assert (DATASET, VOID.subset, enrichment) in void
    assert void.value(enrichment, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")) == URIRef("https://www.wikidata.org/")
    assert "no retrieval" in str(void.value(enrichment, URIRef("http://purl.org/dc/terms/description")))
    names = {str(d).rsplit("/", 1)[1] for d in void.objects(enrichment, DCAT.distribution)}
    assert names == {"wikidata-enrichment.ttl", "wikidata-enrichment.nt", "wikidata-enrichment.jsonld"}


def test_both_licences_are_stated_where_users_look(built):
    """The data's licence (CC BY 4.0) and the code's (Apache-2.0): in VoID, the package metadata,
    CITATION.cff and LICENSE itself."""
    import tomllib

    void = parse(built.dist / "void.ttl", "turtle")
    assert void.value(DATASET, URIRef("http://purl.org/dc/terms/license")) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    rights = str(void.value(DATASET, URIRef("http://purl.org/dc/terms/rights")))
    assert "CC BY 4.0" in rights and "Apache License 2.0" in rights
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "Apache-2.0 AND CC-BY-4.0" and project["license-files"] == ["LICENSE"]
    citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert "license:\n  - CC-BY-4.0\n  - Apache-2.0\n" in citation
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").lstrip().startswith("Apache License\n")
