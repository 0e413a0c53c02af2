"""A worker process: holds the built graph and answers one task at a time over a pipe, so the
server can kill it when a query overruns (pyoxigraph's ``query`` cannot be cancelled).

A task is a dict (``kind``: ``sparql``, ``saved``, ``ask`` or ``ping``); the answer is
``(status, content type, body)``. Errors are JSON ``{"error": {"status", "message", "hint"}}``
and never carry a stack trace.

A ``sparql`` task: ``query``, ``accept`` (the Accept header, or None), ``max_rows``, optionally
``max_bytes`` and the SPARQL protocol's dataset, ``default_graphs`` and ``named_graphs`` (lists
of IRIs, from ``default-graph-uri`` and ``named-graph-uri``). A ``saved`` task: ``name``,
``params``, ``format`` (``json`` or ``csv``), ``max_rows``, optionally ``max_bytes``. An ``ask``
task: ``question``.

Tasks come numbered and may be skipped before they begin (see :func:`serve`). The worker says
``("ready", stamp)`` once it holds the graph, ``stamp`` naming the build it
loaded (:func:`kg.use.store.build_stamp`), or ``("failed", message)``.
"""

from __future__ import annotations

import collections
import io
import itertools
import json
import os
import pickle
import socket
import sys
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph

from kg.errors import KGError, NotFound, UsageError, excerpt
from kg.project import Project
from kg.use.formats import Format
from kg.use.results import Result
from kg.use.store import build_stamp

Reply = tuple[int, str, bytes]
JSON = "application/json"
# Linux's prctl option asking for a signal when the parent dies (<linux/prctl.h>).
_PR_SET_PDEATHSIG = 1


def error(status: int, message: str, hint: str = "") -> Reply:
    """An error reply as JSON."""
    body = {"error": {"status": status, "message": message, **({"hint": hint} if hint else {})}}
    return status, JSON, json.dumps(body, ensure_ascii=False).encode("utf-8")


def collect(answer: object, max_rows: int) -> Result:
    """What the engine answered, as a :class:`Result`; :class:`TooBig` past ``max_rows`` rows or
    triples."""
    if isinstance(answer, pyoxigraph.QueryBoolean):
        return Result("ask", boolean=bool(answer))
    if isinstance(answer, pyoxigraph.QuerySolutions):
        variables = list(answer.variables)
        rows = [tuple(s[v] for v in variables) for s in itertools.islice(answer, max_rows + 1)]
        result = Result("select", variables=[v.value for v in variables], rows=rows)
        size = len(rows)
    else:
        triples = list(itertools.islice(answer, max_rows + 1))  # type: ignore[call-overload]
        result, size = Result("graph", triples=triples), len(triples)
    if size > max_rows:
        raise TooBig(max_rows)
    return result


class TooBig(Exception):
    """A result over the server's row limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the result has more than {limit:,} rows")
        self.limit = limit


class Overflow(Exception):
    """A rendered result over the server's byte limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the result is more than {limit:,} bytes; this server sends at most {limit:,}")
        self.limit = limit


class BoundedWriter(io.TextIOBase):
    """A text file-like keeping what is written as UTF-8, which raises :class:`Overflow` as soon
    as a write would take it past ``max_bytes`` (that piece is not kept): a big result stops at
    the cap instead of being rendered whole first."""

    def __init__(self, max_bytes: int | None) -> None:
        super().__init__()
        self.max_bytes = max_bytes
        self.pieces: list[bytes] = []
        self.size = 0

    def writable(self) -> bool:
        """Always: this is an output."""
        return True

    def write(self, text: str) -> int:  # type: ignore[override]
        """Keep ``text``, or raise :class:`Overflow` when it does not fit under the cap."""
        data = text.encode("utf-8")
        if self.max_bytes is not None and self.size + len(data) > self.max_bytes:
            raise Overflow(self.max_bytes)
        self.pieces.append(data)
        self.size += len(data)
        return len(text)

    def getvalue(self) -> bytes:
        """Everything written, as bytes."""
        return b"".join(self.pieces)


def dataset(default_graphs: list[str] | None, named_graphs: list[str] | None) -> dict[str, list[pyoxigraph.NamedNode]]:
    """The keywords of ``Store.query`` for the SPARQL protocol's ``default-graph-uri`` and
    ``named-graph-uri``: none when neither is given (the store's own dataset); otherwise both, an
    empty list for the one not given, as the protocol says the request's graphs are the whole
    dataset (and they override the query's FROM and FROM NAMED). A usage error for an IRI that is
    not absolute."""
    if default_graphs is None and named_graphs is None:
        return {}
    return {"default_graph": _iris(default_graphs or [], "default-graph-uri"), "named_graphs": _iris(named_graphs or [], "named-graph-uri")}


def _iris(values: list[str], parameter: str) -> list[pyoxigraph.NamedNode]:
    nodes = []
    for value in values:
        try:
            nodes.append(pyoxigraph.NamedNode(value))
        except ValueError as err:
            raise UsageError(f"{parameter} {excerpt(value)} is not an absolute IRI: {err}", hint="give a full IRI such as https://w3id.org/aigov/graph/wikidata") from None
    return nodes


class Worker:
    """The state of one worker: the store, and the plain-English answerer once asked."""

    def __init__(self, root: Path, memory_limit: int | None = None) -> None:
        from kg.use.store import open_store

        self.project = Project(root)
        self.memory_limit = memory_limit
        # Read before opening: should dist/ be rebuilt in between, the stamp names the older build,
        # so the server sees a stale worker and reloads, instead of missing the rebuild.
        self.stamp = build_stamp(self.project)
        self.store = open_store(self.project)
        self._asker = None

    def handle(self, task: dict) -> Reply:  # type: ignore[type-arg]
        """Answer one task."""
        try:
            kind = task["kind"]
            if kind == "ping":
                return 200, "text/plain", b"pong"
            if kind == "sparql":
                graphs = dataset(task.get("default_graphs"), task.get("named_graphs"))
                return self.sparql(task["query"], task.get("accept"), task["max_rows"], task.get("max_bytes"), graphs)
            if kind == "saved":
                return self.saved(task["name"], task["params"], task.get("format", "json"), task["max_rows"], task.get("max_bytes"))
            if kind == "ask":
                return self.ask(task["question"])
            return error(400, f"unknown task {kind!r}")
        except TooBig as err:
            return error(422, str(err), "add a LIMIT, or ask for less")
        except Overflow as err:
            return error(422, str(err), "add a LIMIT, select fewer columns, or ask for less")
        except MemoryError:
            return out_of_memory(self.memory_limit)
        except NotFound as err:
            return error(404, err.message.replace("--param ", "parameter "), "GET /api/queries/entities lists the entities")
        except KGError as err:  # UsageError too: a bad query or parameter
            where = f" (line {err.line}, column {err.column})" if err.line and err.column else ""
            return error(400, err.message.replace("--param ", "parameter ") + where, err.hint or "")
        except Exception:  # noqa: BLE001  (a client never sees a stack trace)
            return error(500, "the query failed inside the server", "try a simpler query")


    def sparql(self, text: str, accept: str | None, max_rows: int, max_bytes: int | None = None,
               graphs: dict[str, list[pyoxigraph.NamedNode]] | None = None) -> Reply:
        """Run SPARQL ``text`` over the dataset ``graphs`` name (see :func:`dataset`; the store's
        own when empty) and answer in the type ``accept`` prefers, in at most ``max_bytes``.
        ``text`` must have passed the server's guard: what would crash the engine is not
        checked again here."""
        from kg.use.query import QueryText, execute
        from kg.use.server.negotiation import GRAPHS, SOLUTIONS, choose

        # the server's guard has checked the text (kg.use.server.guard.check_query), escapes decoded
        result = execute(self.store, QueryText(text, "query"), collect=lambda answer: collect(answer, max_rows), checked=True, dataset=graphs)
        fmt = choose(accept, result.kind)
        if fmt is None:
            from kg.use.formats import FORMATS

            offered = ", ".join(FORMATS[n].media_type for n in (GRAPHS if result.kind == "graph" else SOLUTIONS))
            return error(406, f"cannot answer this {result.kind.upper()} query in any type the Accept header names", f"accept one of: {offered}")
        return 200, fmt.media_type, _rendered(result, fmt, max_bytes)

    def saved(self, name: str, given: dict[str, str], fmt: str, max_rows: int, max_bytes: int | None = None) -> Reply:
        """Run the saved query ``name`` with the parameters ``given``; CSV, or JSON with its title,
        parameters and rows, in at most ``max_bytes``."""
        from kg.use.formats import FORMATS
        from kg.use.params import bind
        from kg.use.query import execute, local_lookup, saved

        query = saved(self.project, name)
        if query.saved is None or query.saved.group:
            return error(404, f"no saved query {name!r}", "GET /api/queries lists them")
        terms = bind(query.saved, given, local_lookup(self.store))
        result = execute(self.store, query, terms, collect=lambda answer: collect(answer, max_rows))
        if fmt == "csv":
            return 200, "text/csv; charset=utf-8", _rendered(result, FORMATS["csv"], max_bytes)
        head = {"query": name, "title": query.saved.title, "parameters": {k: v.value for k, v in terms.items()}, "variables": result.variables}
        out = BoundedWriter(max_bytes)
        _write_saved_json(head, result, out)
        return 200, JSON, out.getvalue()

    def ask(self, question: str) -> Reply:
        """Answer a plain-English question."""
        from kg.use.questions import Asker

        if self._asker is None:
            self._asker = Asker(self.store, self.project.queries_dir)
        reply = self._asker.ask(question)
        return 200, JSON, json.dumps(reply.as_json(), ensure_ascii=False).encode("utf-8")


def out_of_memory(limit: int | None) -> Reply:
    """The reply for a query that needed more than the ``limit`` bytes a worker may use, whether
    Python ran out (MemoryError) or the engine aborted the worker (the pool's reply)."""
    return error(507, f"the query needed more memory than this server allows each query{_mebibytes(limit)}",
                 "make it need less: fewer rows to sort, group or join, shorter strings, a LIMIT")


def _mebibytes(limit: int | None) -> str:
    """`` (N MiB)`` for a memory limit in bytes (``kg serve --memory`` is in MiB), for messages;
    nothing when there is none."""
    return f" ({limit // 2**20:,} MiB)" if limit else ""


def _rendered(result: Result, fmt: Format, max_bytes: int | None) -> bytes:
    """``result`` in ``fmt`` as bytes; :class:`Overflow` as soon as it passes ``max_bytes``."""
    from kg.use.formats import write

    out = BoundedWriter(max_bytes)
    write(result, fmt, out, compact=True)
    return out.getvalue()


def _write_saved_json(head: dict[str, object], result: Result, out: BoundedWriter) -> None:
    """``{**head, "rows": result.records()}`` as ``json.dumps`` writes it, a row at a time."""
    out.write(json.dumps(head, ensure_ascii=False, default=str)[:-1] + ', "rows": [')
    for index, record in enumerate(result.records()):
        out.write((", " if index else "") + json.dumps(record, ensure_ascii=False, default=str))
    out.write("]}")


def die_with_parent(parent_pid: int | None, signal_number: int | None = None) -> bool:
    """Have Linux send this process ``signal_number`` (SIGKILL by default) when its parent dies,
    so no process of the server outlives it, even a SIGKILLed one; False when the parent
    (``parent_pid``, if given) is gone already, before the request took effect. The signal
    comes when the *thread* that started this process ends, so the parent must start its
    children from a thread that lives as long as it does."""
    import signal

    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal_number or signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    return parent_pid is None or os.getppid() == parent_pid


def _stderr_to(path: str) -> None:
    """Send what this process writes to file descriptor 2 (Python's and the engine's own
    messages, such as an allocation failure before an abort) to the end of the file ``path``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 2)
    os.close(fd)


def main(conn: Connection, root: str, memory_limit: int | None = None, stderr_path: str | None = None,
         parent_pid: int | None = None) -> None:
    """The worker's loop: load the graph, say ready, then answer tasks until the pipe closes.

    ``memory_limit`` caps the process's address space (bytes; ``RLIMIT_AS``): a query that needs
    more fails (507) or kills the worker instead of the machine. ``stderr_path`` receives what
    the process prints. ``parent_pid`` is the pid ``os.getppid()`` should give: the worker exits
    at once if it differs (the parent died before the worker could ask to die with it)."""
    if not die_with_parent(parent_pid):
        return
    if stderr_path is not None:
        _stderr_to(stderr_path)
    # The engine aborts the process when an allocation fails under the ceiling, after printing
    # "memory allocation of N bytes failed"; with RUST_BACKTRACE set it then tries to print a
    # backtrace too, which fails for want of memory or buries that line under forty frames.
    os.environ["RUST_BACKTRACE"] = "0"
    _batch()
    if memory_limit is not None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    try:
        worker = Worker(Path(root), memory_limit)
    except MemoryError:
        conn.send(("failed", f"loading the graph needed more memory than a query worker may use{_mebibytes(memory_limit)}"))
        return
    except Exception as err:  # noqa: BLE001  (told to the server, which stops with the message)
        conn.send(("failed", str(err)))
        return
    try:
        conn.send(("ready", worker.stamp))
        serve(conn, worker)
    except (EOFError, OSError):  # the server closed its end, or is gone: nothing left to answer
        return


def _batch() -> None:
    """Schedule this process as a batch job (Linux's SCHED_BATCH, any user may): it then does
    not preempt the server when the server wakes it with a task. Measured under wrk: the
    server's write of a task took 68 µs (it lost its core to the worker it woke, for the
    length of the query) and 12 µs after this; the share of CPU a worker gets is unchanged."""
    if hasattr(os, "SCHED_BATCH"):
        try:
            os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
        except OSError:  # not allowed here: the worker runs, only the server is preempted more
            pass


def serve(conn: Connection, worker: Worker) -> None:
    """Answer the server's tasks in the order sent, until the connection closes (EOFError).

    A message is ``(number, task)``, or ``(number, None)``: skip that task, sent earlier and not
    yet begun (the server runs it elsewhere). Every task gets one answer, in order:
    ``(number, reply)``, or ``(number, None)`` when it was skipped. Before each task the worker
    takes every message already sent, so a skip that arrived while it ran another is seen."""
    inbox = _Inbox(conn)
    waiting: collections.deque[tuple[int, dict | None]] = collections.deque()  # type: ignore[type-arg]
    while True:
        for message in inbox.read(wait=not waiting):
            _take(waiting, message)
        if not waiting:  # a skip of a task already answered
            continue
        number, task = waiting.popleft()
        # pickle's own dumps, framed by send_bytes: conn.send builds a ForkingPickler per message
        conn.send_bytes(pickle.dumps((number, None if task is None else worker.handle(task)), pickle.HIGHEST_PROTOCOL))


class _Inbox:
    """The server's messages on ``conn`` (multiprocessing's framing: a 4-byte big-endian length,
    then a pickle), read as whole buffers: one system call takes every message already sent,
    where ``Connection.recv`` makes two a message and ``poll`` a third."""

    def __init__(self, conn: Connection) -> None:
        self.socket = socket.socket(fileno=os.dup(conn.fileno()))
        self.buffer = bytearray()

    def read(self, wait: bool) -> list[tuple[int, dict | None]]:  # type: ignore[type-arg]
        """The messages now complete: waiting for one when ``wait``, else only those already
        sent. EOFError when the server has closed its end."""
        messages = self._complete()
        while wait and not messages:
            self._fill(0)
            messages = self._complete()
        if not wait:
            try:
                self._fill(socket.MSG_DONTWAIT)
            except BlockingIOError:
                pass
            messages += self._complete()
        return messages

    def _fill(self, flags: int) -> None:
        data = self.socket.recv(1 << 16, flags)
        if not data:
            raise EOFError("the server closed the connection")
        self.buffer += data

    def _complete(self) -> list[tuple[int, dict | None]]:  # type: ignore[type-arg]
        messages, start, buffer = [], 0, self.buffer
        while len(buffer) - start >= 4:
            size = int.from_bytes(buffer[start:start + 4], "big", signed=True)
            if size < 0:
                raise EOFError("a message too large for this channel")  # the server sends tasks of at most a few MB
            if len(buffer) - start - 4 < size:
                break
            messages.append(pickle.loads(buffer[start + 4:start + 4 + size]))
            start += 4 + size
        del buffer[:start]
        return messages


def _take(waiting: collections.deque[tuple[int, dict | None]], message: tuple[int, dict | None]) -> None:  # type: ignore[type-arg]
    """Queue a task, or mark a queued one skipped (a skip for a task already begun is moot)."""
    number, task = message
    if task is not None:
        waiting.append((number, task))
        return
    for index, (queued, _) in enumerate(waiting):
        if queued == number:
            waiting[index] = (number, None)
