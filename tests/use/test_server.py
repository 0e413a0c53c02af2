"""kg serve, tested as users and attackers would: a real server process on 127.0.0.1, queried
with SPARQLWrapper and plain HTTP, fuzzed from its OpenAPI document by schemathesis, loaded by
50 clients at once, and its page run in headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from kg.use.query import run
from kg.use.savedquery import saved_queries
from tests.conftest import ROOT, start_kg_serve, stop

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
QUERIES = [q for q in saved_queries(ROOT / "queries") if not q.group and not q.network_required]


@pytest.fixture(scope="module")
def server(built):
    process, url = start_kg_serve(built, "--workers", "3", "--timeout", "20")
    yield url
    stop(process)


@pytest.fixture(scope="module")
def strict(built, wikidata_endpoint):
    """A server with a short time limit, two workers, and one SERVICE endpoint allowed."""
    process, url = start_kg_serve(built, "--workers", "2", "--timeout", "3", "--allow-service", wikidata_endpoint, "--max-rows", "50")
    yield url
    stop(process)


def http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None):
    """(status, headers, body) of one request; error statuses are returned, not raised."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def sparql(base: str, query: str, accept: str = "application/sparql-results+json", method: str = "POST"):
    if method == "GET":
        return http(f"{base}sparql?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept})
    return http(f"{base}sparql", urllib.parse.urlencode({"query": query}).encode(), {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})


def triples_in(base: str) -> int:
    status, _, body = sparql(base, COUNT)
    assert status == 200
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


# -- the SPARQL 1.1 Protocol, through SPARQLWrapper ---------------------------------------------
@pytest.fixture(scope="module")
def listing(server):
    """The saved queries as GET /api/queries lists them (SPARQL with defaults bound)."""
    return {q["name"]: q for q in json.loads(http(f"{server}api/queries")[2])}


@pytest.mark.parametrize("fmt", ["JSON", "XML", "CSV", "TSV"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_select_in_every_format_with_sparqlwrapper(server, listing, fmt, method):
    import SPARQLWrapper as sw

    client = sw.SPARQLWrapper(f"{server}sparql")
    client.setQuery(listing["signatories"]["sparql"])
    client.setMethod(getattr(sw, method))
    client.setReturnFormat(getattr(sw, fmt))
    result = client.query()
    assert result.response.status == 200
    converted = result.convert()
    if fmt == "JSON":
        labels = [row["partyLabel"]["value"] for row in converted["results"]["bindings"]]
    elif fmt == "XML":
        labels = [node.firstChild.firstChild.data for node in converted.getElementsByTagName("binding") if node.getAttribute("name") == "partyLabel"]
    else:
        text = converted.decode() if isinstance(converted, bytes) else converted
        cells = [line.split("," if fmt == "CSV" else "\t")[1] for line in text.splitlines()[1:]]
        labels = cells if fmt == "CSV" else [c.removesuffix("@en").strip('"') for c in cells]  # TSV: terms in N-Triples syntax
    assert {"African Union", "European Union", "China", "France"} <= set(labels) and labels == sorted(labels)


@pytest.mark.parametrize("fmt", ["JSON", "XML"])
def test_ask_with_sparqlwrapper(server, fmt):
    import SPARQLWrapper as sw

    client = sw.SPARQLWrapper(f"{server}sparql")
    client.setQuery("ASK { ?s ?p ?o }")
    client.setReturnFormat(getattr(sw, fmt))
    converted = client.query().convert()
    if fmt == "JSON":
        assert converted["boolean"] is True
    else:
        assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("fmt, media", [("TURTLE", "text/turtle"), ("JSONLD", "application/ld+json")])
def test_construct_with_sparqlwrapper(server, fmt, media):
    import SPARQLWrapper as sw

    client = sw.SPARQLWrapper(f"{server}sparql")
    client.setQuery("CONSTRUCT { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 5")
    client.setReturnFormat(getattr(sw, fmt))
    result = client.query()
    assert result.response.headers["Content-Type"].startswith(media)
    graph = result.convert()
    assert len(graph) == 5 if not isinstance(graph, (bytes, str)) else len(graph) > 0


def test_ntriples_and_describe(server):
    status, headers, body = sparql(server, "DESCRIBE <https://w3id.org/aigov/id/china>", accept="application/n-triples")
    assert status == 200 and headers["Content-Type"] == "application/n-triples"
    assert b"<https://w3id.org/aigov/id/china>" in body


def test_direct_post_body(server):
    status, _, body = http(f"{server}sparql", COUNT.encode(), {"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert status == 200 and body.splitlines()[0] == b"n"


def test_results_equal_the_local_graph(server, built, store):
    local = run(COUNT, project=built, store=store).records()[0]["n"]
    assert triples_in(server) == local


# -- refused, with the right status, and the server still up ------------------------------------
@pytest.mark.parametrize(
    "method, path, data, headers, status, words",
    [
        ("POST", "sparql", b"query=SELEC%20*%20WHERE%20%7B%7D", {"Content-Type": "application/x-www-form-urlencoded"}, 400, "SPARQL syntax error"),
        ("POST", "sparql", b"query=ASK%20%7B%7D", {"Content-Type": "application/x-www-form-urlencoded", "Accept": "image/png"}, 406, "Accept"),
        ("POST", "sparql", b"update=DROP%20ALL", {"Content-Type": "application/x-www-form-urlencoded"}, 403, "read-only"),
        ("POST", "sparql", b"DROP ALL", {"Content-Type": "application/sparql-update"}, 403, "read-only"),
        ("GET", "sparql?update=DROP%20ALL", None, {}, 403, "read-only"),
        ("POST", "update", b"update=DROP%20ALL", {"Content-Type": "application/x-www-form-urlencoded"}, 403, "read-only"),
        ("PUT", "store?default", b"<a:a> <a:a> <a:a> .", {"Content-Type": "application/n-triples"}, 403, "read-only"),
        ("DELETE", "store?default", None, {}, 403, "read-only"),
        ("POST", "store?default", b"<a:a> <a:a> <a:a> .", {"Content-Type": "application/n-triples"}, 403, "read-only"),
        ("POST", "sparql", b"query=x", {"Content-Type": "text/plain"}, 415, "cannot read"),
        ("POST", "sparql", b"", {"Content-Type": "application/x-www-form-urlencoded"}, 400, "give exactly one"),
        ("GET", "sparql?query=" + urllib.parse.quote("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"), None, {}, 403, "SERVICE"),
        ("GET", "sparql?query=" + urllib.parse.quote("SELECT * WHERE { \\u0053ERVICE <http://10.0.0.1/> { ?s ?p ?o } }"), None, {}, 403, "SERVICE"),
        ("GET", "sparql?query=" + urllib.parse.quote("SELECT * WHERE { SERVICE ?where { ?s ?p ?o } }"), None, {}, 403, "SERVICE"),
        ("GET", "sparql?query=" + urllib.parse.quote("SELECT * WHERE " + "{" * 5000 + "}" * 5000), None, {}, 400, "nests more than 128"),
        # found in review: a "<" the engine reads as less-than hid the keyword, and the brackets, from a masker
        ("GET", "sparql?query=" + urllib.parse.quote("SELECT * WHERE { ?s ?p ?o FILTER(1<2)SERVICE#>\n<http://127.0.0.1:9/x>{?a ?b ?c} }"), None, {}, 403, "SERVICE"),
        ("GET", "sparql?query=" + urllib.parse.quote("SELECT * WHERE { ?s ?p 58SERVICE<http://127.0.0.1:9/d>{ ?a ?b ?c } }"), None, {}, 403, "SERVICE"),
        ("GET", "sparql?query=" + urllib.parse.quote("SELECT * WHERE { FILTER(1<" + "(" * 5000 + "1#>\n" + ")" * 5000 + ") }"), None, {}, 400, "brackets"),
        ("GET", "sparql?query=ASK%7B%7D&default-graph-uri=not-an-iri", None, {}, 400, "not an absolute IRI"),
        ("GET", "api/queries/no-such-query", None, {}, 404, "no saved query"),
        ("GET", "api/queries/signatories?pledge=the%20Geneva%20declaration", None, {}, 404, "no entity"),
        ("GET", "api/queries/signatories?nation=china", None, {}, 400, "no parameter 'nation'"),
        ("GET", "api/queries/initiatives-proposed-in?year=twenty", None, {}, 400, "not a year"),
        ("GET", "api/queries/initiatives-proposed-in", None, {}, 400, "needs"),
        ("GET", "api/queries/signatories?pledge=a&pledge=b", None, {}, 400, "once"),
        ("GET", "api/queries/federated/endorsing-nations-population", None, {}, 404, "no saved query"),
        ("GET", "api/ask", None, {}, 400, "give exactly one"),
        ("GET", "api/ask?q=" + "x" * 2000, None, {}, 400, "longer than 1000"),
        ("GET", "dist/..%2Fpyproject.toml", None, {}, 404, "no published file"),
        ("GET", "nowhere", None, {}, 404, "nothing at"),
        ("TRACE", "sparql", None, {}, 405, "not allowed"),
        ("PUT", "api/queries/entities", b"x", {}, 405, "not allowed"),
    ],
)
def test_hostile_and_malformed_requests(server, method, path, data, headers, status, words):
    got, response_headers, body = http(server + path, data, headers, method)
    assert got == status, body
    assert response_headers["Content-Type"] == "application/json"
    assert words in json.loads(body)["error"]["message"]
    assert b"Traceback" not in body
    assert triples_in(server) > 0  # still up


def post_declared(server: str, content_type: str, length: str, body: bytes = b"") -> tuple[int, bytes]:
    """(status, body) of a POST to /sparql whose Content-Length says ``length``, whatever
    ``body`` is actually sent: what urllib will not send."""
    import http.client

    address = urllib.parse.urlsplit(server)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.putrequest("POST", "/sparql")
        connection.putheader("Content-Type", content_type)
        connection.putheader("Content-Length", length)
        connection.endheaders()
        if body:
            connection.send(body)
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def test_a_huge_body_is_refused_unread(server):
    # the 2 MB are never sent: the server answers from the headers
    status, body = post_declared(server, "application/x-www-form-urlencoded", "2000000")
    assert status == 413 and b"at most 1,000,000" in body
    assert triples_in(server) > 0


def test_a_request_line_too_long_is_refused_in_json(server):
    status, headers, body = http(f"{server}sparql?query=" + "x" * 61_000)
    assert status == 414 and headers["Content-Type"] == "application/json" and json.loads(body)["error"]["status"] == 414
    assert http(f"{server}sparql?query=" + "x" * 70_000)[0] == 414  # past granian's own limit: its refusal
    assert triples_in(server) > 0


def test_words_that_only_look_like_service_are_fine(server):
    for query in ("SELECT ?service WHERE { BIND(1 AS ?service) }", 'ASK { ?s ?p "customer service" }',
                  "ASK { ?s <http://schema.org/service> ?o }"):
        assert sparql(server, query)[0] == 200, query


def test_a_negative_content_length_is_refused(server):
    """Found in review: int("-1") passed the size check and the body was read to its end (now
    granian's HTTP parser refuses it)."""
    status, body = post_declared(server, "application/sparql-query", "-1", b"ASK {}")
    assert status == 400 and b"ASK" not in body


def test_a_get_body_is_not_read_as_a_second_request(server):
    """Found in review: a GET's body was parsed as the next request on the connection."""
    import socket

    address = urllib.parse.urlsplit(server)
    smuggled = b"GET /nowhere-smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
    request = (b"GET /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: "
               + str(len(smuggled)).encode() + b"\r\n\r\n" + smuggled)
    with socket.create_connection((address.hostname, address.port), timeout=30) as conn:
        conn.sendall(request)
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
    assert received.count(b"HTTP/1.1 ") == 1 and b"nowhere-smuggled" not in received


def test_preflight_and_refused_types(server):
    status, headers, body = http(f"{server}sparql", method="OPTIONS")
    assert status == 204 and headers.get("Content-Length") is None and body == b""
    assert "POST" in headers["Access-Control-Allow-Methods"]
    status, headers, _ = sparql(server, "ASK {}", accept="application/sparql-results+json;q=0, */*")
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+xml"


def test_nothing_is_written(server):
    before = triples_in(server)
    http(f"{server}sparql", b"update=INSERT%20DATA%20%7B%3Ca%3Aa%3E%20%3Ca%3Aa%3E%20%3Ca%3Aa%3E%7D", {"Content-Type": "application/x-www-form-urlencoded"})
    http(f"{server}store?default", b"<a:a> <a:a> <a:a> .", {"Content-Type": "application/n-triples"}, "PUT")
    assert triples_in(server) == before


# -- limits: time, rows, a runaway beside a simple query ----------------------------------------
def test_a_runaway_query_is_stopped_while_others_are_answered(strict):
    outcome = {}

    def runaway() -> None:
        started = time.monotonic()
        outcome["runaway"] = sparql(strict, RUNAWAY)
        outcome["runaway_seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)  # the runaway holds one worker now
    started = time.monotonic()
    status, _, _ = sparql(strict, "ASK { ?s ?p ?o }")
    simple_seconds = time.monotonic() - started
    thread.join(timeout=60)
    assert status == 200 and simple_seconds < 2.5  # generous: answered while the runaway still ran (limit 3 s)
    code, _, body = outcome["runaway"]
    assert code == 504 and b"longer than the server's limit of 3 s" in body
    assert outcome["runaway_seconds"] < 30
    assert triples_in(strict) > 0  # its worker was replaced


def test_a_result_over_the_row_limit_is_refused(strict):
    status, _, body = sparql(strict, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 422 and b"more than 50 rows" in body
    assert sparql(strict, "SELECT * WHERE { ?s ?p ?o } LIMIT 10")[0] == 200


def test_an_allowed_service_is_called(strict, wikidata_endpoint):
    query = f"SELECT ?label WHERE {{ SERVICE <{wikidata_endpoint}> {{ <http://www.wikidata.org/entity/Q148> <http://www.w3.org/2000/01/rdf-schema#label> ?label }} }}"
    status, _, body = sparql(strict, query)
    assert status == 200 and "People's Republic of China" in body.decode()
    other = query.replace(wikidata_endpoint, "http://127.0.0.1:9/sparql")
    assert sparql(strict, other)[0] == 403


def test_fifty_clients_at_once_get_no_error(server):
    deadline = time.monotonic() + 10
    statuses: list[int] = []
    lock = threading.Lock()
    paths = ["sparql?query=" + urllib.parse.quote("ASK { ?s ?p ?o }"), "api/queries/signatories", "api/ask?q=Who%20declined%3F"]

    def client(number: int) -> None:
        i = number
        while time.monotonic() < deadline:
            status = http(server + paths[i % len(paths)])[0]
            i += 1
            with lock:
                statuses.append(status)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert statuses and set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}


# -- the REST API and its OpenAPI document ------------------------------------------------------
@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_each_saved_query_as_rest(server, built, store, query):
    params = {"year": "2023"} if query.name == "initiatives-proposed-in" else {}
    status, headers, body = http(f"{server}api/queries/{query.name}?" + urllib.parse.urlencode(params))
    assert status == 200 and headers["Content-Type"] == "application/json"
    reply = json.loads(body)
    local = run(query.name, params, project=built, store=store)
    assert reply["variables"] == local.variables and len(reply["rows"]) == len(local.rows)


def test_rest_csv_and_entity_names(server):
    status, headers, body = http(f"{server}api/queries/signatories?pledge=the%20pledge%20for%20inclusive%20AI&format=csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert body.decode().splitlines()[0].startswith("party,partyLabel,kind,pledge,pledgeLabel,accepted,declineReported,")
    assert "Holy See" in body.decode()
    assert http(f"{server}api/queries/signatories", headers={"Accept": "text/csv"})[1]["Content-Type"].startswith("text/csv")


def test_the_openapi_document_describes_every_saved_query(server):
    status, _, body = http(f"{server}openapi.json")
    doc = json.loads(body)
    assert status == 200 and doc["openapi"].startswith("3.")
    for query in QUERIES:
        operation = doc["paths"][f"/api/queries/{query.name}"]["get"]
        assert operation["summary"] == query.title
        assert {p["name"] for p in operation["parameters"]} == {p.name for p in query.params} | {"format"}
    assert "/api/ask" in doc["paths"]


def test_schemathesis_finds_nothing(server, tmp_path):
    exe = shutil.which("schemathesis") or os.path.join(os.path.dirname(sys.executable), "schemathesis")
    result = subprocess.run(  # in tmp_path: it keeps a cache (.schemathesis/) in its working directory
        [exe, "run", f"{server}openapi.json", "--checks", "all", "--max-examples", "3", "--seed", "1", "--no-color"],
        capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_ask_over_http(server):
    status, _, body = http(f"{server}api/ask?q=" + urllib.parse.quote("Which blocs signed the Paris statement?"))
    reply = json.loads(body)
    assert status == 200 and reply["query"] == "signatories" and [a["label"] for a in reply["answers"]] == ["African Union", "European Union"]


def test_the_named_graphs_are_served_too(server):
    """The endpoint's default graph is the accepted graph; each source's claims are a named graph."""
    status, _, body = sparql(server, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?c a <https://w3id.org/aigov/ontology#Claim> } }")
    assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) >= 9
    status, _, body = sparql(server, "ASK { ?c a <https://w3id.org/aigov/ontology#Claim> }")
    assert status == 200 and json.loads(body)["boolean"] is False  # no claim in the default graph


def test_from_and_from_named_choose_the_dataset(server):
    """FROM makes a source's claims the default graph of one query; FROM NAMED leaves only the
    graphs it names for GRAPH."""
    source = "https://w3id.org/aigov/graph/source/asianews-china-paris-ai-summit"
    status, _, body = sparql(server, f"SELECT (COUNT(?c) AS ?n) FROM <{source}> WHERE {{ ?c a <https://w3id.org/aigov/ontology#Claim> }}")
    assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 10
    status, _, body = sparql(server, f"SELECT DISTINCT ?g FROM NAMED <{source}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    assert status == 200 and [row["g"]["value"] for row in json.loads(body)["results"]["bindings"]] == [source]


def test_dataset_files_and_page(server, built):
    status, headers, body = http(f"{server}dist/void.ttl")
    assert status == 200 and headers["Content-Type"] == "text/turtle" and body == (built.dist / "void.ttl").read_bytes()
    status, headers, body = http(server)
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"/dist/void.ttl" in body
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert b"cdn" not in body.lower() and b"https://" not in body.replace(b"https://w3id.org", b"")


def test_it_listens_on_loopback_only_by_default(server):
    assert server.startswith("http://127.0.0.1:")


def test_the_page_runs_an_example_in_headless_chromium(server, tmp_path):
    browser = shutil.which("chromium")
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=15000"]
    result = subprocess.run([browser, *flags, "--dump-dom", f"{server}?example=signatories&run"],
                            capture_output=True, text=True, timeout=120, check=False)
    dom = result.stdout
    assert '<table id="results">' in dom, result.stderr[-2000:]
    table = dom.split('<table id="results">', 1)[1].split("</table>", 1)[0]
    assert "<th>party</th>" in table and "African Union" in table and "European Union" in table
    rows = table.count("<tr>") - 1  # the header row is one
    assert rows >= 2 and f"{rows} row(s)" in dom
