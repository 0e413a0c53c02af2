"""The loader: direct triples, their axiom annotations, and refusal of undeclared terms."""

import hashlib

import rdflib
from rdflib import OWL, RDF, Literal, Namespace, URIRef

import pytest

from kg.errors import KGError
from kg.make.loader import _check_namespaces, entity_iri, load
from tests.conftest import SOURCE_ID, edit

AIG = Namespace("https://w3id.org/aigov/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
FACTS = f"data/facts/{SOURCE_ID}.yaml"


def axioms_for(graph, s, p, o):
    return [
        a
        for a in graph.subjects(OWL.annotatedSource, s)
        if (a, OWL.annotatedProperty, p) in graph and (a, OWL.annotatedTarget, o) in graph
    ]


def test_each_fact_gives_its_direct_triple_and_an_evidence_record(project):
    loaded = load(project)
    au, statement = entity_iri("african-union"), entity_iri("statement-on-inclusive-and-sustainable-ai")
    assert (au, AIG.endorsed, statement) in loaded.data
    assert (au, AIG.endorsed, statement) in loaded.assertions
    (axiom,) = axioms_for(loaded.data, au, AIG.endorsed, statement)
    assert (axiom, RDF.type, OWL.Axiom) in loaded.data
    assert (axiom, PROV.wasDerivedFrom, entity_iri(SOURCE_ID)) in loaded.data
    (evidence,) = loaded.data.objects(axiom, AIG.evidence)
    assert (evidence, OA.hasSource, entity_iri(SOURCE_ID)) in loaded.data
    exact = {str(loaded.data.value(sel, OA.exact)) for sel in loaded.data.objects(evidence, OA.hasSelector)} - {"None"}
    assert exact == {"along with the EU and the African Union, endorsed a Statement on Inclusive and Sustainable AI"}


def test_literal_datatypes_come_from_the_property_range(project):
    loaded = load(project)
    statement = entity_iri("statement-on-inclusive-and-sustainable-ai")
    assert loaded.data.value(statement, AIG.endorsingNationCount) == Literal("58", datatype=rdflib.XSD.nonNegativeInteger)
    initiative = entity_iri("global-ai-governance-initiative")
    assert loaded.data.value(initiative, AIG.proposedInYear) == Literal("2023", datatype=rdflib.XSD.integer)
    model = entity_iri("deepseek-open-source-model")
    assert loaded.data.value(model, AIG.openSource) == Literal("true", datatype=rdflib.XSD.boolean)
    assert loaded.data.value(entity_iri("united-nations"), AIG.calledFor).language == "en"


def test_a_fact_with_several_quotes_has_one_evidence_span_per_quote(project):
    loaded = load(project)
    us, statement = entity_iri("united-states"), entity_iri("statement-on-inclusive-and-sustainable-ai")
    (axiom,) = axioms_for(loaded.data, us, AIG.declinedToEndorse, statement)
    assert len(list(loaded.data.objects(axiom, AIG.evidence))) == 3


def test_entity_types_carry_evidence_too(project):
    loaded = load(project)
    (axiom,) = axioms_for(loaded.data, entity_iri("deepseek"), RDF.type, AIG.Company)
    assert list(loaded.data.objects(axiom, AIG.evidence))


def test_mappings_become_same_as_links(project):
    loaded = load(project)
    assert (entity_iri("china"), OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q148")) in loaded.data
    assert not list(loaded.data.objects(entity_iri("zhang-guoqing"), OWL.sameAs))


def test_annotation_properties_are_not_fact_properties(project):
    edit(project.root / FACTS, "predicate: heldIn", "predicate: sha256")
    with pytest.raises(KGError, match="aig:sha256 is an annotation, not a fact property"):
        load(project)


def test_object_properties_need_an_object(project):
    edit(project.root / FACTS, "    object: paris\n", "    value: Paris\n")
    with pytest.raises(KGError, match="links two entities"):
        load(project)


def test_an_entity_declared_in_two_files_is_refused(project):
    other = project.facts_dir / "other.yaml"
    (project.sources_dir / "other.txt").write_text("The African Union met.", encoding="utf-8")
    meta = (project.sources_dir / f"{SOURCE_ID}.meta.yaml").read_text(encoding="utf-8")
    digest = hashlib.sha256(b"The African Union met.").hexdigest()
    meta = meta.replace(f"id: {SOURCE_ID}", "id: other").split("sha256:")[0] + f"sha256: {digest}\n"
    (project.sources_dir / "other.meta.yaml").write_text(meta, encoding="utf-8")
    other.write_text(
        "source: other\nentities:\n  - id: african-union\n    type: Bloc\n    label: African Union\n"
        "    quote: The African Union\nfacts: []\n",
        encoding="utf-8",
    )
    with pytest.raises(KGError) as err:
        load(project)
    assert err.value.path == "data/facts/other.yaml" and err.value.line == 3
    assert f"already used at {FACTS}:" in err.value.message


def test_facts_file_must_be_named_after_its_source(project):
    (project.facts_dir / f"{SOURCE_ID}.yaml").rename(project.facts_dir / "renamed.yaml")
    with pytest.raises(KGError, match="does not match the file name 'renamed'"):
        load(project)


@pytest.mark.parametrize(
    "predicate, message",
    [
        ("https://w3id.org/aigov/ontology#signed", "undeclared term aig:signed"),
        ("http://schema.org/name", "outside the allowed namespaces"),
    ],
)
def test_terms_outside_the_ontology_and_the_allowed_vocabularies_are_refused(project, predicate, message):
    loaded = load(project)
    loaded.data.add((entity_iri("china"), URIRef(predicate), Literal("x")))
    with pytest.raises(KGError, match=message):
        _check_namespaces(loaded)
