"""Remote answers are not trusted: `kg query --endpoint`, `kg link` and `kg push` against hostile
HTTP servers on 127.0.0.1 (raw sockets in a thread: redirects, trickles, rate limits, wrong
formats, replies that are not HTTP, huge answers, junk and escape sequences), each run as a user
runs it, in a new process, with a subprocess time-out only as a guard against a hang."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from kg.use.link.cache import Cache
from tests.conftest import kg_cli, start_oxigraph

GUARD = 90  # seconds: a hang fails the test instead of blocking the suite
ESCAPES = "\x1b[2J\x1b]0;owned\x07"


class Request:
    """One request a hostile server received."""

    def __init__(self, method: str, path: str, headers: dict[str, str], body: bytes) -> None:
        self.method, self.path, self.headers, self.body = method, path, headers, body

    @property
    def form(self) -> dict[str, str]:
        """The urlencoded fields of the body (a query or an update)."""
        return {k: v[0] for k, v in urllib.parse.parse_qs(self.body.decode("utf-8", "replace")).items()}


@contextlib.contextmanager
def hostile(behave):
    """A server on 127.0.0.1 that reads each request and lets ``behave(request, connection)``
    write whatever it likes on the raw socket; yields (base URL, the list of requests)."""
    seen: list[Request] = []

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            line = self.rfile.readline().decode("latin-1").split()
            if len(line) < 2:
                return
            headers = {}
            while (header := self.rfile.readline().decode("latin-1").strip()):
                name, _, value = header.partition(":")
                headers[name.strip().lower()] = value.strip()
            body = self.rfile.read(int(headers.get("content-length") or 0))
            request = Request(line[0], line[1], headers, body)
            seen.append(request)
            with contextlib.suppress(OSError):
                behave(request, self.connection)

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def reply(connection: socket.socket, status: str, body: bytes = b"", content_type: str = "text/plain", headers: str = "") -> None:
    """Write a whole HTTP response."""
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n{headers}Connection: close\r\n\r\n"
    connection.sendall(head.encode("latin-1") + body)


def relay(target: str, request: Request) -> tuple[int, str, bytes]:
    """Send ``request`` on to the real server at ``target``: (status, content type, body)."""
    kept = {k: v for k, v in request.headers.items() if k in ("content-type", "accept")}
    forwarded = urllib.request.Request(target + request.path, data=request.body or None, headers=kept, method=request.method)
    try:
        with urllib.request.urlopen(forwarded, timeout=30) as answer:
            return answer.status, answer.headers.get("Content-Type", ""), answer.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read()


def trickle(connection: socket.socket, data: bytes) -> None:
    """Send ``data`` a byte every half second: no single read ever waits long."""
    for byte in data:
        connection.sendall(bytes([byte]))
        time.sleep(0.5)


def upload_graphs(base: str) -> set[str]:
    query = urllib.parse.urlencode({"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"})
    request = urllib.request.Request(f"{base}/query?{query}", headers={"Accept": "text/csv"})
    return set(urllib.request.urlopen(request, timeout=10).read().decode().splitlines()[1:])


def count(base: str) -> int:
    query = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"})
    request = urllib.request.Request(f"{base}/query?{query}", headers={"Accept": "text/csv"})
    return int(urllib.request.urlopen(request, timeout=10).read().decode().splitlines()[1])


def cli(*args, project):
    return kg_cli(*args, project=project, timeout=GUARD)


# item 2: a redirect on a write is an error naming the new location, never a GET without a body


def redirect_writes(request, connection):
    """Answer every write with a 302 to /elsewhere on this server, which takes any GET happily."""
    if request.method == "GET":
        reply(connection, "200 OK", b"ok")
    else:
        reply(connection, "302 Found", headers=f"Location: http://{request.headers['host']}/elsewhere\r\n")


def test_a_store_that_redirects_every_write_is_an_error_naming_where(built):
    with hostile(redirect_writes) as (base, seen):
        result = cli("push", "--store", f"{base}/store", "--replace", "--update", f"{base}/update", project=built)
    assert result.returncode == 1, result.stderr
    assert f"store: HTTP 302 Found, a redirect to '{base}/elsewhere'" in result.stderr
    assert "failed at chunk 1 of 1" in result.stderr and "replaced" not in result.stderr and "Traceback" not in result.stderr
    assert {r.method for r in seen} == {"POST"} and all(r.body for r in seen)  # nothing re-sent as a GET without its body


def relaying_all_but_the_swap(store, answer_swap):  # type: ignore[no-untyped-def]
    """A front for the real ``store`` that relays every request but the update that swaps the
    staged graphs in (its MOVEs), which ``answer_swap(connection)`` answers instead."""
    def front(request, connection):  # type: ignore[no-untyped-def]
        if "MOVE" in request.form.get("update", ""):
            answer_swap(connection)
            return
        status, kind, body = relay(store, request)
        reply(connection, f"{status} X", body, kind or "text/plain")

    return front


def test_an_update_endpoint_that_redirects_the_swap_leaves_the_store_unchanged(built):
    """The uploads reach a real Oxigraph server; the request that swaps them in is redirected."""
    process, store = start_oxigraph()
    try:
        redirect = lambda connection: reply(connection, "301 Moved Permanently", headers="Location: http://127.0.0.1:9/update\r\n")  # noqa: E731
        with hostile(relaying_all_but_the_swap(store, redirect)) as (base, seen):
            result = cli("push", "--store", f"{base}/store", "--replace", "--update", f"{base}/update", project=built)
        assert result.returncode == 1, result.stderr
        assert "a redirect to 'http://127.0.0.1:9/update'" in result.stderr and "the temporary graphs were dropped" in result.stderr
        assert count(store) == 0  # nothing swapped in, no temporary graph left
        assert not [r for r in seen if r.method == "GET"]
    finally:
        process.kill()
        process.wait(timeout=10)


# item 3: --timeout is the whole operation's deadline


def trickling_body(request, connection):
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: 100000\r\n\r\n")
    trickle(connection, b'{"head": {"vars": []}, "results": {"bindings": []}}' * 100)


def trickling_headers(request, connection):
    trickle(connection, b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"x" * 1000 + b"\r\n\r\n")


@pytest.mark.parametrize("behave", [trickling_body, trickling_headers], ids=["body", "headers"])
def test_a_trickling_endpoint_meets_the_deadline_of_kg_query(built, behave):
    with hostile(behave) as (base, _):
        result = kg_cli("query", "--endpoint", f"{base}/query", "--timeout", "2", "-e", "SELECT * WHERE { ?s ?p ?o }", timeout=GUARD, cwd=built.root)
    assert result.returncode == 1, result.stderr
    assert "did not answer within 2 s" in result.stderr and "fix: raise --timeout" in result.stderr


def test_a_trickling_endpoint_meets_the_deadline_of_kg_link_check(linkable):
    before = linkable.wikidata_cache.read_bytes()
    with hostile(trickling_body) as (base, _):
        result = cli("link", "check", "--endpoint", f"{base}/query", "--timeout", "2", project=linkable)
    assert result.returncode == 1 and "did not answer within 2 s" in result.stderr, result.stderr
    assert linkable.wikidata_cache.read_bytes() == before


def test_a_store_that_trickles_its_answer_meets_the_deadline_of_kg_push(built):
    def slow(request, connection):
        connection.sendall(b"HTTP/1.1 204 No Content\r\n")
        trickle(connection, b"X-Slow: " + b"x" * 1000 + b"\r\n\r\n")

    with hostile(slow) as (base, _):
        result = cli("push", "--store", f"{base}/store", "--timeout", "2", project=built)
    assert result.returncode == 1, result.stderr
    assert "did not answer within 2 s" in result.stderr and "unless the store kept chunk 1" in result.stderr


def test_a_retry_after_beyond_the_deadline_gives_up_at_once(built):
    def limited(request, connection):
        reply(connection, "429 Too Many Requests", headers="Retry-After: 100\r\n")

    with hostile(limited) as (base, seen):
        result = kg_cli("query", "--endpoint", f"{base}/query", "--timeout", "3", "-e", "ASK {}", timeout=GUARD, cwd=built.root)
    assert result.returncode == 1, result.stderr
    assert "asks to wait 100 s, more than the" in result.stderr and "of the 3 s time-out" in result.stderr
    assert len(seen) == 1


def test_a_local_query_meets_its_deadline(built):
    values = " ".join(f"VALUES ?{v} {{ 1 2 3 4 5 6 7 8 9 10 }}" for v in "abcdefghij")
    result = kg_cli("query", "--timeout", "2", "-e", f"SELECT (COUNT(*) AS ?n) WHERE {{ {values} }}", project=built, timeout=GUARD)
    assert result.returncode == 1, result.stderr
    assert "the query did not finish within 2 s" in result.stderr and "fix: raise --timeout" in result.stderr


# item 4: answers are checked: format, HTTP itself, size


@pytest.mark.parametrize("kind, body, message", [
    ("application/sparql-results+json", b'{"head": {"vars": []}, "results": {"bindings": []}}',
     "answered 'application/sparql-results+json' to a CONSTRUCT, which asks for RDF (text/turtle)"),
    ("application/sparql-results+xml", b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/><boolean>true</boolean></sparql>',
     "answered 'application/sparql-results+xml' to a CONSTRUCT, which asks for RDF (text/turtle)"),
    ("text/turtle", b'{"head": {"vars": []}}', "answered something that is not SPARQL results"),
], ids=["json", "xml", "json-as-turtle"])
def test_results_sent_for_a_construct_are_an_error(linkable, kind, body, message):
    before = linkable.wikidata_cache.read_bytes()
    with hostile(lambda request, connection: reply(connection, "200 OK", body, kind)) as (base, _):
        check = cli("link", "check", "--endpoint", f"{base}/query", project=linkable)
        query = kg_cli("query", "--endpoint", f"{base}/query", "-e", "CONSTRUCT WHERE { ?s ?p ?o }", timeout=GUARD, cwd=linkable.root)
    for result in (check, query):
        assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert linkable.wikidata_cache.read_bytes() == before


def test_a_reply_that_is_not_http_is_an_error(built):
    with hostile(lambda request, connection: connection.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")) as (base, _):
        result = kg_cli("query", "--endpoint", f"{base}/query", "-e", "ASK {}", timeout=GUARD, cwd=built.root)
    assert result.returncode == 1 and "did not answer in HTTP (BadStatusLine" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_swap_answered_with_garbage_drops_the_temporary_graphs_and_says_so(built):
    process, store = start_oxigraph()
    try:
        garbage = lambda connection: connection.sendall(b"\x00\x01 garbage\r\n\r\n")  # noqa: E731
        with hostile(relaying_all_but_the_swap(store, garbage)) as (base, seen):
            result = cli("push", "--store", f"{base}/store", "--replace", "--update", f"{base}/update", project=built)
        assert result.returncode == 1, result.stderr
        assert any("DROP SILENT GRAPH" in r.form.get("update", "") for r in seen)
        assert "the request that swaps them in failed" in result.stderr and "did not answer in HTTP" in result.stderr
        assert "the temporary graphs were dropped" in result.stderr and "Traceback" not in result.stderr
        assert upload_graphs(store) == set() and count(store) == 0
    finally:
        process.kill()
        process.wait(timeout=10)


def test_a_literal_over_the_parsers_buffer_is_an_error(built):
    body = b'<urn:s> <urn:p> "' + b"x" * (17 * 2**20) + b'" .\n'
    with hostile(lambda request, connection: reply(connection, "200 OK", body, "text/turtle")) as (base, _):
        result = kg_cli("query", "--endpoint", f"{base}/query", "-e", "CONSTRUCT WHERE { ?s ?p ?o }", timeout=GUARD, cwd=built.root)
    assert result.returncode == 1 and "a term larger than the parser's 16 MiB buffer" in result.stderr, result.stderr


def endless(request, connection):
    """An answer with no length that never ends (until the client hangs up)."""
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/turtle\r\nConnection: close\r\n\r\n")
    line = b"<urn:s> <urn:p> <urn:o> .\n" * 2500
    while True:
        connection.sendall(line)


def declared_huge(request, connection):
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/turtle\r\nContent-Length: 314572800\r\n\r\n")
    connection.sendall(b"<urn:s> <urn:p> <urn:o> .\n" * 1000)


@pytest.mark.parametrize("behave", [endless, declared_huge], ids=["endless", "declared-300MB"])
def test_an_answer_over_the_size_cap_is_an_error(built, behave):
    with hostile(behave) as (base, _):
        result = kg_cli("query", "--endpoint", f"{base}/query", "-e", "CONSTRUCT WHERE { ?s ?p ?o }", timeout=GUARD, cwd=built.root)
    assert result.returncode == 1 and "sent an answer over the 64 MiB cap" in result.stderr, result.stderr


# item 5: the cache keeps only what was asked for; terminal output is escaped


def poisoned(target: str, junk: str):
    """A front for the real server at ``target`` that adds ``junk`` (N-Triples) to every answer."""

    def behave(request, connection):
        status, kind, body = relay(target, request)
        reply(connection, f"{status} X", body + junk.encode() if status == 200 else body, kind)

    return behave


def test_the_cache_keeps_only_what_was_asked_and_output_is_escaped(linkable, wikidata_endpoint):
    target = wikidata_endpoint.removesuffix("/query")
    junk = "".join(f"<http://www.wikidata.org/entity/Q{800000000 + n}> <http://www.w3.org/2000/01/rdf-schema#label> \"junk {n}\"@en .\n"
                   for n in range(20_000))
    junk += ("<http://www.wikidata.org/entity/Q148> <http://www.w3.org/2000/01/rdf-schema#label> <http://evil.example/label> .\n"
             "<http://www.wikidata.org/entity/Q148> <http://www.w3.org/2000/01/rdf-schema#label> \"" + "y" * 5000 + "\"@en .\n"
             "<http://www.wikidata.org/entity/Q148> <http://www.w3.org/2000/01/rdf-schema#label> "
             "\"\\u001B[2J\\u001B]0;owned\\u0007China\"@en .\n")

    with hostile(poisoned(target, junk)) as (base, _):
        online = cli("link", "check", "--endpoint", f"{base}/query", project=linkable)
    assert online.returncode == 0, online.stderr
    text = linkable.wikidata_cache.read_text(encoding="utf-8")
    assert "junk" not in text and "Q800000000" not in text and "evil.example" not in text and "y" * 5000 not in text
    cache = Cache.load(linkable.wikidata_cache, "cache")
    assert cache.view("Q148").label == ESCAPES + "China"  # kept, being a label of an item asked about ...
    offline = cli("link", "check", "--offline", project=linkable)
    assert offline.returncode == 0 and "\x1b" not in offline.stdout and "\x07" not in offline.stdout  # ... but never printed raw
    assert "\\x1b[2J\\x1b]0;owned\\x07China" in offline.stdout
    as_json = cli("link", "check", "--offline", "--format", "json", project=linkable)
    assert "\x1b" not in as_json.stdout and "\\u001b[2J" in as_json.stdout


def test_error_messages_are_escaped(built):
    body = f"{ESCAPES}\u202ebad query".encode()
    with hostile(lambda request, connection: reply(connection, "400 Bad Request", body)) as (base, _):
        result = kg_cli("query", "--endpoint", f"{base}/query", "-e", "ASK {}", timeout=GUARD, cwd=built.root)
    assert result.returncode == 1 and "HTTP 400" in result.stderr
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr and "\\x1b[2J" in result.stderr and "\\u202ebad" in result.stderr


def test_enrich_keeps_only_what_was_asked(linkable, wikidata_endpoint):
    wd, wdt = "http://www.wikidata.org/entity/", "http://www.wikidata.org/prop/direct/"
    junk = (f'<{wd}Q800000001> <{wdt}P297> "XX" .\n'  # an item never asked about
            f"<{wd}Q148> <{wdt}P30> <http://evil.example/continent> .\n"  # not an item, for an item row
            f'<{wd}Q148> <{wdt}P297> "{"z" * 5000}" .\n'  # too long
            f'<{wd}Q800000002> <http://www.w3.org/2000/01/rdf-schema#label> "junk"@en .\n')  # a label of nothing pulled
    with hostile(poisoned(wikidata_endpoint.removesuffix("/query"), junk)) as (base, _):
        result = cli("link", "enrich", "--endpoint", f"{base}/query", project=linkable)
    assert result.returncode == 0, result.stderr
    assert "pulled P297: 2, P30: 2, P39: 1, P463: 2" in result.stdout  # as from the honest fixture
    text = linkable.enrichment.read_text(encoding="utf-8")
    assert "Q800000001" not in text and "evil.example" not in text and "z" * 5000 not in text and "junk" not in text
