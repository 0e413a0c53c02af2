"""The ASGI application of ``kg serve``: routes, the SPARQL 1.1 Protocol, the REST API, limits.

granian parses HTTP (header deadline, keep-alive, flow control to slow readers, graceful
shutdown); this app answers. A repeated query is answered from the cache before any other
work; otherwise everything refused is refused with a JSON error and the right status before
any query runs when it can be: writes (403), SERVICE calls not allowed (403), nesting or
operator chains too deep (400), bodies or URLs too large (413, 414), unknown media types
(415), unacceptable result types (406). Queries run on the worker pool, each stopped when it
overruns, exhausts its memory or is abandoned by its client.
"""

from __future__ import annotations

import asyncio
import codecs
import json
import os
import sys
import urllib.parse
from pathlib import Path
from typing import Any

from kg.project import Project
from kg.use.server.cache import AnswerCache
from kg.use.server.guard import Refused, check_query
from kg.use.server.pool import WorkerDied, WorkerPool
from kg.use.server.responses import PIECE, Response, Send, Stalled, send_response, tagged
from kg.use.server.settings import Settings
from kg.use.server.worker import JSON, die_with_parent, error
from kg.use.store import build_stamp

STATIC = Path(__file__).resolve().parent / "static"
_STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
_DIST_TYPES = {
    ".ttl": "text/turtle", ".nt": "application/n-triples", ".jsonld": "application/ld+json", ".owl": "application/rdf+xml",
    ".trig": "application/trig", ".nq": "application/n-quads",
    ".tsv": "text/tab-separated-values; charset=utf-8", "": "text/plain; charset=utf-8",
}
# The static site's files (dist/site/) by suffix: pages, pictures, and each page's data.
_SITE_TYPES = {
    **_STATIC_TYPES, ".svg": "image/svg+xml", ".png": "image/png", ".ttl": "text/turtle; charset=utf-8",
    ".jsonld": "application/ld+json", ".nt": "application/n-triples", ".rdf": "application/rdf+xml",
}
_CONTROL = {c: f"\\x{c:02x}" for c in (*range(32), 127)}
_READ_ONLY = "this server is read-only: it accepts no SPARQL Update and no Graph Store writes"
# Media types the service description is offered in, Turtle first.
_DESCRIPTION_TYPES = ("text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples")
_NAMED_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } } ORDER BY ?g"


def _fail(status: int, message: str, hint: str = "") -> Response:
    return Response(*error(status, message, hint))


class Request:
    """What the app reads of one request."""

    def __init__(self, scope: dict[str, Any], receive: Any) -> None:
        self.scope = scope
        self.receive = receive
        self.method: str = scope["method"]
        self.path: str = scope["path"]
        self.query_string: bytes = scope.get("query_string", b"")
        self.headers: dict[bytes, bytes] = {}
        for name, value in scope.get("headers", ()):
            self.headers.setdefault(name.lower(), value)  # granian refuses repeated framing headers itself

    def header(self, name: str) -> str | None:
        value = self.headers.get(name.encode())
        return value.decode("latin-1") if value is not None else None

    def args(self) -> dict[str, list[str]]:
        return form_arguments(self.query_string)

    async def body(self, limit: int) -> bytes:
        """The whole body, refused (413) past ``limit`` bytes, before reading it when its length
        is declared."""
        declared = self.header("content-length")
        if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
            raise Refused(413, f"the request body is {int(declared):,} bytes; this server takes at most {limit:,}", "send a shorter query")
        chunks, size = [], 0
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                raise Refused(499, "the client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise Refused(413, f"the request body is over {limit:,} bytes, the most this server takes", "send a shorter query")
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    async def disconnected(self) -> None:
        """Return once the client has gone (what the app has not read of the body is dropped)."""
        while (await self.receive())["type"] != "http.disconnect":
            pass


class App:
    """The server's state (settings, worker pool, cache, the documents it serves) and its ASGI
    entry point."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.project = Project(settings.root)
        self.pool = WorkerPool(settings.root, settings.workers, settings.memory, self.log)
        self.cache = AnswerCache(settings.cache) if settings.cache else None
        self.sending = 0  # bytes of answers held for clients still reading them
        self.static = {p.name: Response(200, _STATIC_TYPES.get(p.suffix, "application/octet-stream"), p.read_bytes())
                       for p in sorted(STATIC.iterdir()) if p.is_file()}
        self.documents: dict[str, Response] = {}
        self.site: dict[str, Path] = {}  # the static site's files, by their path under dist/site/
        self.queries: dict[str, Any] = {}
        self.named_graphs: tuple[str, list[str]] | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._announcer: asyncio.Task[None] | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def log(self, line: str) -> None:
        """A line in the server's log (standard error), control characters escaped so a request
        cannot forge lines."""
        sys.stderr.write(line.translate(_CONTROL) + "\n")
        sys.stderr.flush()

    def _load_documents(self) -> None:
        """The saved queries, their listing, the OpenAPI document and the list of the site's
        files, read anew for each build."""
        from kg.use.savedquery import saved_queries
        from kg.use.server.openapi import document, listing

        queries = [q for q in saved_queries(self.project.queries_dir) if not q.group]
        self.queries = {q.name: q for q in queries}
        self.documents = {
            "/openapi.json": Response(200, JSON, json.dumps(document(queries), indent=2).encode("utf-8")),
            "/api/queries": Response(200, JSON, json.dumps(listing(queries), ensure_ascii=False).encode("utf-8")),
        }
        site = self.project.dist / "site"
        self.site = {path.relative_to(site).as_posix(): path for path in sorted(site.rglob("*")) if path.is_file()} if site.is_dir() else {}

    async def startup(self) -> None:
        """Load the graph into every worker, then say where the server listens."""
        import signal

        if not die_with_parent(os.getppid(), signal.SIGTERM):  # granian's main process: if it is killed, stop too
            raise WorkerDied("the server's main process is gone")
        self._load_documents()
        await self.pool.start()
        self._watcher = asyncio.ensure_future(self._watch())
        self._announcer = asyncio.ensure_future(self._announce())
        self._stop_queries_on_signals()

    def _stop_queries_on_signals(self) -> None:
        """On SIGINT or SIGTERM, stop every query at once (their clients get 503): granian then
        drains the connections, waiting for the requests in flight, which would otherwise run
        to their time limit. The handler is Python's, beside the event loop's own: the loop
        (asyncio's or uvloop's) learns of the signal through its wake-up descriptor, which a
        Python-level handler does not replace, so granian's shutdown goes on as before."""
        import signal

        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(number)

            def stop(signum: int, frame: object, previous: object = previous) -> None:
                loop.call_soon_threadsafe(self.pool.close)
                if callable(previous):
                    previous(signum, frame)

            signal.signal(number, stop)

    async def _announce(self) -> None:
        """Say where the server listens once it does: granian opens the port only after the
        startup is complete, and a client that reads the line may connect at once."""
        host, port = self.settings.host, self.settings.port
        while True:
            try:
                _, writer = await asyncio.open_connection(host, port)
            except OSError:
                await asyncio.sleep(0.02)
                continue
            writer.close()
            break
        url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
        self.log(f"serving {self.settings.root} at {url} (SPARQL: {url}sparql, API: {url}openapi.json; build {self.pool.build}); Ctrl-C stops")

    async def shutdown(self) -> None:
        """Stop the reload watcher and every worker."""
        for task in (self._watcher, self._announcer):
            if task is not None:
                task.cancel()
        self.pool.close()

    def _dist_state(self) -> tuple[int, int, int] | None:
        try:
            found = os.stat(self.project.dist / "SHA256SUMS")
        except OSError:
            return None
        return found.st_ino, found.st_mtime_ns, found.st_size

    async def _watch(self) -> None:
        """Look at ``dist/`` every ``reload_every`` seconds; when a new build is there, switch
        to it as a whole and say so."""
        seen = self._dist_state()
        while True:
            await asyncio.sleep(self.settings.reload_every)
            state = self._dist_state()
            if state is None or state == seen:
                continue
            seen = state
            old = self.pool.build
            if build_stamp(self.project) == old:
                continue  # rebuilt from the same sources: the same build
            self.log("kg serve: dist/ changed; loading the new build")
            if await self.pool.reload():
                if self.cache is not None:
                    self.cache.clear()
                self.named_graphs = None
                self._load_documents()
                self.log(f"kg serve: reloaded: now serving build {self.pool.build} (was {old})")

    # -- ASGI ------------------------------------------------------------------------------------
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Send) -> None:
        if scope["type"] == "lifespan":
            return await self._lifespan(receive, send)
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        key = None
        if self.cache is not None and request.method in ("GET", "HEAD"):  # a repeated query: before any other work
            key = (self.pool.build, request.path, request.query_string, request.headers.get(b"accept"))
            cached = self.cache.get(key)
            if cached is not None:
                return await self._send(request, send, cached)
        try:
            response = await self._route(request)
        except Refused as err:
            response = _fail(err.status, err.message, err.hint)
        except Exception:  # noqa: BLE001  (never a stack trace to a client)
            import traceback

            self.log(f"kg serve: failed on {request.method} {request.path}: {traceback.format_exc()}")
            response = _fail(500, "the server failed on this request", "try again; if it persists, tell the operator")
        response = tagged(response, self.pool.build)
        if key is not None and response.status == 200 and request.path.startswith(("/sparql", "/api/")):
            self.cache.put(key, response)  # type: ignore[union-attr]
        await self._send(request, send, response)

    async def _lifespan(self, receive: Any, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except WorkerDied as err:
                    await send({"type": "lifespan.startup.failed", "message": str(err)})
                    self.log(f"Error: {err}")
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _send(self, request: Request, send: Send, response: Response) -> None:
        """Send ``response`` (304 when the client holds it already), within the bound on
        bytes held for slow readers; log it."""
        if response.etag and response.status == 200 and request.header("if-none-match") in (response.etag, "*"):
            response = Response(304, "", b"", response.headers, response.etag)
        held = response.size if response.size > PIECE else 0  # one piece is sent at once
        if held and self.sending + held > self.settings.max_sending:
            response = tagged(_fail(503, "the server holds as many large answers as it may for clients still reading them", "retry shortly"), "")
            held = 0
        self.sending += held
        try:
            await send_response(send, response, head=request.method == "HEAD", stall=self.settings.send_stall)
        except (Stalled, OSError, RuntimeError):
            pass  # the client stopped reading or went away: its connection is dropped
        finally:
            self.sending -= held
        if not self.settings.quiet:
            client = request.scope.get("client") or ("-", 0)
            path = request.path + ("?" + request.query_string.decode("latin-1") if request.query_string else "")
            self.log(f"{client[0]} {request.method} {path[:500]} {response.status} {response.size}")

    # -- routes ----------------------------------------------------------------------------------
    async def _route(self, request: Request) -> Response:
        if len(request.path) + len(request.query_string) > self.settings.max_url:
            raise Refused(414, f"the URL is longer than {self.settings.max_url:,} bytes", "send a long query with POST")
        method, path = request.method, request.path
        if method == "OPTIONS":
            return Response(204, "", b"", (
                (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
                (b"access-control-allow-headers", b"Content-Type, Accept"),
                (b"access-control-max-age", b"86400"),
            ))
        if method in ("GET", "HEAD"):
            return await self._get(request)
        if method == "POST":
            return await self._post(request)
        if method in ("PUT", "DELETE", "PATCH") and path in ("/sparql", "/store", "/update"):
            raise Refused(403, _READ_ONLY, "query it with GET or POST /sparql")
        return self._not_allowed(request)

    @staticmethod
    def _not_allowed(request: Request) -> Response:
        allowed = "GET, POST, HEAD, OPTIONS" if request.path == "/sparql" else "GET, HEAD, OPTIONS"
        status, content_type, body = error(405, f"{request.method} is not allowed on {request.path}", f"use {allowed}")
        return Response(status, content_type, body, ((b"allow", allowed.encode()),))

    async def _get(self, request: Request) -> Response:
        path = request.path
        if path in ("/", "/index.html"):
            return self._static("index.html")
        if path.startswith("/static/"):
            return self._static(path[len("/static/"):])
        if path in self.documents:
            return self.documents[path]
        args = request.args()
        if path == "/sparql":
            if "update" in args:
                raise Refused(403, "this server is read-only: SPARQL Update is refused", "")
            if not args:
                return await self._description(request)
            return await self._sparql(request, _only(args, "query"), args)
        if path in ("/update", "/store"):
            raise Refused(403 if path == "/update" else 404, "this server is read-only" if path == "/update" else "no Graph Store here",
                          "download the data from /dist/ (see /dist/void.ttl)")
        if path.startswith("/api/queries/"):
            return await self._saved(request, urllib.parse.unquote(path[len("/api/queries/"):]), args)
        if path == "/api/ask":
            return await self._ask(request, args)
        if path.startswith("/dist/"):
            return self._dist(urllib.parse.unquote(path[len("/dist/"):]))
        if path == "/site" or path.startswith("/site/"):
            return self._site(path)
        if path in ("/ontology", "/dataset") or path.startswith(("/id/", "/disagreement/")):
            return self._document_of(request, path)
        if path.startswith("/claim/"):
            return self._claim(request, path)
        raise Refused(404, f"nothing at {path}", "see / for the query page, /openapi.json for the API")

    async def _post(self, request: Request) -> Response:
        path = request.path
        if path in ("/update", "/store"):
            raise Refused(403, _READ_ONLY, "query it with GET or POST /sparql")
        if path != "/sparql":
            return self._not_allowed(request)
        kind = (request.header("content-type") or "").split(";")[0].strip().lower()
        if kind == "application/sparql-update":
            raise Refused(403, "this server is read-only: SPARQL Update is refused", "")
        if kind not in ("application/x-www-form-urlencoded", "application/sparql-query"):
            raise Refused(415, f"cannot read a request body of type {kind or 'unknown'!r}",
                          "send application/x-www-form-urlencoded (query=…) or application/sparql-query")
        body = await request.body(self.settings.max_body)
        args = request.args()
        if kind == "application/sparql-query":
            return await self._sparql(request, body.decode("utf-8", "replace"), args)
        form = form_arguments(body)
        if "update" in form:
            raise Refused(403, "this server is read-only: SPARQL Update is refused", "")
        return await self._sparql(request, _only(form, "query"), {**args, **form})

    async def _run(self, request: Request, task: dict[str, Any]) -> Response:
        """``task`` on a worker, stopped if the client goes away first."""
        answer = await self.pool.run(task, self.settings.timeout, self.settings.wait, request.disconnected)
        return tagged(Response(*answer.reply), answer.build)

    async def _sparql(self, request: Request, text: str, args: dict[str, list[str]]) -> Response:
        settings = self.settings
        graphs = {name: args.get(name, []) for name in ("default-graph-uri", "named-graph-uri")}  # the worker checks them
        check_query(text, settings.allowed_services)
        task = {"kind": "sparql", "query": text, "accept": request.header("accept"), "max_rows": settings.max_rows,
                "max_bytes": settings.max_bytes, "default_graphs": graphs["default-graph-uri"] or None,
                "named_graphs": graphs["named-graph-uri"] or None}
        return await self._run(request, task)

    async def _description(self, request: Request) -> Response:
        """The SPARQL 1.1 Service Description, in the RDF format the client accepts."""
        from kg.use.server.description import convert, service_description
        from kg.use.server.negotiation import accepted

        if self.named_graphs is None or self.named_graphs[0] != self.pool.build:
            answer = await self.pool.run({"kind": "sparql", "query": _NAMED_GRAPHS, "accept": JSON, "max_rows": 100_000, "max_bytes": None},
                                         self.settings.timeout, self.settings.wait)
            if answer.reply[0] != 200:
                return Response(*answer.reply)
            rows = json.loads(answer.reply[2])["results"]["bindings"]
            self.named_graphs = (answer.build, [row["g"]["value"] for row in rows])
        media = next((m for m, q in accepted(request.header("accept")) if q > 0 and (m in _DESCRIPTION_TYPES or m in ("*/*", "text/*", "application/*"))), None)
        if media is None:
            raise Refused(406, "the service description is RDF", f"accept one of: {', '.join(_DESCRIPTION_TYPES)}")
        media = media if media in _DESCRIPTION_TYPES else ("text/turtle" if media != "application/*" else "application/rdf+xml")
        host = request.header("host") or ""
        if not host or any(not (c.isalnum() or c in ".-:[]") for c in host):
            host = f"{self.settings.host}:{self.settings.port}"
        turtle = service_description(f"http://{host}/sparql", self.named_graphs[1], bool(self.settings.allowed_services))
        body = turtle.encode("utf-8") if media == "text/turtle" else convert(turtle, media)
        return Response(200, media, body)

    async def _saved(self, request: Request, name: str, args: dict[str, list[str]]) -> Response:
        query = self.queries.get(name)
        if query is None:
            raise Refused(404, f"no saved query {name!r}", "GET /api/queries lists them")
        if query.network_required and not self.settings.allowed_services:
            raise Refused(403, f"{name} calls other endpoints (SERVICE), which this server does not do", "")
        fmt = args.pop("format", ["csv" if "text/csv" in (request.header("accept") or "") else "json"])[-1]
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
        settings = self.settings
        return await self._run(request, {"kind": "saved", "name": name, "params": params, "format": fmt,
                                         "max_rows": settings.max_rows, "max_bytes": settings.max_bytes})

    async def _ask(self, request: Request, args: dict[str, list[str]]) -> Response:
        from kg.use.questions import MAX_CHARACTERS

        question = _only(args, "q")
        if len(question) > MAX_CHARACTERS:
            raise Refused(400, f"the question is longer than {MAX_CHARACTERS} characters", "ask a shorter question")
        return await self._run(request, {"kind": "ask", "question": question})

    def _static(self, name: str) -> Response:
        if name not in self.static:
            raise Refused(404, f"no file {name!r}", "")
        return self.static[name]

    def _site(self, path: str) -> Response:
        """A file of the static site (``dist/site/``) by its exact path (a folder's is its
        ``index.html``): only the files the build wrote are known, so no path leads elsewhere."""
        if path == "/site":  # the pages' relative links need the slash
            return Response(301, "text/plain; charset=utf-8", b"see /site/\n", ((b"location", b"/site/"),))
        name = urllib.parse.unquote(path[len("/site/"):])
        if name == "" or name.endswith("/"):
            name += "index.html"
        found = self.site.get(name)
        if found is None:
            raise Refused(404, f"no file {name!r} in the site", "see /site/ for its index (python build.py writes it)")
        try:
            body = found.read_bytes()
        except OSError:  # dist/ was replaced by a new build: the list is read again on reload
            raise Refused(503, "the site is being replaced by a new build", "retry shortly") from None
        return Response(200, _SITE_TYPES.get(found.suffix, "application/octet-stream"), body)

    def _document_of(self, request: Request, path: str) -> Response:
        """303 See Other from a thing's IRI (``/id/<slug>``, ``/disagreement/<key>``, ``/ontology``) to its document in
        the site, in the format the client's Accept asks for: HTML for browsers and ``*/*``,
        else Turtle, JSON-LD, N-Triples or RDF/XML (Linked Data's Cool URIs, the 303 pattern)."""
        from kg.use.server.negotiation import DOCUMENTS, choose_document

        stem = urllib.parse.unquote(path[1:])  # id/<id>, id/<source>/<group>, disagreement/<key>, ontology, dataset
        if stem.startswith("id/evidence/"):  # id/evidence/<source>/…: the evidence is shown with its source's claims
            return self._html_only(request, path, f"id/{stem.split('/')[2]}.html", "claims")
        if f"{stem}.html" not in self.site:
            raise Refused(404, f"the graph describes nothing as {path}", "see /site/ for every thing it describes")
        extension = choose_document(request.header("accept"))
        if extension is None:
            raise Refused(406, f"{path} is offered as HTML, Turtle, JSON-LD, N-Triples and RDF/XML only",
                          "accept one of: " + ", ".join(types[0] for types in DOCUMENTS.values()))
        if f"{stem}.{extension}" not in self.site:
            raise Refused(404, f"the site has no {extension} document of {path}", "ask for text/html or text/turtle")
        target = urllib.parse.quote(f"/site/{stem}.{extension}")
        return Response(303, "text/plain; charset=utf-8", f"see {target}\n".encode(), ((b"location", target.encode()),))

    def _claim(self, request: Request, path: str) -> Response:
        """303 See Other from a claim's IRI (``/claim/<source>/<key>``) to the claim on its
        source's page (``/site/id/<source>.html#<key>``)."""
        source, _, key = urllib.parse.unquote(path[len("/claim/"):]).partition("/")
        if not key or "/" in key:
            raise Refused(404, f"the graph has no claim {path}", "a claim's IRI is /claim/<source>/<key>; see /site/ for the sources")
        return self._html_only(request, path, f"id/{source}.html", key)

    def _html_only(self, request: Request, path: str, page: str, anchor: str) -> Response:
        """303 See Other from the IRI ``path`` of a claim or its evidence to ``anchor`` on the
        site's ``page`` (its source's), for a client that accepts HTML: their statements are in
        the source's named graph, which /sparql and /dist/kg.trig give, not in a document of
        their own."""
        from kg.use.server.negotiation import choose_document

        if page not in self.site:
            raise Refused(404, f"the graph has nothing at {path}", "see /site/ for the sources")
        if choose_document(request.header("accept")) != "html":
            raise Refused(406, f"{path} is offered as HTML only (on its source's page)",
                          "its statements are in its source's named graph: query /sparql, or download /dist/kg.trig")
        target = urllib.parse.quote(f"/site/{page}") + "#" + urllib.parse.quote(anchor)
        return Response(303, "text/plain; charset=utf-8", f"see {target}\n".encode(), ((b"location", target.encode()),))

    def _dist(self, name: str) -> Response:
        dist = self.project.dist
        files = {p.name: p for p in dist.iterdir() if p.is_file()} if dist.is_dir() else {}
        if name not in files:  # only the published files, by exact name: no paths
            raise Refused(404, f"no published file {name!r}", "see /dist/void.ttl for the list")
        return Response(200, _DIST_TYPES.get(files[name].suffix, "application/octet-stream"), files[name].read_bytes())


def form_arguments(raw: bytes) -> dict[str, list[str]]:
    """The arguments of a query string or an ``application/x-www-form-urlencoded`` body, as
    ``urllib.parse.parse_qs(..., keep_blank_values=True)`` reads them, except that bytes not
    percent-encoded are read as UTF-8 too. Five times faster on a long SPARQL query (3 µs
    against 16): the percent escapes are decoded in C."""
    arguments: dict[str, list[str]] = {}
    for pair in raw.split(b"&"):
        if pair:
            name, _, value = pair.partition(b"=")
            arguments.setdefault(_unescaped(name), []).append(_unescaped(value))
    return arguments


def _unescaped(raw: bytes) -> str:
    """``raw`` with ``+`` as a space and ``%XX`` escapes decoded, read as UTF-8 (a byte that is
    not UTF-8 becomes U+FFFD); a ``%`` not followed by two hex digits stays as it is."""
    raw = raw.replace(b"+", b" ")
    if b"%" not in raw:
        return raw.decode("utf-8", "replace")
    # %XX becomes \xXX for the C decoder of Python's byte escapes (codecs.escape_decode: not in the
    # documentation, but in CPython since 2.x; pickle uses it); backslashes are doubled first
    try:
        return codecs.escape_decode(raw.replace(b"\\", b"\\\\").replace(b"%", b"\\x"))[0].decode("utf-8", "replace")
    except ValueError:  # a % not followed by two hex digits
        return urllib.parse.unquote_to_bytes(raw).decode("utf-8", "replace")


def _only(args: dict[str, list[str]], name: str) -> str:
    values = args.get(name, [])
    if len(values) != 1 or not values[0].strip():
        raise Refused(400, f"give exactly one non-empty {name!r} parameter", "e.g. /sparql?query=SELECT…")
    return values[0]


def from_environment() -> App:
    """The app, with the settings ``kg serve`` passed (granian's factory)."""
    return App(Settings.from_environment())
