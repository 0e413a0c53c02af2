"""A worker process: holds the built graph and answers one task at a time over a pipe, so the
server can kill it when a query overruns (pyoxigraph's ``query`` cannot be cancelled).

A task is a dict (``kind``: ``sparql``, ``saved``, ``ask`` or ``ping``); the answer is
``(status, content type, body)``. Errors are JSON ``{"error": {"status", "message", "hint"}}``
and never carry a stack trace.
"""

from __future__ import annotations

import itertools
import json
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph

from kg.errors import KGError, NotFound
from kg.project import Project
from kg.use.results import Result

Reply = tuple[int, str, bytes]
JSON = "application/json"


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


def _bounded(reply: Reply, max_bytes: int | None) -> Reply:
    """``reply``, or a 422 when its body is larger than ``max_bytes``."""
    if max_bytes is not None and len(reply[2]) > max_bytes:
        return error(422, f"the result is {len(reply[2]):,} bytes; this server sends at most {max_bytes:,}", "ask for less")
    return reply


class Worker:
    """The state of one worker: the store, and the plain-English answerer once asked."""

    def __init__(self, root: Path) -> None:
        from kg.use.store import open_store

        self.project = Project(root)
        self.store = open_store(self.project)
        self._asker = None

    def handle(self, task: dict) -> Reply:  # type: ignore[type-arg]
        """Answer one task."""
        try:
            kind = task["kind"]
            if kind == "ping":
                return 200, "text/plain", b"pong"
            if kind == "sparql":
                return _bounded(self.sparql(task["query"], task.get("accept"), task["max_rows"]), task.get("max_bytes"))
            if kind == "saved":
                return _bounded(self.saved(task["name"], task["params"], task.get("format", "json"), task["max_rows"]), task.get("max_bytes"))
            if kind == "ask":
                return self.ask(task["question"])
            return error(400, f"unknown task {kind!r}")
        except TooBig as err:
            return error(422, str(err), "add a LIMIT, or ask for less")
        except NotFound as err:
            return error(404, err.message.replace("--param ", "parameter "), "GET /api/queries/entities lists the entities")
        except KGError as err:  # UsageError too: a bad query or parameter
            where = f" (line {err.line}, column {err.column})" if err.line and err.column else ""
            return error(400, err.message.replace("--param ", "parameter ") + where, err.hint or "")
        except Exception:  # noqa: BLE001  (a client never sees a stack trace)
            return error(500, "the query failed inside the server", "try a simpler query")

    def sparql(self, text: str, accept: str | None, max_rows: int) -> Reply:
        from kg.use.formats import render
        from kg.use.query import QueryText, execute
        from kg.use.server.negotiation import choose

        result = execute(self.store, QueryText(text, "query"), collect=lambda answer: collect(answer, max_rows))
        fmt = choose(accept, result.kind)
        if fmt is None:
            offered = "application/sparql-results+json, +xml, text/csv, text/tab-separated-values" if result.kind != "graph" else "text/turtle, application/n-triples, application/ld+json"
            return error(406, f"cannot answer this {result.kind.upper()} query in any type the Accept header names", f"accept one of: {offered}")
        return 200, fmt.media_type, render(result, fmt).encode("utf-8")

    def saved(self, name: str, given: dict[str, str], fmt: str, max_rows: int) -> Reply:
        from kg.use.formats import FORMATS, render
        from kg.use.params import bind
        from kg.use.query import execute, local_lookup, saved

        query = saved(self.project, name)
        if query.saved is None or query.saved.group:
            return error(404, f"no saved query {name!r}", "GET /api/queries lists them")
        terms = bind(query.saved, given, local_lookup(self.store))
        result = execute(self.store, query, terms, collect=lambda answer: collect(answer, max_rows))
        if fmt == "csv":
            return 200, "text/csv; charset=utf-8", render(result, FORMATS["csv"]).encode("utf-8")
        body = {
            "query": name,
            "title": query.saved.title,
            "parameters": {k: v.value for k, v in terms.items()},
            "variables": result.variables,
            "rows": result.records(),
        }
        return 200, JSON, json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")

    def ask(self, question: str) -> Reply:
        from kg.use.questions import Asker

        if self._asker is None:
            self._asker = Asker(self.store, self.project.queries_dir)
        reply = self._asker.ask(question)
        return 200, JSON, json.dumps(reply.as_json(), ensure_ascii=False).encode("utf-8")


def main(conn: Connection, root: str) -> None:
    """The worker's loop: load the graph, say ready, then answer tasks until the pipe closes."""
    try:
        worker = Worker(Path(root))
    except Exception as err:  # noqa: BLE001  (told to the server, which stops with the message)
        conn.send(("failed", str(err)))
        return
    conn.send(("ready", ""))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(worker.handle(task))
