"""What the dataset says, checked against what its sources state.

The first part asks the article's own graph (its claims) what the article states; the second
asks the accepted graph what every source together gives, by the acceptance rules; the third
checks the cited sources as a set. Quotes are checked against the text in test_evidence.py, and
every cited claim was checked against its page by a reviewer (README.md says how).
"""

import pytest

PREFIXES = """
PREFIX aig: <https://w3id.org/aigov/ontology#>
PREFIX id: <https://w3id.org/aigov/id/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX wd: <http://www.wikidata.org/entity/>
"""
ARTICLE = "<https://w3id.org/aigov/graph/source/asianews-china-paris-ai-summit>"
STATEMENT = "https://w3id.org/aigov/id/statement-on-inclusive-and-sustainable-ai"


def values(store, query):
    """The rows of a SELECT as tuples of plain values."""
    return {tuple(term.value for term in row) for row in store.query(PREFIXES + query)}


def ids(rows):
    return {r[0].rsplit("/", 1)[1] if isinstance(r, tuple) else r for r in rows}


def article(store, pattern, select="?o"):
    """Values the article claims: ``pattern`` over ?claim ?s ?p ?o in the article's graph."""
    return values(store, f"""SELECT {select} WHERE {{ GRAPH {ARTICLE} {{
        ?claim aig:claimSubject ?s ; aig:claimProperty ?p . {{ ?claim aig:claimObject ?o }} UNION {{ ?claim aig:claimValue ?o }}
        {pattern} }} }}""")


# --- the article's claims -----------------------------------------------------------------


def test_the_article_says_the_summit_was_held_in_paris(store):
    assert article(store, "FILTER (?s = id:ai-action-summit && ?p = aig:heldIn)") == {("https://w3id.org/aigov/id/paris",)}


def test_the_article_names_three_endorsers_and_counts_58_nations(store):
    assert ids(article(store, f"FILTER (?p = aig:endorsed && ?o = <{STATEMENT}>)", "?s")) == {"china", "european-union", "african-union"}
    rows = values(store, f"""SELECT ?n ?counted ?bound WHERE {{ GRAPH {ARTICLE} {{ ?c aig:claimSubject <{STATEMENT}> ;
        aig:claimProperty aig:signatoryCount ; aig:claimValue ?n ; aig:counted ?counted ; aig:bound ?bound }} }}""")
    assert rows == {("58", "https://w3id.org/aigov/ontology#CountOfNations", "https://w3id.org/aigov/ontology#Exactly")}


def test_the_article_uses_its_own_name_for_the_statement_and_not_others(store):
    names = {r[0] for r in article(store, f"FILTER (?s = <{STATEMENT}> && ?p = skos:altLabel)")}
    assert names == {"pledge for inclusive AI"}


def test_the_article_says_the_us_declined_and_gives_its_reasons(store):
    assert ids(article(store, "FILTER (?p = aig:declinedToEndorse)", "?s")) == {"united-states"}
    reasons = {r[0] for r in article(store, "FILTER (?s = id:united-states && ?p = aig:declineReason)")}
    assert reasons == {"priorities in protecting American AI technologies", "a focus on its own technological supremacy"}


def test_global_ai_governance_initiative(store):
    assert article(store, "FILTER (?s = id:global-ai-governance-initiative && ?p = aig:proposedBy)") == {("https://w3id.org/aigov/id/xi-jinping",)}
    assert article(store, "FILTER (?s = id:global-ai-governance-initiative && ?p = aig:proposedInYear)") == {("2023",)}


def test_who_represented_whom_in_what_office(store):
    rows = values(store, """SELECT ?office ?whom WHERE {
        id:zhang-guoqing aig:represented ?whom ; aig:holdsOffice/rdfs:label ?office ; aig:participatedIn id:ai-action-summit }""")
    assert rows == {("Vice-Premier of China", "https://w3id.org/aigov/id/xi-jinping")}
    emphasised = {r[0] for r in article(store, "FILTER (?s = id:zhang-guoqing && ?p = aig:emphasized)")}
    assert "international collaboration" in emphasised
    assert any("responsibly and inclusively" in e for e in emphasised)


def test_un_resolutions_keep_over_140_as_a_lower_bound(store):
    rows = values(store, f"""SELECT ?n ?bound WHERE {{ GRAPH {ARTICLE} {{ ?c aig:claimProperty aig:supporterCount ;
        aig:claimValue ?n ; aig:bound ?bound }} }}""")
    assert rows == {("140", "https://w3id.org/aigov/ontology#MoreThan")}


def test_deepseek_and_its_unnamed_model(store):
    assert article(store, "FILTER (?s = id:deepseek && ?p = aig:country)") == {("https://w3id.org/aigov/id/china",)}
    # the article says the summit witnessed DeepSeek's emergence, not that DeepSeek took part
    assert not article(store, "FILTER (?s = id:deepseek && ?p = aig:participatedIn)")


def test_the_secretary_general_and_his_warning(store):
    assert article(store, "FILTER (?s = id:antonio-guterres && ?p = aig:warnedAgainst)") == {("an AI landscape that creates divides between nations",)}
    assert article(store, "FILTER (?s = id:united-nations && ?p = aig:calledFor)") == {("efforts to prevent disparities in AI access",)}


def test_unnamed_groups_belong_to_the_article(store):
    claimants = {r[0] for r in article(store, "FILTER (?p = aig:claimed)", "?s")}
    base = "https://w3id.org/aigov/id/asianews-china-paris-ai-summit/"
    assert claimants == {base + "analysts", base + "experts", base + "global-leaders"}
    (leaders,) = article(store, f"FILTER (?s = <{base}global-leaders> && ?p = aig:claimed)")
    assert "reinforcing" not in leaders[0]  # the article's own gloss is its assessment, recorded apart


def test_the_articles_assessments_are_recorded_one_way(store):
    """Each assessment the article makes is its characterisation of what it assesses; none is
    stated twice, nor as the source's claim about itself, nor as a fact."""
    assert not article(store, "FILTER (?s = id:asianews-china-paris-ai-summit)", "?p")
    assessed = ids(article(store, "FILTER (?p = aig:characterizedAs)", "?s"))
    assert {"china", "global-ai-governance-initiative", "deepseek", "antonio-guterres"} <= assessed
    for absent in ("gainedProminenceAt", "alignsWithAspirationsOf", "aimsToBenefit"):
        assert not article(store, f"FILTER (?p = aig:{absent})", "?s")
    china_aims = {r[0] for r in article(store, "FILTER (?s = id:china && ?p = aig:aimsTo)")}
    assert not china_aims  # the closing summary is the article's view of China, not China's stated aim


# --- the accepted graph, from every source ---------------------------------------------------


def test_the_accepted_endorsers_are_every_party_a_source_names(store):
    endorsers = ids(values(store, f"SELECT ?x WHERE {{ ?x aig:endorsed <{STATEMENT}> }}"))
    assert {"china", "france", "india", "european-union", "african-union", "african-union-commission", "holy-see", "canada"} <= endorsers
    assert not {"united-states", "united-kingdom"} & endorsers


def test_the_accepted_decliners_and_no_count(store):
    declined = values(store, "SELECT ?x ?p WHERE { ?x aig:declinedToEndorse ?p }")
    assert {(x.rsplit("/", 1)[1], p.rsplit("/", 1)[1]) for x, p in declined} == {
        ("united-states", "statement-on-inclusive-and-sustainable-ai"), ("united-kingdom", "statement-on-inclusive-and-sustainable-ai"),
        ("china", "seoul-ministerial-statement")}
    assert not values(store, "SELECT ?n WHERE { ?pledge aig:signatoryCount ?n }")  # counts are observations


def test_the_summit_dates_venue_and_chairs(store):
    assert values(store, "SELECT ?s ?e WHERE { id:ai-action-summit aig:startDate ?s ; aig:endDate ?e }") == {("2025-02-10", "2025-02-11")}
    assert values(store, "SELECT ?v WHERE { id:ai-action-summit aig:venue ?v }") == {("https://w3id.org/aigov/id/grand-palais",)}
    assert {"france", "india"} <= ids(values(store, "SELECT ?c WHERE { id:ai-action-summit aig:coChairedBy ?c }"))


def test_the_holy_see_and_the_au_commission_are_not_nations(store):
    nations = ids(values(store, "SELECT ?x WHERE { ?x a aig:Nation }"))
    assert "holy-see" not in nations and "african-union-commission" not in nations and "african-union" not in nations


@pytest.mark.parametrize(
    "entity, qid",
    [("china", "Q148"), ("united-states", "Q30"), ("european-union", "Q458"), ("african-union", "Q7159"),
     ("paris", "Q90"), ("united-nations", "Q1065"), ("xi-jinping", "Q15031"), ("antonio-guterres", "Q311440"),
     ("un-secretary-general", "Q81066"), ("united-kingdom", "Q145"), ("france", "Q142"), ("india", "Q668")],
)
def test_verified_wikidata_links(store, entity, qid):
    assert values(store, f"SELECT ?q WHERE {{ id:{entity} owl:sameAs ?q }}") == {(f"http://www.wikidata.org/entity/{qid}",)}


# --- the cited sources ---------------------------------------------------------------------------


def test_at_least_eight_cited_sources_and_four_different_counts(store):
    cited = values(store, "SELECT ?s WHERE { ?s a aig:CitedSource }")
    assert len(cited) >= 8
    counts = values(store, f"SELECT DISTINCT ?n WHERE {{ GRAPH ?g {{ ?c aig:claimSubject <{STATEMENT}> ; aig:claimProperty aig:signatoryCount ; aig:claimValue ?n }} }}")
    assert len(counts) >= 4


def test_cited_evidence_is_a_locator_never_a_quote(store):
    quoted = values(store, "SELECT ?e WHERE { GRAPH ?g { ?e a aig:CitedEvidence ; <http://www.w3.org/ns/oa#hasSelector> ?s } }")
    assert not quoted
    assert values(store, "SELECT ?e WHERE { GRAPH ?g { ?e a aig:CitedEvidence ; aig:locator ?l } } LIMIT 1")


def test_every_cited_source_gives_its_page_and_reading_date(store):
    rows = values(store, "SELECT ?s ?url ?read WHERE { ?s a aig:CitedSource ; <http://schema.org/url> ?url ; <http://purl.org/pav/retrievedOn> ?read }")
    assert len(rows) == len(values(store, "SELECT ?s WHERE { ?s a aig:CitedSource }"))
    assert all(url.startswith(("https://", "http://")) for _, url, _ in rows)
