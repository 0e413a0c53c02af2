"""The HTTP side of ``kg serve``: routes, the SPARQL 1.1 Protocol, the REST API, limits.

Threads take requests (the standard library's ThreadingHTTPServer); queries go to the worker
pool. Everything refused is refused with a JSON error and the right status, before any query
runs when it can be: writes (403), SERVICE calls not allowed (403), nesting too deep (400),
bodies too large (413), unknown media types (415), unacceptable result types (406).
"""

from __future__ import annotations

import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple

from kg import __version__
from kg.use.server.guard import Refused, check_query
from kg.use.server.pool import WorkerPool
from kg.use.server.worker import JSON, Reply, error

STATIC = Path(__file__).resolve().parent / "static"
_STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
_DIST_TYPES = {
    ".ttl": "text/turtle", ".nt": "application/n-triples", ".jsonld": "application/ld+json", ".owl": "application/rdf+xml",
    ".trig": "application/trig", ".nq": "application/n-quads",
    ".tsv": "text/tab-separated-values; charset=utf-8", "": "text/plain; charset=utf-8",
}
_CONTROL = {c: f"\\x{c:02x}" for c in (*range(32), 127)}


class Settings(NamedTuple):
    """How the server runs: where, with how many workers, and its limits."""

    root: Path
    host: str = "127.0.0.1"
    port: int = 7878
    workers: int = 4
    timeout: float = 10.0  # seconds a query may run
    wait: float = 10.0  # seconds a request may wait for a free worker
    max_rows: int = 100_000
    max_body: int = 1_000_000  # bytes of a request body
    max_bytes: int = 50_000_000  # bytes of a result
    max_connections: int = 200  # connections open at once (each holds a thread)
    allowed_services: frozenset[str] = frozenset()
    quiet: bool = False


class Server(ThreadingHTTPServer):
    """The HTTP server, with its settings, worker pool and the documents it serves."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self, settings: Settings) -> None:
        import threading

        from kg.project import Project
        from kg.use.savedquery import saved_queries
        from kg.use.server.openapi import document
        from kg.use.store import graph_files

        self.settings = settings
        self.project = Project(settings.root)
        graph_files(self.project)  # a clear error now when there is no build
        self.queries = [q for q in saved_queries(self.project.queries_dir) if not q.group]
        self.openapi = json.dumps(document(self.queries), indent=2).encode("utf-8")
        self.listing = json.dumps([
            {"name": q.name, "title": q.title, "description": q.description,
             "params": [{"name": p.name, "type": p.type, "default": p.default, "doc": p.doc} for p in q.params],
             "phrasings": list(q.phrasings), "network_required": q.network_required,
             "sparql": _with_defaults(q)}
            for q in self.queries
        ], ensure_ascii=False).encode("utf-8")
        self.connections = threading.BoundedSemaphore(settings.max_connections)
        self.pool = WorkerPool(settings.root, settings.workers)
        try:
            super().__init__((settings.host, settings.port), Handler)
        except OSError:
            self.pool.close()
            raise

    def process_request(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        """Take the connection only while under the cap; else say 503 and close it at once."""
        if not self.connections.acquire(blocking=False):
            try:
                _, _, body = error(503, "too many open connections", "retry shortly")
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
                                b"Retry-After: 5\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.connections.release()

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()


class Handler(BaseHTTPRequestHandler):
    """One HTTP request."""

    server: Server
    server_version = f"aigov-kg/{__version__}"
    protocol_version = "HTTP/1.1"
    timeout = 30  # seconds a client may take to send its request
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK hold every keep-alive answer for 40 ms (measured).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        if not self.server.settings.quiet:  # control characters escaped: a request line cannot forge log lines
            sys.stderr.write(f"{self.address_string()} {(format % args).translate(_CONTROL)}\n")

    # -- replies ---------------------------------------------------------------------------
    def reply(self, status: int, content_type: str, body: bytes, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if status != 204:  # RFC 9110: no Content-Length, no Content-Type on 204
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")  # read-only open data: any page may query it
        self.send_header("X-Content-Type-Options", "nosniff")
        if content_type.startswith("text/html"):
            self.send_header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's own refusals (a request line too long, malformed headers) as
        JSON too, not its HTML page."""
        self.close_connection = True
        self.reply(*error(code, message or self.responses.get(code, ("error",))[0]), {"Connection": "close"})

    def send(self, answer: Reply) -> None:
        status, content_type, body = answer
        self.reply(status, content_type, body, {"Retry-After": "5"} if status == 503 else None)

    def fail(self, status: int, message: str, hint: str = "") -> None:
        self.send(error(status, message, hint))

    # -- methods ---------------------------------------------------------------------------
    def do_OPTIONS(self) -> None:
        self.reply(204, "text/plain", b"", {
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type, Accept",
            "Access-Control-Max-Age": "86400",
        })

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        self.guarded(self.get)

    def do_POST(self) -> None:
        self.guarded(self.post)

    def do_PUT(self) -> None:
        self.guarded(self.write)

    do_DELETE = do_PATCH = do_PUT

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        """Any other method (TRACE, CONNECT, QUERY, …): 405, not the standard library's 501."""
        if name.startswith("do_"):
            return lambda: self.guarded(self.not_allowed)
        raise AttributeError(name)

    def guarded(self, handle) -> None:  # type: ignore[no-untyped-def]
        try:
            if self.command != "POST":
                self.discard_body()  # what a GET or DELETE carries must not be read as the next request
            handle()
        except Refused as err:
            self.fail(err.status, err.message, err.hint)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception:  # noqa: BLE001  (never a stack trace to a client)
            self.fail(500, "the server failed on this request", "try again; if it persists, tell the operator")

    def write(self) -> None:
        if urllib.parse.urlsplit(self.path).path in ("/sparql", "/store", "/update"):
            raise Refused(403, "this server is read-only: it accepts no SPARQL Update and no Graph Store writes", "query it with GET or POST /sparql")
        self.not_allowed()

    def not_allowed(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        allowed = "GET, POST, HEAD, OPTIONS" if path == "/sparql" else "GET, HEAD, OPTIONS"
        self.reply(*error(405, f"{self.command} is not allowed on {path}", f"use {allowed}"), {"Allow": allowed})

    # -- routes ----------------------------------------------------------------------------
    def get(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        args = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        path = url.path
        if path in ("/", "/index.html"):
            return self.static("index.html")
        if path.startswith("/static/"):
            return self.static(path[len("/static/"):])
        if path == "/sparql":
            if "update" in args:
                raise Refused(403, "this server is read-only: SPARQL Update is refused", "")
            return self.sparql(self.only(args, "query"), args)
        if path in ("/update", "/store"):
            raise Refused(403 if path == "/update" else 404, "this server is read-only" if path == "/update" else "no Graph Store here",
                          "download the data from /dist/ (see /dist/void.ttl)")
        if path == "/openapi.json":
            return self.reply(200, JSON, self.server.openapi)
        if path == "/api/queries":
            return self.reply(200, JSON, self.server.listing)
        if path.startswith("/api/queries/"):
            return self.saved(urllib.parse.unquote(path[len("/api/queries/"):]), args)
        if path == "/api/ask":
            return self.ask(args)
        if path.startswith("/dist/"):
            return self.dist(urllib.parse.unquote(path[len("/dist/"):]))
        raise Refused(404, f"nothing at {path}", "see / for the query page, /openapi.json for the API")

    def post(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path == "/update" or path == "/store":
            self.discard_body()
            return self.write()
        if path != "/sparql":
            self.discard_body()
            return self.not_allowed()
        body = self.body()
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            if "update" in form:
                raise Refused(403, "this server is read-only: SPARQL Update is refused", "")
            args = {**urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query, keep_blank_values=True), **form}
            return self.sparql(self.only(form, "query"), args)
        if kind == "application/sparql-query":
            args = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query, keep_blank_values=True)
            return self.sparql(body.decode("utf-8", "replace"), args)
        if kind == "application/sparql-update":
            raise Refused(403, "this server is read-only: SPARQL Update is refused", "")
        raise Refused(415, f"cannot read a request body of type {kind or 'unknown'!r}",
                      "send application/x-www-form-urlencoded (query=…) or application/sparql-query")

    # -- request parts ---------------------------------------------------------------------
    def body_size(self) -> int:
        """The declared body size; refuses what this server does not read (chunked bodies, a
        Content-Length that is not a whole number, a body over the limit) and then closes the
        connection, so no unread byte is ever taken for the next request."""
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise Refused(411, "chunked request bodies are not accepted", "send a Content-Length")
        length = (self.headers.get("Content-Length") or "0").strip()
        if not length.isdigit():
            self.close_connection = True
            raise Refused(400, "Content-Length is not a whole number", "")
        size = int(length)
        if size > self.server.settings.max_body:
            self.close_connection = True
            raise Refused(413, f"the request body is {size:,} bytes; this server takes at most {self.server.settings.max_body:,}", "send a shorter query")
        return size

    def body(self) -> bytes:
        if self.headers.get("Content-Length") is None and not self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise Refused(411, "a request body needs a Content-Length", "")
        return self.rfile.read(self.body_size())

    def discard_body(self) -> None:
        """Read and drop a body the request should not have had (GET with a body)."""
        self.rfile.read(self.body_size())

    @staticmethod
    def only(args: dict[str, list[str]], name: str) -> str:
        values = args.get(name, [])
        if len(values) != 1 or not values[0].strip():
            raise Refused(400, f"give exactly one non-empty {name!r} parameter", "e.g. /sparql?query=SELECT…")
        return values[0]

    # -- handlers --------------------------------------------------------------------------
    def sparql(self, text: str, args: dict[str, list[str]]) -> None:
        if args.get("default-graph-uri") or args.get("named-graph-uri"):
            raise Refused(400, "default-graph-uri and named-graph-uri are not supported", "the default graph is the whole dataset")
        settings = self.server.settings
        check_query(text, settings.allowed_services)
        task = {"kind": "sparql", "query": text, "accept": self.headers.get("Accept"), "max_rows": settings.max_rows, "max_bytes": settings.max_bytes}
        self.send(self.server.pool.run(task, settings.timeout, settings.wait))

    def saved(self, name: str, args: dict[str, list[str]]) -> None:
        known = {q.name: q for q in self.server.queries}
        if name not in known:
            raise Refused(404, f"no saved query {name!r}", "GET /api/queries lists them")
        query = known[name]
        if query.network_required and not self.server.settings.allowed_services:
            raise Refused(403, f"{name} calls other endpoints (SERVICE), which this server does not do", "")
        fmt = args.pop("format", ["csv" if "text/csv" in (self.headers.get("Accept") or "") else "json"])[-1]
        if fmt not in ("json", "csv"):
            raise Refused(400, f"format {fmt!r} is not json or csv", "")
        declared = {p.name for p in query.params}
        unknown = sorted(set(args) - declared)
        if unknown:
            raise Refused(400, f"{name} has no parameter {unknown[0]!r}", f"it takes: {', '.join(sorted(declared)) or 'none'}")
        params = {}
        for key, values in args.items():
            if len(values) != 1:
                raise Refused(400, f"give {key!r} once", "")
            params[key] = values[0]
        settings = self.server.settings
        task = {"kind": "saved", "name": name, "params": params, "format": fmt, "max_rows": settings.max_rows, "max_bytes": settings.max_bytes}
        self.send(self.server.pool.run(task, settings.timeout, settings.wait))

    def ask(self, args: dict[str, list[str]]) -> None:
        question = self.only(args, "q")
        if len(question) > 1000:
            raise Refused(400, "the question is longer than 1000 characters", "ask a shorter question")
        settings = self.server.settings
        self.send(self.server.pool.run({"kind": "ask", "question": question}, settings.timeout, settings.wait))

    def static(self, name: str) -> None:
        files = {p.name: p for p in STATIC.iterdir()} if STATIC.is_dir() else {}
        if name not in files:
            raise Refused(404, f"no file {name!r}", "")
        self.reply(200, _STATIC_TYPES.get(files[name].suffix, "application/octet-stream"), files[name].read_bytes())

    def dist(self, name: str) -> None:
        dist = self.server.project.dist
        files = {p.name: p for p in dist.iterdir() if p.is_file()}
        if name not in files:  # only the published files, by exact name: no paths
            raise Refused(404, f"no published file {name!r}", "see /dist/void.ttl for the list")
        self.reply(200, _DIST_TYPES.get(files[name].suffix, "application/octet-stream"), files[name].read_bytes())


def _with_defaults(query) -> str:  # type: ignore[no-untyped-def]
    """A saved query's SPARQL, header dropped, with its parameters' defaults in a VALUES block."""
    import pyoxigraph

    from kg.namespaces import ID
    from kg.use.sparqltext import with_values

    terms = {}
    for param in query.params:
        if param.default is None:
            continue
        if param.type == "entity":
            terms[param.name] = pyoxigraph.NamedNode(ID + param.default)
        elif param.type in ("integer", "year"):
            terms[param.name] = pyoxigraph.Literal(param.default, datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
        else:
            terms[param.name] = pyoxigraph.Literal(param.default)
    body = "\n".join(line for line in query.text.splitlines() if not line.startswith("#+"))
    return with_values(body, terms)


def serve(settings: Settings, ready=None) -> None:  # type: ignore[no-untyped-def]
    """Serve until interrupted; ``ready(url)`` is called once the server listens."""
    server = Server(settings)
    host, port = server.server_address[:2]
    url = f"http://{host}:{port}/"
    try:
        if ready:
            ready(url)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
