"""The query worker as a real process: its ready message, RDF/XML, the byte cap checked while
writing, the memory ceiling, dying with its parent, and the SPARQL protocol's dataset."""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import json
import os
import pickle
import signal
import socket
import struct
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph
import pytest

from kg.namespaces import SOURCE_GRAPH, WIKIDATA_GRAPH
from kg.project import Project
from kg.use.formats import FORMATS, write
from kg.use.results import Result
from kg.use.server.negotiation import choose
from kg.use.server.worker import BoundedWriter, Overflow
from kg.use.store import build_stamp
from tests.conftest import ROOT, SOURCE_ID

# How the pool starts a worker: a fresh interpreter, the socket's descriptor in argv.
CHILD = (
    "import sys\n"
    "from multiprocessing.connection import Connection\n"
    "from kg.use.server.worker import main\n"
    "main(Connection(int(sys.argv[1])), sys.argv[2], int(sys.argv[3]) or None, sys.argv[4] or None, int(sys.argv[5]))\n"
)
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
GiB = 2**30


@contextlib.contextmanager
def worker_process(root: Path, memory_limit: int | None = None, stderr_path: Path | None = None,
                   parent_pid: int | None = None) -> Iterator[tuple[subprocess.Popen[bytes], Connection]]:
    """A worker started as the pool starts one, and the test's end of its socket; killed after."""
    ours, theirs = socket.socketpair()
    argv = [str(theirs.fileno()), str(root), str(memory_limit or 0), str(stderr_path or ""), str(parent_pid or os.getpid())]
    process = subprocess.Popen([sys.executable, "-c", CHILD, *argv], pass_fds=(theirs.fileno(),), cwd=ROOT)
    theirs.close()
    conn = Connection(ours.detach())
    try:
        yield process, conn
    finally:
        conn.close()
        process.kill()
        process.wait(timeout=10)


_NUMBERS = itertools.count(1)


def ask(conn: Connection, **task: object) -> tuple[int, str, bytes]:
    """Send one task, numbered as the pool numbers them, and wait for its reply."""
    number = next(_NUMBERS)
    conn.send((number, {"max_rows": 100_000, **task}))
    answered, reply = conn.recv()
    assert answered == number
    return reply


@pytest.fixture(scope="module")
def worker(built: Project) -> Iterator[Connection]:
    """The test's end of one ready worker over the built project."""
    with worker_process(built.root) as (_, conn):
        state, _ = conn.recv()
        assert state == "ready"
        yield conn


def test_ready_names_the_build_it_loaded(built, tmp_path):
    expected = hashlib.sha256((built.dist / "SHA256SUMS").read_bytes()).hexdigest()[:16]
    with worker_process(built.root) as (_, conn):
        assert conn.recv() == ("ready", expected)
    (tmp_path / "dist").mkdir()
    assert build_stamp(Project(tmp_path)) == "unknown"


def test_rdfxml_is_the_same_graph_as_turtle(worker):
    import rdflib

    status, media, body = ask(worker, kind="sparql", query=CONSTRUCT, accept="application/rdf+xml")
    assert (status, media) == (200, "application/rdf+xml")
    _, _, turtle = ask(worker, kind="sparql", query=CONSTRUCT, accept="text/turtle")
    from_xml, from_turtle = (rdflib.Graph().parse(data=data, format=f) for data, f in ((body, "xml"), (turtle, "turtle")))
    assert len(from_xml) > 1000 and shape(from_xml) == shape(from_turtle)


def shape(graph: object) -> Counter[tuple[object, ...]]:
    """The triples of an rdflib graph with every blank node written ``_``: equal for the same
    graph read twice, whatever the blank nodes' labels (rdflib's isomorphism test takes minutes
    on the thousands of blank nodes here)."""
    import rdflib

    return Counter(tuple("_" if isinstance(term, rdflib.BNode) else term for term in triple) for triple in graph)  # type: ignore[attr-defined]


def test_sparql_clients_get_rdfxml_for_graphs(worker):
    from rdflib.plugins.stores.sparqlconnector import SPARQLConnector
    from SPARQLWrapper import SPARQLWrapper

    wrapper = SPARQLWrapper("http://127.0.0.1/sparql")
    wrapper.setQuery(CONSTRUCT)
    for accept in (wrapper._getAcceptHeader(), SPARQLConnector(query_endpoint="http://127.0.0.1/sparql").response_mime_types()):
        status, media, _ = ask(worker, kind="sparql", query=CONSTRUCT + " LIMIT 5", accept=accept)
        assert (status, media) == (200, "application/rdf+xml"), accept


def test_generic_xml_means_the_xml_of_the_result_kind():
    assert choose("application/xml", "graph").name == "rdfxml" and choose("text/xml", "graph").name == "rdfxml"
    assert choose("application/xml", "select").name == "xml" and choose("text/xml", "ask").name == "xml"
    assert choose("application/rdf+xml;q=0, application/xml", "graph") is None
    assert choose(None, "graph").name == "turtle"


class Recording(BoundedWriter):
    """A bounded writer that also records every piece it was offered."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_bytes)
        self.offered: list[int] = []

    def write(self, text: str) -> int:  # type: ignore[override]
        self.offered.append(len(text.encode("utf-8")))
        return super().write(text)


ROW = (pyoxigraph.NamedNode("https://w3id.org/aigov/id/x"), pyoxigraph.Literal("é" * 300, language="fr"))
BIG = Result("select", ["x", "label"], [ROW] * 20_000)


@pytest.mark.parametrize("name", ["csv", "tsv", "json", "xml"])
def test_the_bounded_writer_stops_at_the_first_piece_past_the_cap(name):
    out = Recording(100_000)
    with pytest.raises(Overflow, match="more than 100,000 bytes"):
        write(BIG, FORMATS[name], out)
    assert out.size <= 100_000 < out.size + out.offered[-1]
    assert len(out.offered) < 1_000  # the first few hundred of the 20,000 rows, not all of them
    assert out.getvalue().decode("utf-8")  # what was kept is whole pieces of UTF-8


def test_the_bounded_writer_stops_pyoxigraphs_serializer(store):
    triples = list(store.quads_for_pattern(None, None, None, None))
    graph = Result("graph", triples=[q.triple for q in triples])
    out = Recording(20_000)
    with pytest.raises(Overflow):
        write(graph, FORMATS["turtle"], out)
    assert out.size <= 20_000 and sum(out.offered) < 100_000


def test_under_the_cap_the_writer_keeps_everything():
    out = BoundedWriter(None)
    write(BIG, FORMATS["tsv"], out)
    buffer = io.StringIO()
    write(BIG, FORMATS["tsv"], buffer)
    assert out.getvalue() == buffer.getvalue().encode("utf-8")


def test_a_result_past_the_byte_cap_is_a_422_naming_the_cap(worker):
    status, media, body = ask(worker, kind="sparql", query="SELECT * { ?s ?p ?o }", accept="text/csv", max_bytes=10_000)
    assert (status, media) == (422, "application/json")
    assert "10,000 bytes" in json.loads(body)["error"]["message"]
    status, _, body = ask(worker, kind="saved", name="signatories", params={}, format="json", max_bytes=100)
    assert status == 422 and "100 bytes" in json.loads(body)["error"]["message"]


def test_a_saved_query_in_json_is_one_document(worker):
    status, _, body = ask(worker, kind="saved", name="signatories", params={}, format="json", max_bytes=None)
    document = json.loads(body)
    assert status == 200 and document["query"] == "signatories" and document["rows"]
    assert set(document["rows"][0]) == set(document["variables"])


def bomb(depth: int) -> str:
    """A short query whose one string grows eightfold at each of ``depth`` nested REPLACEs
    (from 64 bytes: 2 GiB at depth 9)."""
    expression = "STR(?x)"
    for _ in range(depth):
        expression = f'REPLACE({expression}, "a", "aaaaaaaa")'
    return f'SELECT ?y WHERE {{ BIND("{"a" * 64}" AS ?x) BIND({expression} AS ?y) }}'


def peak(pid: int) -> int:
    """The process's peak address space (VmPeak), in bytes; 0 once it is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0
    return next((int(line.split()[1]) * 1024 for line in lines if line.startswith("VmPeak:")), 0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("query", [bomb(10), "SELECT ?a ?c { ?a ?b ?c . ?d ?e ?f } ORDER BY DESC(STR(?c)) LIMIT 1"])
def test_a_query_past_the_memory_ceiling_fails_or_ends_the_worker(built, tmp_path, query):
    log = tmp_path / "worker.log"
    with worker_process(built.root, memory_limit=GiB, stderr_path=log) as (process, conn):
        assert conn.recv()[0] == "ready"
        conn.send((1, {"kind": "sparql", "query": query, "accept": "text/csv", "max_rows": 100_000, "max_bytes": None}))
        highest = 0
        while process.poll() is None and not conn.poll(0.01):
            highest = max(highest, peak(process.pid))
        try:
            _, (status, _, body) = conn.recv()
        except EOFError:  # the engine aborted: an allocation failed under the ceiling
            assert process.wait(timeout=10) == -signal.SIGABRT
            printed = log.read_text(encoding="utf-8", errors="replace")
            assert "memory allocation of" in printed and "stack backtrace" not in printed
        else:
            assert status == 507 and "(1,024 MiB)" in json.loads(body)["error"]["message"]
    assert highest <= GiB


def test_a_worker_dies_with_its_parent(built):
    """The worker's parent is SIGKILLed (no chance to stop it): the kernel kills the worker."""
    code = (
        "import os, sys, multiprocessing\n"
        "from kg.use.server.worker import main\n"
        "context = multiprocessing.get_context('spawn')\n"
        "ours, theirs = context.Pipe()\n"
        "child = context.Process(target=main, args=(theirs, sys.argv[1], None, None, os.getpid()))\n"
        "child.start()\n"
        "assert ours.recv()[0] == 'ready'\n"
        "print(child.pid, flush=True)\n"
        "sys.stdin.read()\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code, str(built.root)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, text=True)
    try:
        pid = int(parent.stdout.readline())
        assert alive(pid)
        parent.kill()
        parent.wait(timeout=10)
        deadline = time.monotonic() + 5  # a guard against a hang, not a timing assertion
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not alive(pid)
    finally:
        parent.kill()
        parent.wait(timeout=10)


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def test_a_worker_whose_parent_is_already_gone_exits(built):
    with worker_process(built.root, parent_pid=1) as (process, conn):
        with pytest.raises(EOFError):
            conn.recv()
        assert process.wait(timeout=10) == 0


def count(reply: tuple[int, str, bytes]) -> int:
    status, _, body = reply
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_default_graph_uri_makes_those_graphs_the_default_graph(worker):
    everything = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    in_wikidata = f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{WIKIDATA_GRAPH}> {{ ?s ?p ?o }} }}"
    accept = "application/sparql-results+json"
    wikidata = count(ask(worker, kind="sparql", query=in_wikidata, accept=accept))
    assert wikidata > 0
    assert count(ask(worker, kind="sparql", query=everything, accept=accept, default_graphs=[WIKIDATA_GRAPH])) == wikidata
    assert count(ask(worker, kind="sparql", query=everything, accept=accept)) != wikidata
    # The request's dataset is the whole dataset: no named graphs unless named too.
    assert count(ask(worker, kind="sparql", query=in_wikidata, accept=accept, default_graphs=[WIKIDATA_GRAPH])) == 0


def test_named_graph_uri_limits_the_graphs_a_query_can_name(worker):
    source = SOURCE_GRAPH + SOURCE_ID
    query = "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"
    status, _, body = ask(worker, kind="sparql", query=query, accept="application/sparql-results+json", named_graphs=[source])
    assert status == 200
    assert [b["g"]["value"] for b in json.loads(body)["results"]["bindings"]] == [source]


def test_a_graph_that_is_not_an_absolute_iri_is_refused(worker):
    status, _, body = ask(worker, kind="sparql", query="ASK {}", accept="application/sparql-results+json", named_graphs=["graph/wikidata"])
    assert status == 400 and "named-graph-uri 'graph/wikidata' is not an absolute IRI" in json.loads(body)["error"]["message"]


def frames(*messages: object) -> bytes:
    """``messages`` framed as ``Connection.send`` frames each, in one buffer: sent with one
    ``sendall``, the worker reads them all at once."""
    return b"".join(struct.pack("!i", len(data)) + data for data in (pickle.dumps(m) for m in messages))


def test_a_task_skipped_before_it_begins_is_answered_none_in_its_turn(worker):
    ping = {"kind": "ping"}
    os.write(worker.fileno(), frames((101, ping), (102, ping), (103, ping), (102, None)))
    assert [worker.recv() for _ in range(3)] == [(101, (200, "text/plain", b"pong")), (102, None), (103, (200, "text/plain", b"pong"))]


def test_a_skip_of_a_task_already_answered_is_moot(worker):
    ping = {"kind": "ping"}
    worker.send((201, ping))
    assert worker.recv() == (201, (200, "text/plain", b"pong"))
    worker.send((201, None))  # too late: nothing to skip, and nothing is answered for it
    worker.send((202, ping))
    assert worker.recv() == (202, (200, "text/plain", b"pong"))


@pytest.mark.skipif(not hasattr(os, "SCHED_BATCH"), reason="Linux's batch scheduling")
def test_a_worker_runs_as_a_batch_job(built):
    with worker_process(built.root) as (process, conn):
        assert conn.recv()[0] == "ready"
        assert os.sched_getscheduler(process.pid) == os.SCHED_BATCH
