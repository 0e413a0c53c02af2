"""Result writers: SPARQL 1.1 CSV, TSV, JSON and XML, a table for people, RDF for graphs."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph
import pytest

from kg.errors import UsageError
from kg.use.formats import FORMATS, default_format, format_for_extension, render, write
from kg.use.results import Result

IRI = pyoxigraph.NamedNode("https://w3id.org/aigov/id/african-union")
LABEL = pyoxigraph.Literal('African "Union", <AU> & co', language="en")
COUNT = pyoxigraph.Literal("58", datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
SELECT = Result("select", ["x", "xLabel", "n"], [(IRI, LABEL, COUNT), (IRI, None, None)])


def test_csv_is_plain_values_and_parses_back():
    rows = list(csv.reader(io.StringIO(render(SELECT, FORMATS["csv"]))))
    assert rows == [["x", "xLabel", "n"], [IRI.value, LABEL.value, "58"], [IRI.value, "", ""]]


def test_tsv_keeps_rdf_terms():
    lines = render(SELECT, FORMATS["tsv"]).splitlines()
    assert lines[0] == "?x\t?xLabel\t?n"
    assert lines[1].split("\t") == [str(IRI), str(LABEL), str(COUNT)]


def test_json_is_sparql_results_json():
    document = json.loads(render(SELECT, FORMATS["json"]))
    assert document["head"]["vars"] == ["x", "xLabel", "n"]
    first, second = document["results"]["bindings"]
    assert first["xLabel"] == {"type": "literal", "value": LABEL.value, "xml:lang": "en"}
    assert first["n"]["datatype"].endswith("#integer") and set(second) == {"x"}


def test_xml_is_sparql_results_xml():
    root = ET.fromstring(render(SELECT, FORMATS["xml"]))
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    assert [v.get("name") for v in root.findall("s:head/s:variable", ns)] == ["x", "xLabel", "n"]
    literal = root.find("s:results/s:result/s:binding[@name='xLabel']/s:literal", ns)
    assert literal.text == LABEL.value and literal.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_table_shortens_iris_and_counts_rows():
    table = render(SELECT, FORMATS["table"])
    assert "id:african-union" in table and table.endswith("(2 rows)\n")


def test_ask_in_every_solution_format():
    yes = Result("ask", boolean=True)
    assert render(yes, FORMATS["table"]) == "yes\n"
    assert json.loads(render(yes, FORMATS["json"]))["boolean"] is True
    assert render(yes, FORMATS["csv"]).splitlines() == ["_askResult", "true"]


def test_graph_formats():
    triple = pyoxigraph.Triple(IRI, pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), LABEL)
    graph = Result("graph", triples=[triple])
    assert "id:african-union" in render(graph, FORMATS["turtle"])
    assert render(graph, FORMATS["ntriples"]).strip() == f"{triple.subject} {triple.predicate} {triple.object} ."
    with pytest.raises(UsageError):
        render(graph, FORMATS["csv"])
    with pytest.raises(UsageError):
        render(SELECT, FORMATS["turtle"])


def test_rdfxml_for_graphs_only():
    triple = pyoxigraph.Triple(IRI, pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), LABEL)
    written = render(Result("graph", triples=[triple]), FORMATS["rdfxml"])
    assert [q.triple for q in pyoxigraph.parse(written.encode("utf-8"), pyoxigraph.RdfFormat.RDF_XML)] == [triple]
    assert FORMATS["rdfxml"].media_type == "application/rdf+xml" and format_for_extension("g.rdf").name == "rdfxml"
    with pytest.raises(UsageError):
        render(SELECT, FORMATS["rdfxml"])


@pytest.mark.parametrize("predicate", ["http://example.org/p/1", "http://example.org/p/", "http://example.org/p#"])
def test_rdfxml_refuses_a_predicate_it_cannot_write(predicate):
    graph = Result("graph", triples=[pyoxigraph.Triple(IRI, pyoxigraph.NamedNode(predicate), LABEL)])
    with pytest.raises(UsageError, match="RDF/XML cannot write the predicate"):
        render(graph, FORMATS["rdfxml"])
    assert predicate in render(graph, FORMATS["ntriples"])


@pytest.mark.parametrize("name", [n for n in FORMATS if n != "table"])
def test_write_gives_the_pieces_render_joins(name):
    result = Result("graph", triples=[pyoxigraph.Triple(IRI, pyoxigraph.NamedNode("http://example.org/p"), LABEL)] * 3) if FORMATS[name].graphs else SELECT
    pieces: list[str] = []

    class Collecting(io.StringIO):
        def write(self, text: str) -> int:
            pieces.append(text)
            return super().write(text)

    write(result, FORMATS[name], Collecting())
    assert "".join(pieces) == render(result, FORMATS[name])
    assert len(pieces) > 1 or FORMATS[name].graphs  # rows one by one; a small graph is one chunk


def test_json_written_a_binding_at_a_time_is_json_dumps_of_the_whole():
    for result in (SELECT, Result("select", ["x"], []), Result("select", [], [()]), Result("select", ["x"], [(None,), (HOSTILE,)])):
        bindings = [{v: json.loads(render(Result("select", [v], [(t,)]), FORMATS["json"]))["results"]["bindings"][0][v]
                     for v, t in zip(result.variables, row) if t is not None} for row in result.rows]
        whole = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
        assert render(result, FORMATS["json"]) == json.dumps(whole, ensure_ascii=False, indent=2) + "\n"


def test_compact_json_is_the_same_document_without_indentation():
    ask = Result("ask", boolean=True)
    many = Result("select", ["n"], [(pyoxigraph.Literal(str(i)),) for i in range(600)])  # pieces of 256 rows
    for result in (SELECT, ask, Result("select", ["x"], []), Result("select", ["x"], [(None,), (HOSTILE,)]), many):
        out = io.StringIO()
        write(result, FORMATS["json"], out, compact=True)
        assert "\n" not in out.getvalue()
        assert json.loads(out.getvalue()) == json.loads(render(result, FORMATS["json"]))


def test_formats_by_extension_and_default():
    assert format_for_extension("a.SRJ").name == "json" and format_for_extension("b.nt").name == "ntriples"
    with pytest.raises(UsageError):
        format_for_extension("c.docx")
    assert default_format(SELECT, terminal=True).name == "table"
    assert default_format(SELECT, terminal=False).name == "csv"
    assert default_format(Result("graph"), terminal=True).name == "turtle"


HOSTILE = pyoxigraph.Literal("evil\x1b[2J\x1b]0;owned\x07\u202eoops\nnext\tcell\x9b")


def test_the_table_for_people_shows_control_characters_as_escapes():
    table = render(Result("select", ["x"], [(HOSTILE,)]), FORMATS["table"])
    assert "evil\\x1b[2J\\x1b]0;owned\\x07\\u202eoops next cell\\x9b" in table
    assert not any(ch in table for ch in "\x1b\x07\u202e\x9b\t")
    assert table.count("\n") == 4  # header, rule, one row, count: the value's newline is not a row


def test_data_formats_keep_values_exactly():
    result = Result("select", ["x"], [(HOSTILE,)])
    assert list(csv.reader(io.StringIO(render(result, FORMATS["csv"]))))[1] == [HOSTILE.value]
    assert render(result, FORMATS["tsv"]).splitlines()[1] == str(HOSTILE)  # N-Triples escapes, as the format says
    assert json.loads(render(result, FORMATS["json"]))["results"]["bindings"][0]["x"]["value"] == HOSTILE.value
    assert f"<literal>{HOSTILE.value}</literal>" in render(result, FORMATS["xml"])


def test_columns_for_people_show_control_characters_as_escapes():
    from kg.use.formats import columns

    assert columns([("a", "b"), ("x\x1b[31m", "\u202ey\nz")]) == "a          b\nx\\x1b[31m  \\u202ey z\n"


def test_kg_query_prints_a_safe_table_and_exact_csv(built):
    from tests.conftest import kg_cli

    query = 'SELECT ?x WHERE { BIND("evil\\u001b[2J\\u202eoops" AS ?x) }'
    table = kg_cli("query", "-e", query, "--format", "table", project=built)
    assert table.returncode == 0 and "evil\\x1b[2J\\u202eoops" in table.stdout and "\x1b" not in table.stdout
    data = kg_cli("query", "-e", query, "--format", "csv", project=built)
    assert data.returncode == 0 and data.stdout == "x\nevil\x1b[2J\u202eoops\n"  # CRLF read as text
