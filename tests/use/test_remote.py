"""`kg query --endpoint` over HTTP (kg.use.remote), against a real Oxigraph server on loopback."""

import socket
import threading

import pytest

from kg.errors import KGError
from kg.use.push import push_dataset
from kg.use.query import QueryText, run, saved
from kg.use.params import bind
from kg.use.remote import execute_remote, retry_after
from kg.use.sparqltext import with_values
from kg.use.store import dataset_file, graph_files


@pytest.fixture
def endpoint(oxigraph_server, built):
    """Oxigraph server holding the dataset as kg push lays it out: the accepted graph in the
    default graph, each source's claims in its own named graph."""
    push_dataset(graph_files(built), dataset_file(built), f"{oxigraph_server}/store")
    return f"{oxigraph_server}/query"


def records(result):
    return sorted(map(lambda r: tuple(sorted(r.items(), key=lambda kv: kv[0])), result.records()), key=repr)


@pytest.mark.parametrize("name", ["signatories", "declined", "entity-facts", "unlinked-entities", "signatory-counts", "disagreements", "sources",
                                  "summits", "nation-positions", "signed-not-signed", "pledges-of-summit", "summit-series",
                                  "summit-location", "representatives"])
def test_saved_queries_give_the_same_rows_remotely(endpoint, built, store, name):
    local = run(name, project=built, store=store)
    query = saved(built, name)

    def lookup(text, terms):
        return execute_remote(endpoint, QueryText(text, "<lookup>"), terms)

    remote = execute_remote(endpoint, query, bind(query.saved, {}, lookup))
    assert remote.variables == local.variables
    assert records(remote) == records(local)
    assert remote.rows


@pytest.fixture
def union_store(built):
    """Oxigraph server whose default graph is the union of every graph, as Virtuoso's is: the
    accepted graph is pushed into a named graph of its own."""
    from tests.conftest import start_oxigraph

    process, base = start_oxigraph("--union-default-graph")
    try:
        push_dataset(graph_files(built), dataset_file(built), f"{base}/store", graph="https://w3id.org/aigov/graph/accepted")
        yield f"{base}/query"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("name", ["entity-facts", "signatories", "signatory-counts", "declined", "nation-positions"])
def test_on_a_union_default_graph_the_dataset_is_named_in_the_request(union_store, built, store, name):
    local = run(name, project=built, store=store)
    query = saved(built, name)
    sources = tuple(sorted(g.value for g in store.named_graphs()))
    dataset = {"default_graphs": ("https://w3id.org/aigov/graph/accepted",), "named_graphs": sources}

    def lookup(text, terms):
        return execute_remote(union_store, QueryText(text, "<lookup>"), terms, **dataset)

    named = execute_remote(union_store, query, bind(query.saved, {}, lookup), **dataset)
    assert records(named) == records(local)
    if name == "entity-facts":  # without it, each piece of evidence is met in two graphs: rows come twice and more
        plain = execute_remote(union_store, query, bind(query.saved, {}, lookup))
        assert len(plain.rows) > len(local.rows)


def test_entity_parameters_resolve_by_label_on_the_endpoint(endpoint, built):
    query = saved(built, "signatories")

    def lookup(text, terms):
        return execute_remote(endpoint, QueryText(text, "<lookup>"), terms)

    terms = bind(query.saved, {"pledge": "pledge for inclusive AI"}, lookup)
    labels = {r["partyLabel"] for r in execute_remote(endpoint, query, terms).records() if r["kind"] == "bloc"}
    assert labels == {"European Union", "African Union"}


def test_values_binding_keeps_a_hostile_value_a_value():
    import pyoxigraph

    attack = 'a" } } ; DROP ALL ; SELECT * { "'
    text = with_values("SELECT ?x ?n WHERE { BIND (1 AS ?n) }", {"x": pyoxigraph.Literal(attack)})
    (row,) = list(pyoxigraph.Store().query(text))
    assert row["x"] == pyoxigraph.Literal(attack) and row["n"].value == "1"


def test_values_go_into_the_top_level_where_group():
    import pyoxigraph

    sub = "SELECT ?x ?y WHERE { BIND (2 AS ?y) { SELECT ?z WHERE { BIND (3 AS ?z) } } }"
    (row,) = list(pyoxigraph.Store().query(with_values(sub, {"x": pyoxigraph.Literal("1")})))
    assert row["x"].value == "1" and row["y"].value == "2"
    construct = "CONSTRUCT { <urn:s> <urn:p> ?x } { BIND (3 AS ?y) }"
    (triple,) = list(pyoxigraph.Store().query(with_values(construct, {"x": pyoxigraph.Literal("1")})))
    assert triple.object.value == "1"


def test_ask_and_construct(endpoint):
    assert execute_remote(endpoint, QueryText("ASK { ?s a <https://w3id.org/aigov/ontology#Bloc> }", "<-e>")).boolean is True
    graph = execute_remote(endpoint, QueryText("CONSTRUCT { ?s a ?c } WHERE { ?s a <https://w3id.org/aigov/ontology#Bloc> ; a ?c }", "<-e>"))
    assert graph.kind == "graph" and len(graph.triples) == 4  # two blocs, each a Bloc and a NamedIndividual


def test_a_bad_query_reports_the_servers_message(endpoint):
    with pytest.raises(KGError) as err:
        execute_remote(endpoint, QueryText("SELECT * WHERE { ?s ?p }", "<-e>"))
    assert "HTTP 400" in err.value.message and "error at 1:25" in err.value.message


def test_a_wrong_path_is_a_404_with_a_hint(oxigraph_server):
    with pytest.raises(KGError) as err:
        execute_remote(f"{oxigraph_server}/nope", QueryText("ASK {}", "<-e>"))
    assert "HTTP 404" in err.value.message and "/query" in err.value.hint


def test_nobody_listening():
    from tests.conftest import free_port

    with pytest.raises(KGError, match="cannot reach"):
        execute_remote(f"http://127.0.0.1:{free_port()}/query", QueryText("ASK {}", "<-e>"))


def test_a_server_that_never_answers_times_out():
    """A loopback socket that accepts and stays silent: the network condition, not a fake server."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True)
    thread.start()
    try:
        with pytest.raises(KGError, match="did not answer within 1 s"):
            execute_remote(f"http://127.0.0.1:{listener.getsockname()[1]}/query", QueryText("ASK {}", "<-e>"), timeout=1)
    finally:
        listener.close()
        for connection, _ in accepted:
            connection.close()


@pytest.mark.parametrize(
    "header, expected",
    [("7", 7.0), (" 12 ", 12.0), ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0), ("soon", None), (None, None)],
)
def test_retry_after_reads_seconds_and_http_dates(header, expected):
    from email.utils import parsedate_to_datetime

    now = parsedate_to_datetime("Wed, 21 Oct 2015 07:28:00 GMT").timestamp()
    assert retry_after(header, now=now) == expected


def test_deeply_nested_queries_are_refused_before_the_request():
    with pytest.raises(KGError, match="nests more than"):
        execute_remote("http://127.0.0.1:9/query", QueryText("SELECT * WHERE " + "{" * 3000 + "}" * 3000, "<-e>"))


def test_words_of_the_comments_never_make_a_query_an_update(endpoint):
    """SPARQLWrapper reads 'dropped' in a comment as DROP and would send the query as an update."""
    text = "# rows are never dropped\n# nor added\n# the address\nSELECT (1 AS ?one) WHERE {}"
    result = execute_remote(endpoint, QueryText(text, "<test>"))
    assert result.records() == [{"one": 1}]
