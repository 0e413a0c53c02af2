"""dist/: the files, their agreement with each other, byte-stability and the atomic swap."""

import hashlib

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from kg.make.publish import write_dist
from tests.conftest import copy_project, run_build

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DATASET = URIRef("https://w3id.org/aigov/dataset")

EXPECTED = {
    "ontology.ttl", "ontology.nt", "ontology.jsonld", "ontology.owl",
    "kg.ttl", "kg.nt", "kg.jsonld",
    "wikidata-enrichment.ttl", "wikidata-enrichment.nt", "wikidata-enrichment.jsonld",
    "shapes.ttl", "wikidata.sssom.tsv", "void.ttl", "SHA256SUMS",
}


def parse(path, fmt):
    return Graph().parse(path, format=fmt)


def test_dist_has_every_file(built):
    assert {p.name for p in built.dist.iterdir()} == EXPECTED


def test_every_turtle_file_parses_alone_and_formats_agree(built):
    for name in ("ontology", "kg", "wikidata-enrichment"):
        ttl = parse(built.dist / f"{name}.ttl", "turtle")
        assert len(ttl) > (10 if name == "wikidata-enrichment" else 100)
        assert isomorphic(ttl, parse(built.dist / f"{name}.nt", "nt"))
        assert isomorphic(ttl, parse(built.dist / f"{name}.jsonld", "json-ld"))
    assert isomorphic(parse(built.dist / "ontology.ttl", "turtle"), parse(built.dist / "ontology.owl", "xml"))
    for name in ("shapes.ttl", "void.ttl"):
        parse(built.dist / name, "turtle")


def test_sha256sums_cover_every_other_file(built):
    lines = (built.dist / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ")
        listed[name] = digest
    assert set(listed) == EXPECTED - {"SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256((built.dist / name).read_bytes()).hexdigest() == digest


def test_void_counts_and_distributions_match_the_files(built):
    void = parse(built.dist / "void.ttl", "turtle")
    kg = parse(built.dist / "kg.nt", "nt")
    assert void.value(DATASET, VOID.triples) == Literal(len(kg))
    linkset = URIRef("https://w3id.org/aigov/dataset/wikidata-links")
    assert int(void.value(linkset, VOID.triples)) == 9
    partitions = {str(void.value(p, VOID["class"])).rsplit("#", 1)[1]: int(void.value(p, VOID.entities)) for p in void.objects(DATASET, VOID.classPartition)}
    assert partitions["Bloc"] == 2 and partitions["Nation"] == 2 and partitions["Person"] == 3
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

    for name in ("kg.nt", "ontology.nt", "void.ttl", "kg.jsonld", "ontology.owl"):
        text = (built.dist / name).read_text(encoding="utf-8")
        assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:", text) and "dateTime" not in text, name
    labels = set(re.findall(r"_:(\S+)", (built.dist / "kg.nt").read_text(encoding="utf-8")))
    assert labels and all(label.startswith("fact-") for label in labels)  # derived from the fact
    assert all(label.startswith("cb") for label in re.findall(r"_:(\S+)", (built.dist / "ontology.nt").read_text(encoding="utf-8")))


def test_a_failed_write_keeps_the_previous_dist(project):
    project.dist.mkdir()
    (project.dist / "kg.ttl").write_text("previous", encoding="utf-8")
    with pytest.raises(FileNotFoundError):
        write_dist(project, {"kg.ttl": b"new", "missing-dir/x.ttl": b"never"})
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
    """Axiom annotations keep the whole published graph OWL: HermiT reads it all."""
    import owlready2

    from kg.make.reason import check_java

    check_java()
    world = owlready2.World()
    for name in ("ontology.nt", "kg.nt"):
        world.get_ontology((built.dist / name).as_uri()).load(format="ntriples")
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    assert not [c for c in world.inconsistent_classes() if c is not owlready2.Nothing]


def test_the_enrichment_graph_is_described_with_its_provenance(built):
    void = parse(built.dist / "void.ttl", "turtle")
    enrichment = URIRef("https://w3id.org/aigov/graph/wikidata")
    assert (DATASET, URIRef("http://purl.org/dc/terms/hasPart"), enrichment) in void
    assert void.value(enrichment, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")) == URIRef("https://www.wikidata.org/")
    assert "no retrieval" in str(void.value(enrichment, URIRef("http://purl.org/dc/terms/description")))
    names = {str(d).rsplit("/", 1)[1] for d in void.objects(enrichment, DCAT.distribution)}
    assert names == {"wikidata-enrichment.ttl", "wikidata-enrichment.nt", "wikidata-enrichment.jsonld"}
