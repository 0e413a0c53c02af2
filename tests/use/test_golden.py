"""Every saved query against its golden result (see tests/golden_results.py)."""

import pytest

from kg.use.formats import FORMATS, render
from kg.use.query import run
from kg.use.savedquery import saved_queries
from tests.conftest import ROOT
from tests.golden_results import cases, is_ordered

CASES = cases()


def rows(tsv: str) -> list[str]:
    return tsv.splitlines()


def test_every_saved_query_has_a_golden_case():
    covered = {name for name, _, _ in CASES}
    offline = {q.name for q in saved_queries(ROOT / "queries") if not q.network_required}
    assert offline <= covered  # federated queries need the network: tests/test_federated.py
    assert all(expected.is_file() for _, _, expected in CASES)


@pytest.mark.parametrize(
    "name, params, expected",
    CASES,
    ids=[expected.stem for _, _, expected in CASES],
)
def test_golden(built, store, name, params, expected):
    result = run(name, params, project=built, store=store)
    got, want = rows(render(result, FORMATS["tsv"])), rows(expected.read_text(encoding="utf-8"))
    assert got[0] == want[0], "columns differ"
    if is_ordered((ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8")):
        assert got[1:] == want[1:]
    else:
        assert sorted(got[1:]) == sorted(want[1:])


@pytest.mark.parametrize("name, params, expected", CASES, ids=[expected.stem for _, _, expected in CASES])
def test_entity_columns_are_followed_by_their_label(name, params, expected):
    """The convention kg ask relies on: an entity column ?x is followed by ?xLabel."""
    lines = expected.read_text(encoding="utf-8").splitlines()
    columns = [c.lstrip("?") for c in lines[0].split("\t")]
    for index, column in enumerate(columns):
        values = [v for v in (line.split("\t")[index] for line in lines[1:]) if v]
        is_entity = bool(values) and all(v.startswith("<https://w3id.org/aigov/id/") for v in values)
        if is_entity and column != "source":  # ?source is evidence: the source document itself
            assert columns[index + 1 : index + 2] == [f"{column}Label"], f"{name}: ?{column} is not followed by ?{column}Label"
