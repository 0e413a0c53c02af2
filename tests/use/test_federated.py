"""The federated saved queries (queries/federated/): run by kg query with their SERVICE
pointed at the Wikidata-shaped fixture server instead of the Wikidata Query Service."""

from __future__ import annotations

import csv
import io

import pytest

from kg.use.savedquery import saved_queries
from kg.use.sparqltext import redirect_services
from tests.conftest import ROOT, kg_cli

WDQS = "https://query.wikidata.org/sparql"
FEDERATED = [q for q in saved_queries(ROOT / "queries") if q.group == "federated"]


def test_each_federated_query_declares_that_it_needs_the_network():
    assert len(FEDERATED) >= 2
    for query in FEDERATED:
        assert query.network_required, query.name
        assert f"SERVICE <{WDQS}>" in query.text


def rows(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output)))


@pytest.mark.parametrize(
    "name, column, expected",
    [("federated/endorsing-nations-population", "population", "1000000"), ("federated/endorsing-nations-continent", "continentLabel", "Asia")],
)
def test_runs_against_the_fixture_through_service(built, wikidata_endpoint, name, column, expected):
    result = kg_cli("query", name, "--service", f"{WDQS}={wikidata_endpoint}", "--format", "csv", project=built)
    assert result.returncode == 0, result.stderr
    (row,) = rows(result.stdout)  # China: the one nation the source names as endorsing
    assert row["nationLabel"] == "China" and row["item"] == "http://www.wikidata.org/entity/Q148"
    assert row[column] == expected


def test_redirect_touches_only_service_clauses():
    text = f'# SERVICE <{WDQS}>\nSELECT * {{ SERVICE <{WDQS}> {{ ?s ?p "<{WDQS}>" }} SERVICE SILENT <http://other/> {{}} }}'
    out = redirect_services(text, {WDQS: "http://127.0.0.1:1/query"})
    assert out.count("http://127.0.0.1:1/query") == 1 and out.count(WDQS) == 2


def test_a_malformed_service_option_is_a_usage_error(built):
    result = kg_cli("query", "federated/endorsing-nations-population", "--service", "wikidata", project=built)
    assert result.returncode == 2 and "is not FROM=TO" in result.stderr
