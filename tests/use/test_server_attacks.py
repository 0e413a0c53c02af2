"""kg serve under attack: a real server process on 127.0.0.1, real sockets, no mocks.

Slow and idle connections (slowloris), memory bombs under ``--memory``, clients that never read
their answer, request smuggling, operator chains ten thousand long, abandoned runaway queries,
SIGTERM and SIGINT while a worker is busy, a rebuild of dist/ while clients query, invalid
options, and real clients (SPARQLWrapper, rdflib's SPARQLStore) with their default settings.

Every time bound here only says "does not hang": each is many times what a healthy server
needs on a loaded 2-core machine. Processes are read from /proc (Linux), not psutil.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from email.message import Message
from pathlib import Path
from typing import Self

import pytest

from kg.project import Project
from tests.conftest import copy_project, run_build, start_kg_serve, stop

JSON = "application/sparql-results+json"
ASK = "ASK { ?s ?p ?o }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHINA = "<https://w3id.org/aigov/id/china>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
MB = 1024 * 1024
PATIENCE = 15.0  # seconds a normal request may take while the server is under attack


# -- a running server ---------------------------------------------------------------------------
class Running:
    """A ``kg serve`` process, its base URL, and every line it has written on stderr since it
    started listening (read by a thread, so the pipe never fills)."""

    def __init__(self, process: subprocess.Popen, url: str) -> None:
        self.process, self.url = process, url
        address = urllib.parse.urlsplit(url)
        self.host, self.port = address.hostname or "127.0.0.1", address.port or 80
        self.log: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()
        # the ready line can come before the port takes connections: see
        # test_it_takes_connections_once_it_says_it_is_ready; the other tests wait for it
        deadline = time.monotonic() + 10
        while not accepts(self.host, self.port) and time.monotonic() < deadline:
            time.sleep(0.02)

    def _drain(self) -> None:
        for line in self.process.stderr:  # type: ignore[union-attr]
            self.log.append(line)


def accepts(host: str, port: int) -> bool:
    """Whether ``host:port`` takes a TCP connection now."""
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return False
    return True


@contextlib.contextmanager
def serving(project: Project, *options: str) -> Iterator[Running]:
    """``kg serve`` on ``project`` with ``options``, stopped (Ctrl-C) afterwards."""
    process, url = start_kg_serve(project, *options)
    try:
        yield Running(process, url)
    finally:
        stop(process)


@pytest.fixture(scope="module")
def server(built: Project) -> Iterator[Running]:
    """The shared server: two workers, a short header timeout for the slowloris tests, and a
    cache that keeps the slow readers' 19 MB answer (one answer may take an eighth of it)."""
    with serving(built, "--workers", "2", "--timeout", "20", "--header-timeout", "2", "--cache", "256") as running:
        yield running


@pytest.fixture(scope="module")
def default_server(built: Project) -> Iterator[Running]:
    """A server with the default connection settings (header timeout 10 s)."""
    with serving(built, "--workers", "2") as running:
        yield running


@pytest.fixture(scope="module")
def bounded(built: Project) -> Iterator[Running]:
    """A server whose query workers may use at most 1024 MB of address space."""
    with serving(built, "--workers", "2", "--memory", "1024", "--timeout", "30") as running:
        yield running


# -- HTTP ----------------------------------------------------------------------------------------
def http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None,
         timeout: float = 60) -> tuple[int, Message, bytes]:
    """(status, headers, body) of one request; error statuses are returned, not raised."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def post(server: Running, query: str, timeout: float = 60) -> tuple[int, Message, bytes]:
    """POST ``query`` to /sparql as ``application/sparql-query`` (no size limit of a URL)."""
    headers = {"Content-Type": "application/sparql-query", "Accept": JSON}
    return http(f"{server.url}sparql", query.encode(), headers, timeout)


def get(server: Running, query: str, **params: str) -> tuple[int, Message, bytes]:
    """GET /sparql?query=… with protocol ``params`` too (default_graph_uri=… is sent as
    default-graph-uri=…)."""
    encoded = urllib.parse.urlencode({"query": query, **{k.replace("_", "-"): v for k, v in params.items()}})
    return http(f"{server.url}sparql?{encoded}", headers={"Accept": JSON})


def number(body: bytes) -> int:
    """The one value of a one-cell JSON SELECT result."""
    (row,) = json.loads(body)["results"]["bindings"]
    (cell,) = row.values()
    return int(cell["value"])


def answered(server: Running) -> float:
    """Seconds a normal query took; fails unless it was answered 200 within :data:`PATIENCE`."""
    started = time.monotonic()
    status, _, body = post(server, ASK, timeout=PATIENCE)
    took = time.monotonic() - started
    assert status == 200 and json.loads(body)["boolean"] is True, (status, body[:300])
    return took


def error_of(body: bytes) -> dict:
    """The ``error`` object of a JSON error answer."""
    return json.loads(body)["error"]


def poll(server: Running, seconds: float, every: float = 0.2) -> list[int]:
    """Statuses of normal queries sent one after another for ``seconds`` (0: no answer within
    :data:`PATIENCE`)."""
    statuses = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            statuses.append(post(server, ASK, timeout=PATIENCE)[0])
        except OSError:  # a time-out or a refused connection
            statuses.append(0)
        time.sleep(every)
    return statuses


# -- raw sockets ---------------------------------------------------------------------------------
def connect(server: Running, receive_buffer: int | None = None) -> socket.socket:
    """A TCP connection to the server; ``receive_buffer`` shrinks the kernel's buffer (set
    before connecting, so the window the server sees is small too)."""
    family = socket.AF_INET6 if ":" in server.host else socket.AF_INET
    conn = socket.socket(family, socket.SOCK_STREAM)
    if receive_buffer is not None:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    conn.settimeout(10)
    conn.connect((server.host, server.port))
    return conn


def exchange(server: Running, request: bytes, wait: float = 10) -> tuple[bytes, bool]:
    """Send ``request`` on a new connection; (every byte received, whether the server closed the
    connection within ``wait`` seconds)."""
    received = b""
    with connect(server) as conn:
        conn.sendall(request)
        deadline = time.monotonic() + wait
        while (left := deadline - time.monotonic()) > 0:
            conn.settimeout(left)
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                break
            except ConnectionResetError:
                return received, True
            if not chunk:
                return received, True
            received += chunk
    return received, False


def query_request(query: str) -> bytes:
    """A complete HTTP/1.1 POST of ``query`` to /sparql."""
    body = query.encode()
    return (f"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nAccept: {JSON}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def closed_by_server(connections: list[socket.socket], within: float) -> list[float]:
    """Wait up to ``within`` seconds for the server to close each connection (recv gives b'' or
    a reset; an answer such as 408 before the close is read and dropped); the seconds each took,
    for those it closed."""
    started = time.monotonic()
    open_ = {conn.fileno(): conn for conn in connections}
    took = []
    while open_ and (left := started + within - time.monotonic()) > 0:
        readable, _, _ = select.select(list(open_.values()), [], [], min(left, 0.5))
        for conn in readable:
            try:
                ended = conn.recv(65536) == b""
            except OSError:  # reset
                ended = True
            if ended:
                del open_[conn.fileno()]
                took.append(time.monotonic() - started)
    return took


# -- processes, from /proc -----------------------------------------------------------------------
def _stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state, start time in clock ticks) of ``pid``, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # the name, in brackets, may hold spaces
    return int(fields[1]), fields[0], int(fields[19])


def descendants(pid: int) -> dict[int, int]:
    """Every process below ``pid`` (children, their children, …): pid → start time, so a pid
    the kernel reuses is not mistaken for the same process."""
    children: dict[int, list[tuple[int, int]]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) is not None:
            children.setdefault(stat[0], []).append((int(entry), stat[2]))
    found, todo = {}, [pid]
    while todo:
        for child, started in children.get(todo.pop(), []):
            found[child] = started
            todo.append(child)
    return found


def alive(pid: int, started: int) -> bool:
    """Whether the process ``pid`` that started at ``started`` still runs (a zombie does not)."""
    stat = _stat(pid)
    return stat is not None and stat[2] == started and stat[1] != "Z"


def status_kb(pid: int, field: str) -> int:
    """A ``kB`` field of /proc/PID/status (VmRSS, VmHWM, VmPeak); 0 when gone or absent."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def address_space_limit(pid: int) -> int | None:
    """The soft RLIMIT_AS of ``pid`` in bytes; None when unlimited or gone."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
            if line.startswith("Max address space"):
                soft = line.split()[3]
                return None if soft == "unlimited" else int(soft)
    return None


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and every process below it, in MB."""
    return sum(status_kb(p, "VmRSS") for p in [pid, *descendants(pid)]) / 1024


class Sampler:
    """Reads /proc every 50 ms in a thread while an attack runs: for each process of the
    server's tree its highest VmPeak and VmHWM and its address-space limit, and the highest
    resident memory of the whole tree."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peaks: dict[int, tuple[int, int, int | None]] = {}  # pid → (VmPeak kB, VmHWM kB, limit)
        self.tree_peak_mb = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._done.is_set():
            rss = status_kb(self.pid, "VmRSS")
            for pid in descendants(self.pid):
                peak, hwm = status_kb(pid, "VmPeak"), status_kb(pid, "VmHWM")
                old = self.peaks.get(pid, (0, 0, None))
                self.peaks[pid] = (max(old[0], peak), max(old[1], hwm), address_space_limit(pid) or old[2])
                rss += status_kb(pid, "VmRSS")
            self.tree_peak_mb = max(self.tree_peak_mb, rss / 1024)
            self._done.wait(0.05)


def in_parallel(clients: int, seconds: float, task: Callable[[], int]) -> list[int]:
    """What ``task`` returned, called over and over by ``clients`` threads for ``seconds``."""
    results: list[int] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < deadline:
            outcome = task()
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return results


# -- 0. ready means ready ------------------------------------------------------------------------
def test_it_takes_connections_once_it_says_it_is_ready(built):
    for _ in range(3):  # the race, when there is one, is lost about every other start
        process, url = start_kg_serve(built, "--workers", "1")
        try:
            address = urllib.parse.urlsplit(url)
            assert accepts(address.hostname or "", address.port or 80), f"connection refused right after {url} was announced"
        finally:
            stop(process)


# -- 1. slowloris --------------------------------------------------------------------------------
@contextlib.contextmanager
def slowloris(server: Running, count: int, trickle: bool, every: float) -> Iterator[list[socket.socket]]:
    """``count`` connections that never finish their request: each sends a request line and
    then one more header line every ``every`` seconds (``trickle``), or nothing at all."""
    connections = [connect(server) for _ in range(count)]
    done = threading.Event()

    def drip() -> None:
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
        while not done.wait(every):
            for conn in connections:
                with contextlib.suppress(OSError):  # the server closed it: what it should do
                    conn.sendall(b"X-Slow: 1\r\n")

    dripper = threading.Thread(target=drip, daemon=True)
    if trickle:
        dripper.start()
    try:
        yield connections
    finally:
        done.set()
        if trickle:
            dripper.join()
        for conn in connections:
            conn.close()


@pytest.mark.parametrize("count, trickle", [(200, True), (250, False)], ids=["200-trickling", "250-idle"])
def test_a_normal_client_is_answered_during_a_slowloris_attack(default_server, count, trickle):
    with slowloris(default_server, count, trickle, every=2.0):
        statuses = poll(default_server, seconds=6)
    assert statuses and set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}


@pytest.mark.parametrize("count, trickle", [(200, True), (250, False)], ids=["200-trickling", "250-idle"])
def test_the_header_timeout_closes_slow_connections(server, count, trickle):
    with slowloris(server, count, trickle, every=1.0) as connections:  # a line a second: well within any per-line wait
        took = closed_by_server(connections, within=12)
    assert len(took) == count, f"{count - len(took)} of {count} connections still open 12 s later (--header-timeout 2)"
    assert answered(server) < PATIENCE


# -- 2. memory bombs -----------------------------------------------------------------------------
def replace_bomb(depth: int = 30) -> str:
    """A string of 100 characters doubled ``depth`` times by nested REPLACEs: 100 GB at 30."""
    doubled = "?s"
    for _ in range(depth):
        doubled = f'REPLACE({doubled}, ".", "$0$0")'
    return f'SELECT (STRLEN(?big) AS ?n) WHERE {{ BIND("{"x" * 100}" AS ?s) BIND({doubled} AS ?big) }}'


def concat_bomb(depth: int = 30) -> str:
    """The same doubling by a chain of BINDs of CONCAT: a copy per step, no regular expression."""
    binds = " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(depth))
    return f'SELECT (STRLEN(?s{depth}) AS ?n) WHERE {{ BIND("{"x" * 100}" AS ?s0) {binds} }}'


# each bomb, and what its error must name: the REPLACEs match character by character (about two
# million a second in pyoxigraph), so the time limit may well stop them before the memory does
BOMBS = {
    "replace": (replace_bomb(), ("memory", "limit")),
    "concat": (concat_bomb(), ("memory",)),  # past 1 GB in about 4 s
    # ORDER BY keeps every row of the store's product with itself before the LIMIT
    "order-by": ("SELECT ?a ?c WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY DESC(STR(?c)) LIMIT 1", ("memory",)),
}


@pytest.mark.parametrize("bomb", BOMBS)
def test_a_memory_bomb_stops_at_the_ceiling_with_a_clear_error(bounded, bomb):
    query, words = BOMBS[bomb]
    with Sampler(bounded.process.pid) as sampler:
        status, _, body = post(bounded, query, timeout=120)
    assert 500 <= status < 600, (status, body[:300])
    message = error_of(body)["message"]
    assert any(word in message.lower() for word in words), message
    assert b"Traceback" not in body
    answered(bounded)  # its worker was replaced
    limited = {pid: peaks for pid, peaks in sampler.peaks.items() if peaks[2] is not None and peaks[2] <= 1024 * MB}
    assert limited, f"no process of the server ran under a 1024 MB address-space limit: {sampler.peaks}"
    assert all(peak * 1024 <= limit for peak, _, limit in limited.values()), limited  # type: ignore[operator]
    highest = max(hwm for _, hwm, _ in sampler.peaks.values()) / 1024
    assert highest < 1024, f"a process of the server held {highest:.0f} MB resident"


# -- 3. slow readers -----------------------------------------------------------------------------
# About 19 MB of JSON (36,000 rows). One text for every reader: the first answer is cached, so
# all twenty are answered at once and held for readers that never read (twenty different texts
# would queue for two workers, and most would get a quick 503 instead).
BIG = "/sparql?" + urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o VALUES ?x { 1 2 3 4 } }"})


def test_clients_that_never_read_do_not_grow_the_server(server):
    status, _, body = http(server.url + BIG[1:], headers={"Accept": JSON}, timeout=120)
    assert status == 200 and len(body) > 10 * MB, (status, len(body))  # the attack is worth its name
    before = tree_rss_mb(server.process.pid)
    readers = [connect(server, receive_buffer=4096) for _ in range(20)]
    try:
        for conn in readers:
            conn.sendall(f"GET {BIG} HTTP/1.1\r\nHost: x\r\nAccept: {JSON}\r\n\r\n".encode())
        with Sampler(server.process.pid) as sampler:
            time.sleep(3)  # the answers pile up against the full windows
            statuses = poll(server, seconds=12, every=0.5)
    finally:
        for conn in readers:
            conn.close()
    growth = sampler.tree_peak_mb - before
    assert growth < 500, f"the server's processes grew by {growth:.0f} MB (from {before:.0f} MB)"
    assert statuses and set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}
    answered(server)


# -- 4. request smuggling ------------------------------------------------------------------------
SMUGGLED = b"GET /api/queries/smuggled-request HTTP/1.1\r\nHost: x\r\n\r\n"
BODY = b"ASK {}"  # six bytes


@pytest.mark.parametrize(
    "headers, statuses",
    [
        (b"Content-Length: \xb2\r\n", {400}),  # superscript two in Latin-1: str.isdigit() says yes
        (b"Content-Length: \xc2\xb2\r\n", {400}),  # the same in UTF-8
        (b"Content-Length: 6\r\nContent-Length: 7\r\n", {400}),
        (b"Content-Length: 6, 7\r\n", {400}),
        (b"Content-Length: -6\r\n", {400}),
        (b"Content-Length: +6\r\n", {400}),
        # RFC 9112 6.1: refuse, or read the body as chunked, and close either way
        (b"Transfer-Encoding: chunked\r\nContent-Length: " + str(len(b"0\r\n\r\n" + SMUGGLED)).encode() + b"\r\n", set(range(400, 500))),
    ],
    ids=["superscript-latin1", "superscript-utf8", "two-lengths", "length-list", "negative", "plus-sign", "chunked-and-length"],
)
def test_an_ambiguous_body_length_is_refused_and_the_connection_closed(server, headers, statuses):
    body = b"0\r\n\r\n" + SMUGGLED if b"chunked" in headers else BODY + SMUGGLED
    received, closed = exchange(server, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n" + headers + b"\r\n" + body)
    status = int(received.split(b" ", 2)[1]) if received.startswith(b"HTTP/1.1 ") else None
    assert status in statuses, received[:500]
    assert received.count(b"HTTP/1.") == 1 and b"smuggled" not in received, received[:1000]
    assert closed, "the connection was left open after an ambiguous request"
    answered(server)


# -- 5. operator chains --------------------------------------------------------------------------
CHAINS = {
    "not": "ASK { FILTER(" + "!" * 10_000 + "true) }",
    "plus": "SELECT (" + "+".join(["1"] * 10_001) + " AS ?x) WHERE {}",
    "path": "SELECT * WHERE { ?s " + "/".join(["<http://e/p>"] * 10_000) + " ?o }",
}


@pytest.mark.parametrize("chain", CHAINS)
def test_an_operator_chain_is_refused_and_no_worker_dies(server, chain):
    before = descendants(server.process.pid)
    status, _, body = post(server, CHAINS[chain])
    assert status == 400 and error_of(body)["message"], body[:500]
    answered(server)
    statuses = in_parallel(4, 3, lambda: post(server, CHAINS[chain], timeout=PATIENCE)[0])
    assert statuses and set(statuses) == {400}, {s: statuses.count(s) for s in set(statuses)}
    answered(server)
    died = [pid for pid, started in before.items() if not alive(pid, started)]
    assert not died, f"processes of the server died: {died}"


# -- 6. abandoned runaways -----------------------------------------------------------------------
def test_runaways_whose_clients_left_free_their_workers(built):
    with serving(built, "--workers", "4", "--timeout", "60") as running:
        runaways = [connect(running) for _ in range(4)]
        for conn in runaways:
            conn.sendall(query_request(RUNAWAY))
        time.sleep(0.5)
        for conn in runaways:
            conn.close()
        time.sleep(2)
        took = answered(running)
    assert took < 10, f"a normal query took {took:.1f} s after four abandoned runaways"


# -- 7. signals ----------------------------------------------------------------------------------
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["SIGTERM", "SIGINT", "SIGKILL"])
def test_a_signal_stops_the_server_and_every_process_it_started(built, signum):
    """SIGKILL too: the server cannot clean up then, so its processes must die with it (the
    parent-death signal), not linger reparented to init (found in review)."""
    process, url = start_kg_serve(built, "--workers", "2", "--timeout", "60")
    running = Running(process, url)
    tree: dict[int, int] = {}
    try:
        runaway = connect(running)
        runaway.sendall(query_request(RUNAWAY))
        time.sleep(1)  # a worker is busy with it
        tree = descendants(process.pid)
        assert tree, "the server started no other process"
        process.send_signal(signum)
        deadline = time.monotonic() + 15  # the issue asks for about 10 s
        while (time.monotonic() < deadline) and (process.poll() is None or any(alive(p, s) for p, s in tree.items())):
            time.sleep(0.1)
        left = [pid for pid, started in tree.items() if alive(pid, started)]
        assert process.poll() is not None, "the server still runs 15 s after the signal"
        assert not left, f"15 s after the signal, processes the server started still run: {left}"
        runaway.close()
    finally:  # what a failed test leaves behind, by pid: the server's processes outlive a killed server
        tree.update(descendants(process.pid))
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        for pid, started in tree.items():
            if alive(pid, started):
                os.kill(pid, signal.SIGKILL)


# -- 8. rebuild ----------------------------------------------------------------------------------
CLAIMS_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
DROPPED_SOURCE = "anadolu-61-countries-agree"


def local_count(project: Project, query: str) -> int:
    """``query``'s one number on the project's dist/, opened in this process."""
    from kg.use.store import open_store

    (row,) = open_store(project).query(query)
    return int(row[0].value)


def test_a_rebuild_switches_every_answer_to_the_new_build_at_once(built, tmp_path):
    project = copy_project(tmp_path / "project")
    shutil.copytree(built.dist, project.dist)
    old = local_count(project, CLAIMS_COUNT)
    seen: list[tuple[float, float, int | str]] = []  # (sent, received, count or what went wrong)
    stopped = threading.Event()

    with serving(project, "--workers", "2") as running:
        _, first, _ = get(running, COUNT)

        def client() -> None:
            while not stopped.is_set():
                sent = time.monotonic()
                try:
                    status, _, body = post(running, CLAIMS_COUNT, timeout=PATIENCE)
                    outcome: int | str = number(body) if status == 200 else f"status {status}: {body[:200]!r}"
                except OSError as err:
                    outcome = f"{type(err).__name__}: {err}"
                seen.append((sent, time.monotonic(), outcome))
                time.sleep(0.05)

        clients = [threading.Thread(target=client) for _ in range(3)]
        for thread in clients:
            thread.start()
        try:
            # a smaller dataset: one source (its claims graph) fewer
            (project.root / "data" / "claims" / f"{DROPPED_SOURCE}.yaml").unlink()
            for path in (project.root / "data" / "sources").glob(f"{DROPPED_SOURCE}.*"):
                path.unlink()
            build = run_build(project)
            assert build.returncode == 0, build.stderr
            built_at = time.monotonic()
            new = local_count(project, CLAIMS_COUNT)
            while time.monotonic() < built_at + 20 and not any(count == new for _, _, count in seen[-6:]):
                time.sleep(0.2)
            time.sleep(1)  # a few answers more after the switch
        finally:
            stopped.set()
            for thread in clients:
                thread.join(timeout=60)
        _, second, _ = get(running, COUNT)
        log = "".join(running.log)

    assert new != old
    wrong = [outcome for _, _, outcome in seen if outcome not in (old, new)]
    assert not wrong, f"answers neither the old count {old} nor the new {new}: {wrong[:5]}"
    switched = min((received for _, received, count in seen if count == new), default=None)
    assert switched is not None, f"the new count {new} was never answered within 20 s of the build"
    assert switched - built_at < 15, f"the new build was first answered {switched - built_at:.1f} s after it was published"
    back = [(sent, count) for sent, _, count in seen if sent > switched and count != new]
    assert not back, f"the old build answered again after the new one had: {back[:5]}"
    assert "reloaded" in log, log[-2000:]
    assert first["ETag"] and second["ETag"] and first["ETag"] != second["ETag"]


# -- 9. options ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "option, value",
    [("--timeout", "nan"), ("--timeout", "inf"), ("--timeout", "0"), ("--timeout", "-1"),
     ("--port", "70000"), ("--workers", "100000"), ("--workers", "0")],
)
def test_an_invalid_option_value_exits_2_with_a_message(built, option, value):
    # a session of its own: if the server starts after all, its whole group is killed
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--project", str(built.root), "--port", "0", "--quiet", option, value],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        _, err = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"kg serve {option} {value} was still running after 15 s")
    assert process.returncode == 2, err
    assert option in err or value in err, err
    assert "Traceback" not in err, err


def test_it_serves_on_the_ipv6_loopback(built):
    with serving(built, "--host", "::1", "--workers", "1") as running:
        assert running.url.startswith("http://[::1]:"), running.url
        status, _, body = get(running, ASK)
    assert status == 200 and json.loads(body)["boolean"] is True


# -- 10. real clients with their defaults --------------------------------------------------------
FORMS = {
    "SELECT": f"SELECT ?label WHERE {{ {CHINA} {LABEL} ?label }}",
    "ASK": f"ASK {{ {CHINA} {LABEL} ?label }}",
    "CONSTRUCT": f"CONSTRUCT {{ ?s {LABEL} ?l }} WHERE {{ ?s {LABEL} ?l }} LIMIT 5",
    "DESCRIBE": f"DESCRIBE {CHINA}",
}


def _china_label_in(graph) -> bool:  # type: ignore[no-untyped-def]
    import rdflib

    return (rdflib.URIRef(CHINA[1:-1]), rdflib.RDFS.label, None) in graph


@pytest.mark.parametrize("form", FORMS)
def test_sparqlwrapper_with_its_defaults(server, form):
    import SPARQLWrapper as sw

    client = sw.SPARQLWrapper(f"{server.url}sparql")  # GET; XML results, RDF/XML graphs
    client.setQuery(FORMS[form])
    converted = client.query().convert()
    if form == "SELECT":
        assert [n.firstChild.firstChild.data for n in converted.getElementsByTagName("binding")] == ["China"]
    elif form == "ASK":
        assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"
    elif form == "CONSTRUCT":
        assert len(converted) == 5
    else:
        assert _china_label_in(converted)


@pytest.mark.parametrize("form", FORMS)
def test_rdflib_sparqlstore_with_its_defaults(server, form):
    import rdflib
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(SPARQLStore(f"{server.url}sparql"))
    result = graph.query(FORMS[form])
    if form == "SELECT":
        assert [str(row[0]) for row in result] == ["China"]
    elif form == "ASK":
        assert result.askAnswer is True
    elif form == "CONSTRUCT":
        assert len(result.graph) == 5
    else:
        assert _china_label_in(result.graph)


def test_get_sparql_without_a_query_describes_the_service(server):
    import rdflib

    status, headers, body = http(f"{server.url}sparql")
    assert status == 200, body[:300]
    graph = rdflib.Graph().parse(data=body, format=headers.get_content_type())
    endpoints = [str(row[0]) for row in graph.query(
        "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> SELECT ?e WHERE { ?s a sd:Service ; sd:endpoint ?e }")]
    assert endpoints and all(e.endswith("/sparql") for e in endpoints), endpoints


def test_default_and_named_graph_uris_restrict_the_dataset(server):
    status, _, body = get(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g LIMIT 2")
    assert status == 200
    first, second = (row["g"]["value"] for row in json.loads(body)["results"]["bindings"])
    status, _, body = get(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{first}> {{ ?s ?p ?o }} }}")
    in_first = number(body)
    status, _, body = get(server, COUNT, default_graph_uri=first)
    assert status == 200 and number(body) == in_first, body[:300]
    status, _, body = get(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graph_uri=second)
    assert status == 200 and [row["g"]["value"] for row in json.loads(body)["results"]["bindings"]] == [second], body[:300]


# -- 11. ETag, Vary, 304 -------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["sparql?query=" + urllib.parse.quote(COUNT), "api/queries/signatories"])
def test_etags_name_the_answer_and_304_skips_the_body(server, path):
    url = server.url + path
    status, json_headers, _ = http(url, headers={"Accept": "application/json, application/sparql-results+json"})
    assert status == 200 and json_headers["ETag"], dict(json_headers)
    assert "accept" in (json_headers.get("Vary") or "").lower(), dict(json_headers)
    again = http(url, headers={"Accept": "application/json, application/sparql-results+json"})[1]
    csv = http(url, headers={"Accept": "text/csv"})[1]
    assert again["ETag"] == json_headers["ETag"] and csv["ETag"] and csv["ETag"] != json_headers["ETag"]
    status, _, body = http(url, headers={"Accept": "application/json, application/sparql-results+json", "If-None-Match": json_headers["ETag"]})
    assert status == 304 and body == b""
