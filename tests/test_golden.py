"""Every saved query against its golden result (see tests/golden_results.py)."""

import pytest

from kg.formats import FORMATS, render
from kg.query import run
from kg.savedquery import saved_queries
from tests.conftest import ROOT
from tests.golden_results import cases, is_ordered

CASES = cases()


def rows(tsv: str) -> list[str]:
    return tsv.splitlines()


def test_every_saved_query_has_a_golden_case():
    covered = {name for name, _, _ in CASES}
    assert {q.name for q in saved_queries(ROOT / "queries")} <= covered
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
