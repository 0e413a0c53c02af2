"""The loader: each source's claims in its own graph, the accepted graph derived from them with
one evidence record per supporting source, and refusal of what the ontology or register lack."""

import rdflib
from rdflib import OWL, RDF, Literal, Namespace, URIRef

import pytest

from kg.errors import KGError
from kg.make.loader import _check_namespaces, load
from kg.make.claims import entity_iri, group_iri
from tests.conftest import SOURCE_ID, edit

AIG = Namespace("https://w3id.org/aigov/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
CLAIMS = f"data/claims/{SOURCE_ID}.yaml"
STATEMENT = entity_iri("statement-on-inclusive-and-sustainable-ai")


def axioms_for(graph, s, p, o):
    return [a for a in graph.subjects(OWL.annotatedSource, s) if (a, OWL.annotatedProperty, p) in graph and (a, OWL.annotatedTarget, o) in graph]


def test_an_accepted_triple_has_one_evidence_record_per_supporting_source(project):
    loaded = load(project)
    au_triple = (entity_iri("african-union"), AIG.endorsed, STATEMENT)
    assert au_triple in loaded.accepted and au_triple in loaded.assertions
    (axiom,) = axioms_for(loaded.accepted, *au_triple)
    assert (axiom, PROV.wasDerivedFrom, entity_iri(SOURCE_ID)) in loaded.accepted
    claim = loaded.accepted.value(axiom, AIG.claim)
    assert (claim, AIG.claimSubject, entity_iri("african-union")) in loaded.source_graphs[SOURCE_ID]
    (evidence,) = loaded.accepted.objects(axiom, AIG.evidence)
    exact = {str(loaded.accepted.value(sel, OA.exact)) for sel in loaded.accepted.objects(evidence, OA.hasSelector)} - {"None"}
    assert exact == {"along with the EU and the African Union, endorsed a Statement on Inclusive and Sustainable AI"}
    china = axioms_for(loaded.accepted, entity_iri("china"), AIG.endorsed, STATEMENT)
    sources = {loaded.accepted.value(a, PROV.wasDerivedFrom) for a in china}
    assert len(china) == len(sources) >= 8  # the article and the cited pages, each with its own record


def test_source_graphs_hold_claims_not_direct_triples(project):
    loaded = load(project)
    for source_id, graph in loaded.source_graphs.items():
        assert not [t for t in graph if str(t[1]).startswith(str(AIG)) and t[1] in (AIG.endorsed, AIG.declinedToEndorse, AIG.heldIn)]
        claims = set(graph.subjects(RDF.type, AIG.Claim))
        assert claims and all(str(c).startswith(f"https://w3id.org/aigov/claim/{source_id}/") for c in claims)


def test_claim_iris_are_stable_hashes_of_subject_property_value(project):
    first = {c.iri for c in load(project).claims}
    assert first == {c.iri for c in load(project).claims}


def test_literal_datatypes_come_from_the_property_range(project):
    loaded = load(project)
    initiative = entity_iri("global-ai-governance-initiative")
    assert loaded.accepted.value(initiative, AIG.proposedInYear) == Literal("2023", datatype=rdflib.XSD.integer)
    assert loaded.accepted.value(entity_iri("deepseek-open-source-model"), AIG.openSource) == Literal("true", datatype=rdflib.XSD.boolean)
    assert loaded.accepted.value(entity_iri("united-nations"), AIG.calledFor).language == "en"
    assert loaded.accepted.value(entity_iri("ai-action-summit"), AIG.startDate) == Literal("2025-02-10", datatype=rdflib.XSD.date)


def test_counts_are_claims_with_qualifiers_never_accepted(project):
    loaded = load(project)
    counts = [c for c in loaded.claims if c.name == "signatoryCount"]
    assert len({c.value for c in counts}) >= 4
    assert not list(loaded.accepted.objects(STATEMENT, AIG.signatoryCount))
    (article,) = [c for c in counts if c.source == SOURCE_ID]
    assert dict(article.qualifiers)[AIG.counted] == AIG.CountOfNations and dict(article.qualifiers)[AIG.bound] == AIG.Exactly


def test_a_claim_with_several_quotes_has_one_evidence_span_per_quote(project):
    loaded = load(project)
    (claim,) = [c for c in loaded.claims if c.source == SOURCE_ID and c.name == "declinedToEndorse"]
    assert len(claim.evidence) == 3


def test_unnamed_groups_belong_to_their_source(project):
    loaded = load(project)
    analysts = group_iri(SOURCE_ID, "analysts")
    assert (analysts, RDF.type, AIG.UnnamedGroup) in loaded.accepted
    assert not list(loaded.accepted.triples((entity_iri("analysts"), None, None)))


def test_names_are_the_claims_of_the_sources_that_use_them(project):
    loaded = load(project)
    name = (STATEMENT, SKOS.altLabel, Literal("pledge for inclusive AI", lang="en"))
    assert name in loaded.accepted
    (axiom,) = axioms_for(loaded.accepted, *name)
    assert loaded.accepted.value(axiom, PROV.wasDerivedFrom) == entity_iri(SOURCE_ID)
    assert (STATEMENT, SKOS.altLabel, Literal("Paris declaration", lang="en")) not in loaded.accepted


def test_types_come_from_the_register(project):
    loaded = load(project)
    assert (entity_iri("holy-see"), RDF.type, AIG.SovereignEntity) in loaded.assertions
    assert (entity_iri("african-union-commission"), RDF.type, AIG.Organization) in loaded.assertions


def test_mappings_become_same_as_links(project):
    loaded = load(project)
    assert (entity_iri("china"), OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q148")) in loaded.accepted
    assert not list(loaded.accepted.objects(entity_iri("zhang-guoqing"), OWL.sameAs))


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("property: heldIn", "property: sha256", "aig:sha256 is an annotation, not a property a claim can state"),
        ("property: heldIn", "property: signed", "unknown property aig:signed"),
        ("    object: paris\n", "    value: Paris\n", "links two entities"),
        ("subject: ai-action-summit\n    property: heldIn", "subject: the-summit\n    property: heldIn", "unknown entity id 'the-summit'"),
        ("    counted: nations\n    bound: exactly\n    note: the article", "    note: the article", "needs counted: and bound:"),
        ("  - {entity: united-states, name: US}\n", "  - {entity: united-states, name: USofA}\n", "name not found"),
        ("  - {entity: united-states, name: US}\n", "  - {entity: united-states, name: United States}\n", "is the entity's label already"),
        ("    quote: the recent Artificial Intelligence Action Summit in Paris\n",
         "    locator: first paragraph\n", "is a quoted source: give quote:"),
    ],
)
def test_bad_claims_are_refused_with_their_line(project, old, new, message):
    edit(project.root / CLAIMS, old, new)
    with pytest.raises(KGError) as err:
        load(project)
    assert message in err.value.message
    assert err.value.path == CLAIMS and err.value.line and err.value.hint


def test_a_quote_for_a_cited_page_is_refused(project):
    edit(project.claims_dir / "newamerica-inside-look-paris-summit.yaml", "locator: second paragraph}", "quote: 60 countries}")
    with pytest.raises(KGError, match="is a cited page: give locator:"):
        load(project)


def test_the_same_claim_twice_is_refused(project):
    path = project.claims_dir / "newamerica-inside-look-paris-summit.yaml"
    text = path.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if "united-kingdom, property: declinedToEndorse" in line)
    path.write_text(text + line + "\n", encoding="utf-8")
    with pytest.raises(KGError, match="the same claim is stated twice"):
        load(project)


def test_one_value_reported_twice_with_different_qualifiers_is_two_claims(project):
    path = project.claims_dir / "newamerica-inside-look-paris-summit.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "  - {subject: statement-on-inclusive-and-sustainable-ai, property: signatoryCount, value: 60,"
                    " counted: nations and organizations, bound: about, locator: headline}\n"
                    "  - {subject: statement-on-inclusive-and-sustainable-ai, property: signatoryCount, value: 60,"
                    " counted: nations and organizations, bound: about, note: another note, locator: headline}\n", encoding="utf-8")
    with pytest.raises(KGError, match="the same claim is stated twice"):  # a note does not make a claim another
        load(project)
    path.write_text(text + "  - {subject: statement-on-inclusive-and-sustainable-ai, property: signatoryCount, value: 60,"
                    " counted: nations and organizations, bound: about, locator: headline}\n", encoding="utf-8")
    sixties = [c for c in load(project).claims
               if c.source == "newamerica-inside-look-paris-summit" and c.name == "signatoryCount" and int(c.value) == 60]
    assert len(sixties) == 2 and len({c.iri for c in sixties}) == 2


def test_a_name_on_a_cited_page_needs_a_locator(project):
    path = project.claims_dir / "digwatch-statement-text.yaml"
    edit(path, "names:\n", "names:\n  - {entity: china, name: the Middle Kingdom}\n")
    with pytest.raises(KGError) as err:
        load(project)
    assert "has no locator" in err.value.message and err.value.path == "data/claims/digwatch-statement-text.yaml" and err.value.line


def test_a_source_without_a_claims_file_is_refused(project):
    (project.claims_dir / "newamerica-inside-look-paris-summit.yaml").unlink()
    with pytest.raises(KGError, match="has no claims file"):
        load(project)


def test_claims_file_must_be_named_after_its_source(project):
    (project.claims_dir / f"{SOURCE_ID}.yaml").rename(project.claims_dir / "renamed.yaml")
    with pytest.raises(KGError, match="does not match the file name 'renamed'"):
        load(project)


def test_a_decision_that_names_no_claim_is_refused(project):
    project.decisions.write_text("decisions:\n  - {subject: china, property: endorsed, object: paris, rank: deprecated, reason: x}\n",
                                 encoding="utf-8")
    with pytest.raises(KGError) as err:
        load(project)
    assert "names no claim" in err.value.message and err.value.path == "data/decisions.yaml" and err.value.line == 2


@pytest.mark.parametrize(
    "decisions, message, line",
    [
        ("  - {subject: china, property: fooBar, object: paris, rank: deprecated, reason: x}\n", "unknown property aig:fooBar", 2),
        ("  - {subject: statement-on-inclusive-and-sustainable-ai, property: signatoryCount, value: 58, rank: preferred, reason: x}\n",
         "a rank changes nothing", 2),
        ("  - {subject: ai-action-summit, property: heldIn, object: paris, rank: preferred, reason: x}\n",
         "a preferred rank changes nothing", 2),
        ("  - {subject: ai-action-summit, property: heldIn, object: paris, rank: deprecated, reason: x}\n"
         "  - {subject: ai-action-summit, property: heldIn, object: paris, source: anadolu-61-countries-agree, rank: deprecated, reason: y}\n",
         "two decisions rank the same claim", 3),
    ],
)
def test_a_decision_that_cannot_work_is_refused(project, decisions, message, line):
    project.decisions.write_text("decisions:\n" + decisions, encoding="utf-8")
    with pytest.raises(KGError) as err:
        load(project)
    assert message in err.value.message and err.value.path == "data/decisions.yaml" and err.value.line == line


@pytest.mark.parametrize(
    "predicate, message",
    [
        ("https://w3id.org/aigov/ontology#signed", "undeclared term aig:signed"),
        ("http://example.org/name", "outside the allowed namespaces"),
    ],
)
def test_terms_outside_the_ontology_and_the_allowed_vocabularies_are_refused(project, predicate, message):
    loaded = load(project)
    loaded.accepted.add((entity_iri("china"), URIRef(predicate), Literal("x")))
    with pytest.raises(KGError, match=message):
        _check_namespaces(loaded)
