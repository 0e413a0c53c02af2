"""SHACL shapes and QC queries pass on the real dataset and catch each planted problem."""

import pytest
from rdflib import OWL, RDF, RDFS, XSD, Literal, URIRef

from kg.make.claims import entity_iri
from kg.make.loader import load, source_graph_iri
from kg.make.validate import check_shapes, qc_queries, run_qc, to_store
from tests.conftest import SOURCE_ID

AIG = "https://w3id.org/aigov/ontology#"
OA = "http://www.w3.org/ns/oa#"


@pytest.fixture
def loaded(project):
    return load(project)


def shapes(project, loaded):
    return check_shapes(project, loaded.vocabulary.graph, [loaded.accepted, *loaded.source_graphs.values()])


def qc(project, loaded):
    named = {str(source_graph_iri(s)): g for s, g in loaded.source_graphs.items()}
    return {r.name.removeprefix("QC "): r for r in run_qc(project, to_store([loaded.vocabulary.graph, loaded.accepted], named))}


def test_the_real_dataset_passes_every_check(project, loaded):
    assert shapes(project, loaded).passed
    results = qc(project, loaded)
    assert len(results) == len(qc_queries(project)) >= 8
    assert all(r.passed for r in results.values()), [r for r in results.values() if not r.passed]


def remove_axiom(loaded, subject, predicate):
    for axiom in list(loaded.accepted.subjects(OWL.annotatedSource, subject)):
        if (axiom, OWL.annotatedProperty, predicate) in loaded.accepted:
            loaded.accepted.remove((axiom, None, None))


def test_shapes_catch_a_missing_or_second_label(project, loaded):
    loaded.accepted.remove((entity_iri("paris"), RDFS.label, None))
    loaded.accepted.add((entity_iri("china"), RDFS.label, Literal("Chine", lang="fr")))
    problems = shapes(project, loaded).problems
    assert any(p.startswith("https://w3id.org/aigov/id/paris ") and "label" in p for p in problems)
    assert any(p.startswith("https://w3id.org/aigov/id/china ") for p in problems)


def test_shapes_catch_a_malformed_wikidata_link(project, loaded):
    loaded.accepted.add((entity_iri("deepseek"), OWL.sameAs, URIRef("http://www.wikidata.org/entity/DeepSeek")))
    problems = shapes(project, loaded).problems
    assert any("deepseek" in p and "Wikidata link" in p for p in problems)


def test_shapes_catch_a_claim_without_rank_or_evidence(project, loaded):
    graph = loaded.source_graphs[SOURCE_ID]
    claim = next(graph.subjects(RDF.type, URIRef(AIG + "Claim")))
    graph.remove((claim, URIRef(AIG + "rank"), None))
    graph.remove((claim, URIRef(AIG + "evidence"), None))
    problems = [p for p in shapes(project, loaded).problems if p.startswith(str(claim))]
    assert any(AIG + "rank" in p for p in problems) and any(AIG + "evidence" in p for p in problems)


def test_shapes_catch_a_selector_that_ends_before_it_starts(project, loaded):
    position = next(loaded.accepted.subjects(RDF.type, URIRef(OA + "TextPositionSelector")))
    start = loaded.accepted.value(position, URIRef(OA + "start"))
    loaded.accepted.set((position, URIRef(OA + "end"), start))
    assert any("must end after it starts" in p for p in shapes(project, loaded).problems)


def test_shapes_catch_a_copied_sentence_on_cited_evidence(project, loaded):
    cited = next(loaded.accepted.subjects(RDF.type, URIRef(AIG + "CitedEvidence")))
    loaded.accepted.add((cited, URIRef(OA + "hasSelector"), URIRef("https://example.org/selector")))
    assert any(p.startswith(str(cited)) for p in shapes(project, loaded).problems)


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


def test_qc_undeclared_term_in_the_accepted_graph_or_a_claim(project, loaded):
    loaded.accepted.add((entity_iri("china"), URIRef(AIG + "signed"), entity_iri("paris")))
    claim = next(loaded.source_graphs[SOURCE_ID].subjects(RDF.type, URIRef(AIG + "Claim")))
    loaded.source_graphs[SOURCE_ID].set((claim, URIRef(AIG + "claimProperty"), URIRef(AIG + "ratified")))
    assert qc(project, loaded)["undeclared-term-violation"].problems == (f"term={AIG}ratified", f"term={AIG}signed")


def test_qc_shared_wikidata_link(project, loaded):
    loaded.accepted.add((entity_iri("zhang-guoqing"), OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q148")))
    problems = qc(project, loaded)["shared-wikidata-link-violation"].problems
    assert len(problems) == 1 and "Q148" in problems[0]


def test_qc_evidence_length_mismatch(project, loaded):
    graph = loaded.source_graphs[SOURCE_ID]
    position = next(graph.subjects(RDF.type, URIRef(OA + "TextPositionSelector")))
    end = graph.value(position, URIRef(OA + "end"))
    graph.set((position, URIRef(OA + "end"), Literal(int(end) + 1)))
    assert len(qc(project, loaded)["evidence-length-mismatch-violation"].problems) == 1


def test_qc_evidence_selectors(project, loaded):
    graph = loaded.source_graphs[SOURCE_ID]
    evidence = next(graph.subjects(RDF.type, URIRef(AIG + "QuotedEvidence")))
    graph.remove((evidence, URIRef(OA + "hasSelector"), URIRef(f"{evidence}/quote")))
    problems = qc(project, loaded)["evidence-selectors-violation"].problems
    assert len(problems) == 1 and str(evidence) in problems[0]


def test_qc_claim_value(project, loaded):
    graph = loaded.source_graphs[SOURCE_ID]
    claim = next(graph.subjects(URIRef(AIG + "claimObject"), None))
    graph.add((claim, URIRef(AIG + "claimValue"), Literal("also a literal")))
    problems = qc(project, loaded)["claim-value-violation"].problems
    assert len(problems) == 1 and str(claim) in problems[0]


def test_qc_one_value(project, loaded):
    loaded.accepted.add((entity_iri("ai-action-summit"), URIRef(AIG + "startDate"), Literal("2025-02-09", datatype=XSD.date)))
    problems = qc(project, loaded)["one-value-violation"].problems
    assert len(problems) == 1 and "2025-02-09" in problems[0] and "2025-02-10" in problems[0]


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
