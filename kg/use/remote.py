"""Run queries on a remote SPARQL 1.1 endpoint, and the HTTP calls of every remote command.

A remote answer is not trusted: each call runs within a :class:`Deadline` (the whole operation's
``--timeout``: connecting, waiting, every read, every retry), is read in chunks up to a size cap
(:data:`MAX_ANSWER`), a redirect is followed for a GET only (urllib would re-send a POST as a
GET without its body), and an answer is parsed in the format its Content-Type names, checked
against what the query form asks for.

Parameters cannot be substituted by a remote engine, so they are bound with a ``VALUES`` block
opening the query's WHERE group, each value written as an RDF term by pyoxigraph (escaped),
never as raw text.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from email.utils import parsedate_to_datetime
from typing import NamedTuple

import pyoxigraph

from kg import __version__
from kg.errors import KGError, excerpt
from kg.use.query import QueryText, check_survivable
from kg.use.results import Result, from_pyoxigraph
from kg.use.sparqltext import query_form, with_values

USER_AGENT = f"aigov-kg/{__version__} (https://w3id.org/aigov; SPARQL client; +https://pypi.org/project/aigov-kg/)"
RETRIES = 3
MAX_ANSWER = 64 * 1024 * 1024  # bytes an answer may have: beyond, the call fails, naming the cap
_CHUNK = 64 * 1024
_GRAPH_ACCEPT = "text/turtle, application/n-triples;q=0.9, application/rdf+xml;q=0.8"
_RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"


class Deadline:
    """When a whole operation must be over: every connection, read and retry wait of it is
    bounded by the time left (:meth:`remaining`)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    @classmethod
    def of(cls, value: float | Deadline) -> Deadline:
        """``value`` itself when it is a deadline, else a deadline ``value`` seconds from now."""
        return value if isinstance(value, Deadline) else cls(value)

    def remaining(self) -> float:
        """Seconds left, 0 once passed."""
        return max(0.0, self.end - time.monotonic())


class RemoteError(Exception):
    """Why a call gave no usable answer, in words (``str``); an HTTP error status keeps its
    ``status`` and ``headers``; ``timed_out`` when the deadline passed; ``reached`` is False when
    no connection was made (so the request surely had no effect); ``hint`` how to fix it, when known."""

    def __init__(self, text: str, status: int | None = None, headers: object = None, timed_out: bool = False,
                 reached: bool = True, hint: str | None = None) -> None:
        super().__init__(text)
        self.hint = hint
        self.status = status
        self.headers = headers
        self.timed_out = timed_out
        self.reached = reached


class Answer(NamedTuple):
    """A successful answer: its media type (lower case, no parameters; "" if none) and body."""

    media_type: str
    body: bytes


def _cut(sock: socket.socket) -> None:
    """Shut ``sock`` down, which ends any read blocked on it (the socket-level call, so that an
    SSL socket is not unwrapped under a reading thread)."""
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class _Watched(urllib.request.HTTPHandler, urllib.request.HTTPSHandler):
    """Opens connections whose socket is shut down when the deadline passes: a server sending a
    byte now and then, which no per-read time-out catches, is cut off all the same."""

    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self.deadline = deadline
        self.timers: list[threading.Timer] = []
        self.fired = False

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection(http.client.HTTPConnection), req)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection(http.client.HTTPSConnection), req, context=self._context)

    def _connection(self, base: type[http.client.HTTPConnection]):  # type: ignore[no-untyped-def]
        def make(host: str, **kwargs: object) -> http.client.HTTPConnection:
            connection = base(host, **kwargs)  # type: ignore[arg-type]
            connect = connection.connect

            def connect_and_watch() -> None:
                connect()
                timer = threading.Timer(self.deadline.remaining(), self._fire, (connection.sock,))
                timer.daemon = True
                timer.start()
                self.timers.append(timer)

            connection.connect = connect_and_watch  # type: ignore[method-assign]
            return connection

        return make

    def _fire(self, sock: socket.socket) -> None:
        self.fired = True
        _cut(sock)

    def close(self) -> None:
        for timer in self.timers:
            timer.cancel()


class _GetOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect of a GET; refuse any other, naming where it pointed (urllib would
    re-send a POST as a GET without its body, and the write would silently not happen)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if req.get_method() in ("GET", "HEAD"):
            return super().redirect_request(req, fp, code, msg, headers, newurl)
        raise RemoteError(f"HTTP {code} {msg}, a redirect to {excerpt(newurl, 200)}: a {req.get_method()} is never re-sent elsewhere", status=code)


def _read(response: http.client.HTTPResponse, deadline: Deadline, limit: int) -> bytes:
    """The body of ``response``, read in chunks, the deadline checked between them; over
    ``limit`` bytes (by Content-Length or by count) is an error naming the cap."""
    declared = (response.headers.get("Content-Length") or "").strip()
    too_large = RemoteError(f"sent an answer over the {limit / 2**20:g} MiB cap", hint="ask for less: add a LIMIT, or narrow the query")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    parts, size = [], 0
    while chunk := response.read1(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise too_large
        if not deadline.remaining():
            raise TimeoutError
        parts.append(chunk)
    return b"".join(parts)


def call(method: str, url: str, deadline: Deadline, body: bytes | None = None, headers: dict[str, str] | None = None,
         limit: int = MAX_ANSWER) -> Answer:
    """Send one HTTP request and read its answer, within ``deadline`` and ``limit`` bytes; every
    failure (HTTP error status, refused redirect, no connection, not HTTP, time-out, too large)
    is a :class:`RemoteError` saying what happened."""
    watch = _Watched(deadline)
    opener = urllib.request.build_opener(watch, _GetOnlyRedirects)
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        if not deadline.remaining():
            raise TimeoutError
        with opener.open(request, timeout=deadline.remaining()) as response:
            answer = Answer(response.headers.get_content_type() if response.headers.get("Content-Type") else "",
                            _read(response, deadline, limit))
        if watch.fired:
            raise TimeoutError
        return answer
    except urllib.error.HTTPError as err:
        try:
            detail = err.read(4096).decode("utf-8", "replace").strip().splitlines()
        except (OSError, http.client.HTTPException):
            detail = []
        shown = f": {detail[0][:300]}" if detail else ""
        raise RemoteError(f"HTTP {err.code} {err.reason}{shown}", status=err.code, headers=err.headers) from None
    except (OSError, http.client.HTTPException, ValueError) as err:
        reason = getattr(err, "reason", err)
        if watch.fired or isinstance(err, TimeoutError) or isinstance(reason, TimeoutError):
            raise RemoteError(f"did not answer within {deadline.seconds:g} s", timed_out=True) from None
        if isinstance(err, http.client.RemoteDisconnected):
            raise RemoteError("closed the connection without answering") from None
        if isinstance(err, http.client.HTTPException):
            raise RemoteError(f"did not answer in HTTP ({type(err).__name__}: {excerpt(str(err))})") from None
        if isinstance(err, urllib.error.URLError):
            raise RemoteError(f"cannot reach it: {reason}", reached=False) from None
        if isinstance(err, ValueError):
            raise RemoteError(f"cannot be called ({excerpt(str(err), 200)})", reached=False) from None
        raise RemoteError(f"the connection failed ({err})") from None
    finally:
        watch.close()


def retry_after(header: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None if absent or bad."""
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return float(header)
    try:
        when = parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def execute_remote(
    endpoint: str,
    query: QueryText,
    terms: dict[str, pyoxigraph.NamedNode | pyoxigraph.Literal] | None = None,
    timeout: float | Deadline = 60.0,
    agent: str = USER_AGENT,
    default_graphs: tuple[str, ...] = (),
    named_graphs: tuple[str, ...] = (),
    limit: int = MAX_ANSWER,
) -> Result:
    """Run ``query`` on ``endpoint`` within ``timeout`` (seconds, or the :class:`Deadline` of the
    whole operation, retries and their waits included) and ``limit`` bytes of answer; HTTP
    errors, time-outs, rate limits and answers that are not what the query asks for become
    KGErrors.

    ``agent`` is the User-Agent header sent (Wikimedia asks for one naming the tool and a
    contact). ``default_graphs`` and ``named_graphs`` name the query's dataset through the
    protocol (``default-graph-uri``, ``named-graph-uri``), for a store whose default graph is not
    the accepted graph; by the protocol, naming any graph leaves out every graph not named."""
    check_survivable(query)
    text = with_values(query.text, terms or {})
    form = query_form(text) or "SELECT"
    graph = form in ("CONSTRUCT", "DESCRIBE")
    deadline = Deadline.of(timeout)
    fields = [("query", text), *(("default-graph-uri", iri) for iri in default_graphs), *(("named-graph-uri", iri) for iri in named_graphs)]
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": _GRAPH_ACCEPT if graph else _RESULTS_ACCEPT, "User-Agent": agent}
    for attempt in range(RETRIES + 1):
        try:
            answer = call("POST", endpoint, deadline, urllib.parse.urlencode(fields).encode("utf-8"), headers, limit)
            break
        except RemoteError as err:
            if err.status not in (429, 503) or attempt == RETRIES:
                raise failure(endpoint, err) from None
            asked = retry_after(err.headers.get("Retry-After") if err.headers else None)  # type: ignore[attr-defined]
            left = deadline.remaining()
            if asked is not None and asked > left:
                raise KGError(f"{endpoint} is rate-limiting (HTTP {err.status}) and asks to wait {asked:.0f} s, more than the "
                              f"{left:.0f} s left of the {deadline.seconds:g} s time-out", hint="try again later, or raise --timeout") from None
            time.sleep(min(2.0**attempt if asked is None else asked, left))
    return _parse(endpoint, form, answer)


def _parse(endpoint: str, form: str, answer: Answer) -> Result:
    """The answer as a :class:`Result`, in the format its Content-Type names (Turtle, or JSON
    results, when it names none), checked to be what ``form`` asks for."""
    graph = form in ("CONSTRUCT", "DESCRIBE")
    if graph:
        rdf = pyoxigraph.RdfFormat.from_media_type(answer.media_type) if answer.media_type else pyoxigraph.RdfFormat.TURTLE
    else:
        results = pyoxigraph.QueryResultsFormat.from_media_type(answer.media_type) if answer.media_type else pyoxigraph.QueryResultsFormat.JSON
    if (rdf if graph else results) is None:
        expected = "RDF (text/turtle)" if graph else "SPARQL results (application/sparql-results+json)"
        raise KGError(f"{endpoint} answered {excerpt(answer.media_type)} to a {form}, which asks for {expected}",
                      hint="check that the URL is a SPARQL endpoint")
    try:
        if graph:
            return Result("graph", triples=[q.triple for q in pyoxigraph.parse(answer.body, format=rdf)])
        parsed = pyoxigraph.parse_query_results(answer.body, format=results)
        if (form == "ASK") != isinstance(parsed, pyoxigraph.QueryBoolean):
            raise ValueError(f"a {form} was answered with {'rows' if form == 'ASK' else 'a boolean'}")
        return _canonical_booleans(from_pyoxigraph(parsed))
    except (SyntaxError, ValueError, MemoryError) as err:
        detail = "a term larger than the parser's 16 MiB buffer" if isinstance(err, MemoryError) else excerpt(str(err) or type(err).__name__, 200)[1:-1]
        raise KGError(f"{endpoint} answered something that is not SPARQL results ({detail})", hint="check that the URL is a SPARQL endpoint") from None


_BOOLEAN = pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_CANONICAL = {"1": pyoxigraph.Literal("true", datatype=_BOOLEAN), "0": pyoxigraph.Literal("false", datatype=_BOOLEAN)}


def _canonical_booleans(result: Result) -> Result:
    """``result`` with each boolean in its canonical form: Virtuoso writes xsd:boolean values as
    "1" and "0" in JSON results, the same values as "true" and "false", which every other engine
    and the local store give (so rows compare, and print, alike)."""
    result.rows = [tuple(_CANONICAL.get(term.value, term) if isinstance(term, pyoxigraph.Literal) and term.datatype == _BOOLEAN else term
                         for term in row) for row in result.rows]
    return result


_HINTS = {
    400: "the endpoint rejected the query; check its syntax and the SPARQL features it supports",
    401: "the endpoint needs credentials",
    404: "check the endpoint URL (for Oxigraph server it ends in /query)",
    429: "the endpoint is rate-limiting; try again later",
    500: "the endpoint failed on this query; try a simpler one",
}


def failure(url: str, err: RemoteError) -> KGError:
    """The KGError for a call to ``url`` that failed with ``err``, with a hint for its cause."""
    if err.timed_out:
        return KGError(f"{url} {err}", hint="raise --timeout, or simplify the query")
    if err.status and 300 <= err.status < 400:
        return KGError(f"{url} answered {err}", hint="give the URL it redirects to, if you trust it")
    if err.status:
        return KGError(f"{url} answered {err}", hint=_HINTS.get(err.status, "see the endpoint's documentation"))
    if not err.reached:
        return KGError(f"{url}: {err}", hint="check the URL (the endpoint's full URL, e.g. http://127.0.0.1:7878/query) and that the server is running")
    return KGError(f"{url} {err}", hint=err.hint or "check that the URL is a SPARQL endpoint")
