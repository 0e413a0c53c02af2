"""SHACL shapes and QC queries pass on the real graph and catch each planted problem."""

import pytest
from rdflib import OWL, RDF, RDFS, Literal, URIRef

from kg.make.loader import entity_iri, load
from kg.make.validate import check_shapes, qc_queries, run_qc, to_store

AIG = "https://w3id.org/aigov/ontology#"
OA = "http://www.w3.org/ns/oa#"


@pytest.fixture
def loaded(project):
    return load(project)


def qc(project, loaded):
    return {r.name.removeprefix("QC "): r for r in run_qc(project, to_store(loaded.vocabulary.graph, loaded.data))}


def test_the_real_graph_passes_every_check(project, loaded):
    assert check_shapes(project, loaded.vocabulary.graph, loaded.data).passed
    results = qc(project, loaded)
    assert len(results) == len(qc_queries(project)) >= 6
    assert all(r.passed for r in results.values()), [r for r in results.values() if not r.passed]


def remove_axiom(loaded, subject, predicate):
    for axiom in list(loaded.data.subjects(OWL.annotatedSource, subject)):
        if (axiom, OWL.annotatedProperty, predicate) in loaded.data:
            loaded.data.remove((axiom, None, None))


def test_shapes_catch_a_fact_without_evidence(project, loaded):
    remove_axiom(loaded, entity_iri("paris"), RDF.type)
    result = check_shapes(project, loaded.vocabulary.graph, loaded.data)
    assert not result.passed
    assert any("paris" in p and "no evidence" in p for p in result.problems)


def test_shapes_catch_a_missing_or_second_label(project, loaded):
    loaded.data.remove((entity_iri("paris"), RDFS.label, None))
    loaded.data.add((entity_iri("china"), RDFS.label, Literal("Chine", lang="fr")))
    problems = check_shapes(project, loaded.vocabulary.graph, loaded.data).problems
    assert any(p.startswith("https://w3id.org/aigov/id/paris ") and "label" in p for p in problems)
    assert any(p.startswith("https://w3id.org/aigov/id/china ") for p in problems)


def test_shapes_catch_a_malformed_wikidata_link(project, loaded):
    loaded.data.add((entity_iri("deepseek"), OWL.sameAs, URIRef("http://www.wikidata.org/entity/DeepSeek")))
    problems = check_shapes(project, loaded.vocabulary.graph, loaded.data).problems
    assert any("deepseek" in p and "Wikidata link" in p for p in problems)


def test_qc_fact_without_evidence(project, loaded):
    remove_axiom(loaded, entity_iri("ai-action-summit"), URIRef(AIG + "heldIn"))
    problems = qc(project, loaded)["fact-without-evidence-violation"].problems
    assert len(problems) == 1 and "ai-action-summit" in problems[0] and "heldIn" in problems[0]


def test_qc_missing_label_and_definition(project, loaded):
    g = loaded.vocabulary.graph
    g.remove((URIRef(AIG + "Summit"), RDFS.label, None))
    g.remove((URIRef(AIG + "heldIn"), URIRef("http://www.w3.org/2004/02/skos/core#definition"), None))
    results = qc(project, loaded)
    assert results["missing-label-violation"].problems == (f"term={AIG}Summit",)
    assert results["missing-definition-violation"].problems == (f"term={AIG}heldIn",)


def test_qc_undeclared_term(project, loaded):
    loaded.data.add((entity_iri("china"), URIRef(AIG + "signed"), entity_iri("paris")))
    assert qc(project, loaded)["undeclared-term-violation"].problems == (f"term={AIG}signed",)


def test_qc_shared_wikidata_link(project, loaded):
    loaded.data.add((entity_iri("zhang-guoqing"), OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q148")))
    problems = qc(project, loaded)["shared-wikidata-link-violation"].problems
    assert len(problems) == 1 and "Q148" in problems[0]


def test_qc_evidence_length_mismatch(project, loaded):
    position = next(loaded.data.subjects(RDF.type, URIRef(OA + "TextPositionSelector")))
    end = loaded.data.value(position, URIRef(OA + "end"))
    loaded.data.set((position, URIRef(OA + "end"), Literal(int(end) + 1)))
    assert len(qc(project, loaded)["evidence-length-mismatch-violation"].problems) == 1


def test_every_qc_query_states_problem_and_solution(project):
    for path in qc_queries(project):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("#+ title: "), path
        assert "# Problem: " in text and "# Solution: " in text, path


def test_a_qc_query_must_be_a_select(project, loaded):
    from kg.errors import KGError

    (project.queries_dir / "qc" / "ask-violation.rq").write_text("ASK { ?s ?p ?o }", encoding="utf-8")
    with pytest.raises(KGError, match="must be a SELECT"):
        qc(project, loaded)
