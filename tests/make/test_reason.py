"""HermiT over ontology + direct triples, and explanations of clashes."""

import pytest
from rdflib import OWL, URIRef

from kg.errors import KGError
from kg.make.claims import entity_iri
from kg.make.loader import load
from kg.make.reason import explain, reason


def test_the_graph_is_consistent_and_every_class_satisfiable(project):
    from kg.make.reason import is_consistent

    loaded = load(project)
    assert is_consistent(loaded.vocabulary.graph, loaded.assertions) == (True, ())
    reason(loaded.vocabulary.graph, loaded.assertions, loaded.origins)  # raises on either failure


def test_a_disjointness_clash_is_traced_to_its_facts(project):
    loaded = load(project)
    bad = (entity_iri("zhang-guoqing"), URIRef("https://w3id.org/aigov/ontology#endorsed"), entity_iri("china"))
    loaded.assertions.add(bad)
    loaded.origins[bad].append(("data/claims/x.yaml", 7))
    with pytest.raises(KGError) as err:
        reason(loaded.vocabulary.graph, loaded.assertions, loaded.origins)
    assert (err.value.path, err.value.line) == ("data/claims/x.yaml", 7)
    assert "china would be both" in err.value.message
    assert "the fact zhang-guoqing endorsed china at data/claims/x.yaml:7" in err.value.message


@pytest.mark.slow
def test_a_clash_through_same_as_is_found_by_shrinking_the_facts(project):
    """Two entities linked to one Wikidata item are merged by owl:sameAs; no disjointness pair
    of one individual shows it, so the explanation falls back to a minimal set of facts."""
    loaded = load(project)
    link = (entity_iri("zhang-guoqing"), OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q148"))
    loaded.assertions.add(link)
    loaded.origins[link].append(("data/mappings/wikidata.sssom.tsv", 99))
    error = explain(loaded.vocabulary.graph, loaded.assertions, loaded.origins)
    assert "together clash" in error.message
    assert "zhang-guoqing sameAs Q148 (data/mappings/wikidata.sssom.tsv:99)" in error.message
    assert "china sameAs Q148" in error.message


def test_missing_java_says_how_to_install_it(monkeypatch):
    import kg.make.reason

    monkeypatch.setattr(kg.make.reason.shutil, "which", lambda name: None)
    with pytest.raises(KGError) as err:
        kg.make.reason.check_java()
    assert "Java not found" in err.value.message
    assert "apt-get install -y default-jre-headless" in err.value.hint


def test_a_datatype_hermit_cannot_handle_is_named(project):
    with project.ontology.open("a", encoding="utf-8") as ontology:
        ontology.write("\naig:foundedInYear a owl:DatatypeProperty ; rdfs:range xsd:gYear .\n")
    loaded = load(project)
    with pytest.raises(KGError) as err:
        reason(loaded.vocabulary.graph, loaded.assertions, loaded.origins)
    assert "UnsupportedDatatypeException" in err.value.message and "gYear" in err.value.message
