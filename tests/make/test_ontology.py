"""The ontology: fixed names, labels, definitions, Wikidata mappings, OWL 2 DL and HermiT."""

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Namespace, URIRef

from kg.errors import KGError
from kg.make.ontology import read_ontology
from kg.make.reason import is_consistent
from tests.conftest import ROOT

AIG = Namespace("https://w3id.org/aigov/ontology#")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
VANN = Namespace("http://purl.org/vocab/vann/")
DCTERMS = Namespace("http://purl.org/dc/terms/")


@pytest.fixture(scope="module")
def vocabulary():
    return read_ontology(ROOT / "ontology" / "aigov.ttl", "ontology/aigov.ttl")


def test_fixed_names_exist(vocabulary):
    assert {"Summit", "Nation", "Bloc", "Initiative", "Pledge", "Person", "Organization", "Resolution"} <= vocabulary.classes
    assert {"endorsed", "declinedToEndorse", "proposedBy"} <= vocabulary.object_properties


def test_header(vocabulary):
    g, onto = vocabulary.graph, URIRef("https://w3id.org/aigov/ontology")
    assert (onto, RDF.type, OWL.Ontology) in g
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.creator, OWL.versionInfo, OWL.versionIRI):
        assert g.value(onto, predicate) is not None, predicate
    assert g.value(onto, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert str(g.value(onto, VANN.preferredNamespacePrefix)) == "aig"


def test_every_term_has_an_english_label_and_definition(vocabulary):
    g = vocabulary.graph
    names = vocabulary.classes | vocabulary.object_properties | vocabulary.datatype_properties | vocabulary.annotation_properties
    assert len(names) > 40
    for name in names:
        labels = [l for l in g.objects(AIG[name], RDFS.label) if l.language == "en"]
        definitions = [d for d in g.objects(AIG[name], SKOS.definition) if d.language == "en"]
        assert len(labels) == 1 and len(definitions) == 1, name


# Properties whose subjects may be of several disjoint kinds (an initiative or an agent; a
# resolution or an initiative), so they deliberately have no rdfs:domain.
OPEN_DOMAIN = {"gainedProminenceAt", "alignsWithAspirationsOf"}


def test_object_properties_have_domain_and_range(vocabulary):
    g = vocabulary.graph
    for name in vocabulary.object_properties:
        assert g.value(AIG[name], RDFS.range) is not None, name
        assert (g.value(AIG[name], RDFS.domain) is None) == (name in OPEN_DOMAIN), name


def test_wikidata_mappings_point_the_right_way(vocabulary):
    g = vocabulary.graph
    assert (AIG.Summit, OWL.equivalentClass, WD.Q1072326) in g
    assert (AIG.Person, OWL.equivalentClass, WD.Q5) in g
    # signatory (P1891) points from the document to the signer: the inverse of aig:endorsed
    assert (AIG.endorsed, OWL.inverseOf, WDT.P1891) in g
    assert (AIG.endorsed, OWL.equivalentProperty, WDT.P1891) not in g
    assert (AIG.participatedIn, OWL.equivalentProperty, WDT.P1344) in g


def test_mapped_wikidata_terms_are_on_the_verified_list(vocabulary):
    verified = {
        line.split("\t")[1]
        for line in (ROOT / "data" / "wikidata" / "verified-ids.tsv").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    used = {str(o).rsplit("/", 1)[1] for o in vocabulary.graph.objects() if str(o).startswith(("http://www.wikidata.org/entity/", "http://www.wikidata.org/prop/direct/"))}
    assert used and used <= verified


def test_a_nation_is_not_a_person(vocabulary):
    consistent, _ = is_consistent(
        vocabulary.graph,
        [(URIRef("https://w3id.org/aigov/id/x"), RDF.type, AIG.Nation), (URIRef("https://w3id.org/aigov/id/x"), RDF.type, AIG.Person)],
    )
    assert not consistent


def test_consistent_and_every_class_satisfiable_under_hermit(vocabulary):
    consistent, unsatisfiable = is_consistent(vocabulary.graph, [])
    assert consistent and unsatisfiable == ()


def test_every_declared_entity_is_typed_once_as_a_kind_of_owl_entity(vocabulary):
    """OWL 2 DL: no IRI is both a class and a property, nor an object and a data property."""
    g = vocabulary.graph
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    for subject in set(g.subjects(RDF.type, None)):
        if isinstance(subject, URIRef):
            declared = [k for k in kinds if (subject, RDF.type, k) in g]
            assert len(declared) <= 1, (subject, declared)


def test_the_ontology_loads_as_turtle_alone():
    Graph().parse(ROOT / "ontology" / "aigov.ttl", format="turtle")


@pytest.mark.parametrize("extra, message", [
    ("aig:endorsed owl:propertyDisjointWith aig:endorsed .", "disjoint with itself"),
    ("aig:startDate aig:acceptance aig:EveryValue .", "two acceptance rules"),
])
def test_a_self_contradicting_ontology_is_refused(tmp_path, extra, message):
    path = tmp_path / "aigov.ttl"
    path.write_text((ROOT / "ontology" / "aigov.ttl").read_text(encoding="utf-8") + "\n" + extra + "\n", encoding="utf-8")
    with pytest.raises(KGError, match=message):
        read_ontology(path, "ontology/aigov.ttl")
