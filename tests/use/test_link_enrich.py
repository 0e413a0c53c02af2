"""kg link enrich against the Wikidata-shaped fixture server, the published enrichment graph,
and the saved query that joins it with the endorsements (endorsers-member-of)."""

from __future__ import annotations

import pytest

from kg.errors import KGError
from kg.use.link.enrich import enrich, read_spec
from kg.use.link.entities import expected_classes
from kg.use.link.wikidata import Endpoint
from kg.use.query import run
from kg.use.store import open_store
from tests.conftest import ROOT, edit, kg_cli, run_build

P463 = "http://www.wikidata.org/prop/direct/P463"


def test_the_declared_facts_are_pulled_with_their_provenance(linkable, wikidata_endpoint):
    counts = enrich(linkable, Endpoint(wikidata_endpoint))
    # China and the US: ISO code, continent, UN membership; Xi Jinping: his position
    assert counts == {"P297": 2, "P30": 2, "P463": 2, "P39": 1}
    text = linkable.enrichment.read_text(encoding="utf-8")
    assert 'wd:Q148 wdt:P297 "CN" ;\n\twdt:P30 wd:Q48 ;\n\twdt:P463 wd:Q1065 .' in text
    assert "pav:retrievedFrom <" + wikidata_endpoint + ">" in text and "pav:retrievedOn" in text
    assert '"Asia"@en' in text  # item values come with their English label
    assert "Q900000001" not in text  # only linked items are asked about


def test_membership_is_limited_to_the_graphs_own_blocs_and_organizations(linkable, wikidata_endpoint):
    enrich(linkable, Endpoint(wikidata_endpoint))
    assert run_build(linkable).returncode == 0
    store = open_store(linkable)
    members = run("endorsers-member-of", {"organization": "UN"}, project=linkable, store=store).records()
    assert {(r["nationLabel"], r["organizationLabel"]) for r in members} == {("China", "United Nations")}
    assert any((r["quote"] or "").startswith("A total of 58 nations, including China") for r in members)
    assert len({r["source"] for r in members}) == len(members) >= 8  # every source of China's endorsement
    assert run("endorsers-member-of", {}, project=linkable, store=store).records() == []  # not an AU member in the fixture
    graph = "https://w3id.org/aigov/graph/wikidata"
    answer = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s <{P463}> ?o }} }}")
    assert int(next(answer)["n"].value) == 2
    assert int(next(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{P463}> ?o }}"))["n"].value) == 0  # kept apart from the default graph


def test_the_cli_reports_what_it_pulled(linkable, wikidata_endpoint):
    result = kg_cli("link", "enrich", "--endpoint", wikidata_endpoint, project=linkable)
    assert result.returncode == 0, result.stderr
    assert "pulled P297: 2, P30: 2, P39: 1, P463: 2" in result.stdout


def test_the_shipped_enrichment_is_empty_and_says_why():
    text = (ROOT / "data" / "wikidata" / "enrichment.ttl").read_text(encoding="utf-8")
    assert "No retrieval has run yet" in text and "wdt:P297 " not in text.replace("void:property wdt:P297", "")


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("Nation\tP297\t", "Nation\tP2970\t", "'P2970' is not a property on data/wikidata/verified-ids.tsv"),
        ("Nation\tP297\t", "Country\tP297\t", "unknown class aig:Country"),
        ("\tlinked Bloc,InternationalOrganization", "\tlinked Blocs", "is not literal, item, or linked"),
        ("\tliteral\n", "\tstring\n", "is not literal, item, or linked"),
    ],
)
def test_a_bad_declaration_is_refused_with_its_line(linkable, old, new, message):
    edit(linkable.enrich_spec, old, new)
    with pytest.raises(KGError, match=message) as caught:
        read_spec(linkable, set(expected_classes(open_store(linkable))))
    assert caught.value.line is not None and caught.value.path.endswith("enrich.tsv")
