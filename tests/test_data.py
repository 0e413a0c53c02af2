"""What the graph says about the first article, checked against its own words.

Each test asks the built graph a question the article answers and compares with what the
article states; the evidence quotes are checked against the source in test_evidence.py.
"""

import pytest

PREFIXES = """
PREFIX aig: <https://w3id.org/aigov/ontology#>
PREFIX id: <https://w3id.org/aigov/id/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX wd: <http://www.wikidata.org/entity/>
"""


def values(store, query):
    """The rows of a SELECT as tuples of plain values."""
    return {tuple(term.value for term in row) for row in store.query(PREFIXES + query)}


def ids(rows):
    return {r[0].rsplit("/", 1)[1] if isinstance(r, tuple) else r for r in rows}


def test_the_summit_was_held_in_paris(store):
    assert values(store, "SELECT ?p WHERE { id:ai-action-summit a aig:Summit ; aig:heldIn ?p }") == {("https://w3id.org/aigov/id/paris",)}


def test_endorsers_named_and_reported_count(store):
    endorsers = values(store, "SELECT ?x WHERE { ?x aig:endorsed id:statement-on-inclusive-and-sustainable-ai }")
    assert ids(endorsers) == {"china", "european-union", "african-union"}
    blocs = values(store, "SELECT ?x WHERE { ?x a aig:Bloc ; aig:endorsed id:statement-on-inclusive-and-sustainable-ai }")
    assert ids(blocs) == {"european-union", "african-union"}
    assert values(store, "SELECT ?n WHERE { id:statement-on-inclusive-and-sustainable-ai aig:endorsingNationCount ?n }") == {("58",)}


def test_the_statement_goes_by_each_name_the_article_gives(store):
    names = {r[0] for r in values(store, "SELECT ?n WHERE { id:statement-on-inclusive-and-sustainable-ai rdfs:label|<http://www.w3.org/2004/02/skos/core#altLabel> ?n }")}
    assert {"Statement on Inclusive and Sustainable AI", "pledge for inclusive AI"} <= names


def test_the_us_declined_with_its_stance(store):
    assert ids(values(store, "SELECT ?x WHERE { ?x aig:declinedToEndorse ?p }")) == {"united-states"}
    assert values(store, "SELECT ?l WHERE { id:united-states aig:hasStance/rdfs:label ?l }") == {("America first",)}
    assert values(store, "SELECT ?e WHERE { id:united-states aig:emphasized ?e }") == {("priorities in protecting American AI technologies",)}


def test_global_ai_governance_initiative(store):
    rows = values(store, "SELECT ?who ?year WHERE { id:global-ai-governance-initiative aig:proposedBy ?who ; aig:proposedInYear ?year }")
    assert rows == {("https://w3id.org/aigov/id/xi-jinping", "2023")}
    assert values(store, "SELECT ?e WHERE { id:global-ai-governance-initiative aig:gainedProminenceAt ?e }") == {("https://w3id.org/aigov/id/ai-action-summit",)}
    (aim,) = values(store, "SELECT ?a WHERE { id:global-ai-governance-initiative aig:aimsTo ?a }")
    assert "governance frameworks for AI" in aim[0]


def test_who_represented_whom_in_what_office(store):
    rows = values(store, """SELECT ?office ?whom WHERE {
        id:zhang-guoqing aig:represented ?whom ; aig:holdsOffice/rdfs:label ?office ; aig:participatedIn id:ai-action-summit }""")
    assert rows == {("Vice-Premier of China", "https://w3id.org/aigov/id/xi-jinping")}
    emphasised = {r[0] for r in values(store, "SELECT ?e WHERE { id:zhang-guoqing aig:emphasized ?e }")}
    assert "international collaboration" in emphasised
    assert any("responsibly and inclusively" in e for e in emphasised)


def test_un_resolutions_keep_over_140_as_a_lower_bound(store):
    rows = values(store, """SELECT ?n ?leader ?forum WHERE { ?r a aig:Resolution ;
        aig:supportingNationCountExceeds ?n ; aig:ledBy ?leader ; aig:forum ?forum }""")
    assert rows == {("140", "https://w3id.org/aigov/id/china", "https://w3id.org/aigov/id/united-nations")}
    assert not values(store, "SELECT ?r WHERE { ?r aig:endorsingNationCount 140 }")


def test_deepseek_and_its_unnamed_model(store):
    assert values(store, "SELECT ?c WHERE { id:deepseek a aig:Company ; aig:country ?c ; aig:gainedProminenceAt id:ai-action-summit }") == {("https://w3id.org/aigov/id/china",)}
    # the article says the summit witnessed DeepSeek's emergence, not that DeepSeek took part
    assert not values(store, "SELECT ?e WHERE { id:deepseek aig:participatedIn ?e }")
    assert values(store, "SELECT ?o WHERE { ?m a aig:AIModel ; aig:developedBy id:deepseek ; aig:openSource ?o }") == {("true",)}


def test_the_secretary_general_and_his_warning(store):
    rows = values(store, "SELECT ?w WHERE { id:antonio-guterres aig:holdsOffice id:un-secretary-general ; aig:warnedAgainst ?w }")
    assert rows == {("an AI landscape that creates divides between nations",)}
    assert values(store, "SELECT ?c WHERE { id:united-nations aig:calledFor ?c }") == {("efforts to prevent disparities in AI access",)}


def test_unnamed_groups_make_claims_not_facts(store):
    claimants = values(store, "SELECT ?g WHERE { ?g a aig:UnnamedGroup ; aig:claimed ?c }")
    assert ids(claimants) == {"analysts", "experts", "global-leaders"}


def test_china_aims_that_developing_nations_benefit(store):
    assert values(store, "SELECT ?x WHERE { id:china aig:aimsToBenefit ?x }") == {("https://w3id.org/aigov/id/developing-nations",)}


def test_the_global_south_is_whose_aspirations_the_resolutions_match(store):
    rows = values(store, "SELECT ?r WHERE { ?r aig:alignsWithAspirationsOf id:global-south }")
    assert ids(rows) == {"china-led-un-resolutions-on-ai-capacity-building"}


@pytest.mark.parametrize(
    "entity, qid",
    [("china", "Q148"), ("united-states", "Q30"), ("european-union", "Q458"), ("african-union", "Q7159"),
     ("paris", "Q90"), ("united-nations", "Q1065"), ("xi-jinping", "Q15031"), ("antonio-guterres", "Q311440"),
     ("un-secretary-general", "Q81066")],
)
def test_verified_wikidata_links(store, entity, qid):
    assert values(store, f"SELECT ?q WHERE {{ id:{entity} owl:sameAs ?q }}") == {(f"http://www.wikidata.org/entity/{qid}",)}


def test_nothing_the_article_does_not_state(store):
    """No date, no host country: the article gives neither."""
    assert not values(store, "SELECT ?o WHERE { id:ai-action-summit ?p ?o . FILTER (DATATYPE(?o) IN (<http://www.w3.org/2001/XMLSchema#date>, <http://www.w3.org/2001/XMLSchema#dateTime>)) }")
    assert not values(store, "SELECT ?x WHERE { ?x rdfs:label \"France\"@en }")
