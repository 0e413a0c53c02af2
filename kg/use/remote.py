"""Run queries on a remote SPARQL 1.1 endpoint through SPARQLWrapper.

Parameters cannot be substituted by a remote engine, so they are bound with a ``VALUES`` block
opening the query's WHERE group, each value written as an RDF term by pyoxigraph (escaped),
never as raw text.
"""

from __future__ import annotations

import socket
import time
import urllib.error
from email.utils import parsedate_to_datetime

import pyoxigraph

from kg import __version__
from kg.errors import KGError
from kg.use.query import QueryText, check_survivable
from kg.use.results import Result
from kg.use.sparqltext import query_form, with_values

USER_AGENT = f"aigov-kg/{__version__} (https://w3id.org/aigov; SPARQL client; +https://pypi.org/project/aigov-kg/)"
RETRIES = 3
MAX_WAIT = 120.0


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
    timeout: float = 60.0,
    agent: str = USER_AGENT,
    default_graphs: tuple[str, ...] = (),
    named_graphs: tuple[str, ...] = (),
) -> Result:
    """Run ``query`` on ``endpoint``; HTTP errors, time-outs and rate limits become KGErrors.

    ``agent`` is the User-Agent header sent (Wikimedia asks for one naming the tool and a
    contact). ``default_graphs`` and ``named_graphs`` name the query's dataset through the
    protocol (``default-graph-uri``, ``named-graph-uri``), for a store whose default graph is not
    the accepted graph; by the protocol, naming any graph leaves out every graph not named."""
    from SPARQLWrapper import JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    check_survivable(query)
    text = with_values(query.text, terms or {})
    client = SPARQLWrapper(endpoint, agent=agent)
    client.setQuery(text)
    # SPARQLWrapper guesses the form with a regular expression that reads words of the comments
    # ("dropped", "address") as DROP or ADD and then sends the query as an update: say it
    client.queryType = query_form(text) or client.queryType
    client.setMethod(POST)
    client.setRequestMethod(URLENCODED)
    client.setTimeout(int(max(1, timeout)))
    for iri in default_graphs:
        client.addDefaultGraph(iri)
    for iri in named_graphs:
        client.addNamedGraph(iri)
    graph = client.queryType in ("CONSTRUCT", "DESCRIBE")
    client.setReturnFormat(TURTLE if graph else JSON)
    for attempt in range(RETRIES + 1):
        try:
            response = client.query()
            body = response.convert()
            break
        except urllib.error.HTTPError as err:
            if err.code not in (429, 503) or attempt == RETRIES:
                raise _http_error(endpoint, err.code, err.reason, err.read()) from None
            wait = retry_after(err.headers.get("Retry-After"))
            wait = 2.0**attempt if wait is None else wait
            if wait > MAX_WAIT:
                raise KGError(f"{endpoint} is rate-limiting (HTTP {err.code}) and asks to wait {wait:.0f} s", hint="try again later") from None
            time.sleep(wait)
        except SPARQLWrapperException as err:
            code = {"QueryBadFormed": 400, "Unauthorized": 401, "EndPointNotFound": 404, "URITooLong": 414, "EndPointInternalError": 500}.get(type(err).__name__)
            raise _http_error(endpoint, code, type(err).__name__, _response_of(err)) from None
        except (TimeoutError, socket.timeout):
            raise _timed_out(endpoint, timeout) from None
        except urllib.error.URLError as err:
            if isinstance(err.reason, (TimeoutError, socket.timeout)):
                raise _timed_out(endpoint, timeout) from None
            raise KGError(f"cannot reach {endpoint}: {err.reason}", hint="check the URL and that the server is running") from None
        except ValueError as err:  # an answer that is not JSON, or a malformed URL
            if type(err).__name__ == "JSONDecodeError":
                raise _not_results(endpoint, err) from None
            raise KGError(f"{endpoint}: {err}", hint="give the endpoint's full URL, e.g. http://127.0.0.1:7878/query") from None
    try:
        if graph:
            return Result("graph", triples=[q.triple for q in pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.TURTLE)])
        return _from_json(body)
    except (SyntaxError, KeyError, TypeError, ValueError) as err:
        raise _not_results(endpoint, err) from None


def _not_results(endpoint: str, err: Exception) -> KGError:
    return KGError(f"{endpoint} answered something that is not SPARQL results ({err})", hint="check that the URL is a SPARQL endpoint")


def _timed_out(endpoint: str, timeout: float) -> KGError:
    return KGError(f"{endpoint} did not answer within {timeout:g} s", hint="raise --timeout, or simplify the query")


def _response_of(err: Exception) -> bytes:
    """The server's answer, which SPARQLWrapper keeps only as a bytes repr inside its message."""
    import ast

    _, found, response = str(err).partition("\n\nResponse:\n")
    try:
        body = ast.literal_eval(response) if found else b""
    except (ValueError, SyntaxError):
        return response.encode("utf-8")
    return body if isinstance(body, bytes) else str(body).encode("utf-8")


def _http_error(endpoint: str, code: int | None, reason: str, body: bytes) -> KGError:
    detail = body.decode("utf-8", "replace").strip().splitlines()
    shown = f": {detail[0][:300]}" if detail else ""
    hints = {
        400: "the endpoint rejected the query; check its syntax and the SPARQL features it supports",
        401: "the endpoint needs credentials",
        404: "check the endpoint URL (for Oxigraph server it ends in /query)",
        429: "the endpoint is rate-limiting; try again later",
        500: "the endpoint failed on this query; try a simpler one",
    }
    return KGError(f"{endpoint} answered HTTP {code} {reason}{shown}", hint=hints.get(code or 0, "see the endpoint's documentation"))


def _term(binding: dict) -> pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal:
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return pyoxigraph.NamedNode(value)
    if kind == "bnode":
        return pyoxigraph.BlankNode(value)
    if "xml:lang" in binding:
        return pyoxigraph.Literal(value, language=binding["xml:lang"])
    if "datatype" in binding:
        return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(binding["datatype"]))
    return pyoxigraph.Literal(value)


def _from_json(document: dict) -> Result:
    if "boolean" in document:
        return Result("ask", boolean=bool(document["boolean"]))
    variables = document["head"]["vars"]
    rows = [tuple(_term(b[v]) if v in b else None for v in variables) for b in document["results"]["bindings"]]
    return Result("select", variables=variables, rows=rows)
