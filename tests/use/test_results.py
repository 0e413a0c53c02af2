from decimal import Decimal

import pyoxigraph
import pytest

from kg.use.query import run
from kg.use.results import Result, python_value

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize(
    "term, value",
    [
        (pyoxigraph.NamedNode("https://w3id.org/aigov/id/china"), "https://w3id.org/aigov/id/china"),
        (pyoxigraph.Literal("58", datatype=pyoxigraph.NamedNode(XSD + "nonNegativeInteger")), 58),
        (pyoxigraph.Literal("1.5", datatype=pyoxigraph.NamedNode(XSD + "decimal")), Decimal("1.5")),
        (pyoxigraph.Literal("true", datatype=pyoxigraph.NamedNode(XSD + "boolean")), True),
        (pyoxigraph.Literal("China", language="en"), "China"),
        (None, None),
    ],
)
def test_python_values(term, value):
    assert python_value(term) == value


def test_records_from_python(built, store):
    records = run("signatory-counts", project=built, store=store).records()
    assert {58, 61, 64} <= {r["value"] for r in records}
    assert all(isinstance(r["value"], int) for r in records)


def test_dataframe_when_pandas_is_installed(built, store):
    result = run("wikidata-links", project=built, store=store)
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install pandas"):
            result.to_dataframe()
        return
    frame = result.to_dataframe()
    assert list(frame.columns) == ["entity", "entityLabel", "wikidata"] and len(frame) == 12


def test_repr():
    assert repr(Result("ask", boolean=False)) == "Result(ask, False)"


def test_the_package_gives_the_queries_from_python(built, monkeypatch):
    import kg

    monkeypatch.chdir(built.root)
    assert {r["partyLabel"] for r in kg.run("signatories", {"pledge": "pledge for inclusive AI"}).records() if r["kind"] == "bloc"} == {
        "African Union",
        "European Union",
    }
    names = [q.name for q in kg.queries()]
    assert "signatories" in names and not any(n.startswith("qc/") for n in names)
    assert any(q.name.startswith("qc/") for q in kg.queries(include_subfolders=True))
    with pytest.raises(AttributeError):
        getattr(kg, "nothing")


def test_an_empty_store_given_is_used_not_replaced(built):
    assert run("entities", project=built, store=pyoxigraph.Store()).rows == []
