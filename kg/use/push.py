"""Upload the built dataset to a triple store through the SPARQL 1.1 Graph Store Protocol.

One graph at a time, laid out as ``kg query`` sees the dataset: the ontology and the accepted
graph go to the store's default graph (or the graph ``--graph`` names), each source's claims to
its own named graph (``https://w3id.org/aigov/graph/source/<id>``), the Wikidata facts to
theirs. So on Oxigraph server, or any store whose default graph is its own graph, the saved
queries run unchanged; on a store whose default graph is the union of all graphs (Virtuoso,
whose Graph Store also refuses any write to it), push with ``--graph
https://w3id.org/aigov/graph/accepted`` and query with that graph as the dataset's default graph
(``kg query --endpoint … --default-graph …``).

Plain HTTP (:func:`kg.use.remote.call`): the whole push runs within one deadline (``timeout``),
and a redirect of a write is an error naming where it points, never followed (urllib would
re-send the POST as a GET without its body, and report success with nothing stored).
Each graph goes in chunks of N-Triples, each POSTed (added) to the target graph; blank nodes
are kept whole within one chunk, since a blank-node label means the same node only inside one
document. With ``replace``, the
chunks of every graph go to fresh temporary graphs, and when all have arrived one SPARQL Update
request swaps them all in (``MOVE``) and removes the graphs of sources no longer in the dataset
(a retracted source): a store that applies a request as one transaction, as SPARQL 1.1 Update
asks and Oxigraph does, changes from the old dataset to the new one at once, or not at all.
Virtuoso 7.2 applies the operations of a request one by one (measured: an operation that fails
leaves the earlier ones done), so there a failure during the staging still leaves every graph
as it was, but one inside the swap request itself can leave some graphs swapped and others not.
"""

from __future__ import annotations

import urllib.parse
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from kg import __version__
from kg.errors import KGError, UsageError, excerpt
from kg.use.remote import Deadline, RemoteError, call

USER_AGENT = f"aigov-kg/{__version__} (graph store upload)"
CHUNK_TRIPLES = 50_000
TIMEOUT = 600.0  # seconds the whole push may take, by default
CLEANUP = 10.0  # seconds each temporary graph's drop may take after a failure, even past the deadline


@dataclass(frozen=True)
class PushReport:
    """What was written: triples, chunks, and the graph they went to (None: default graph)."""

    triples: int
    chunks: int
    graph: str | None
    replaced: bool
    staged: str | None = None  # the temporary graph holding the upload, until it is swapped in


def chunks(lines: Iterable[str], size: int) -> list[list[str]]:
    """N-Triples ``lines`` in chunks of about ``size``, never splitting the triples that share a
    blank node (so chunks may exceed ``size`` by one blank-node group)."""
    groups: dict[str, list[str]] = {}
    parent: dict[str, str] = {}

    def find(label: str) -> str:
        while parent.setdefault(label, label) != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    plain: list[list[str]] = []
    bnode_lines: list[tuple[list[str], str]] = []
    for line in lines:
        if not line.strip():
            continue
        labels = [token for token in line.split(" ") if token.startswith("_:")]
        if not labels:
            plain.append([line])
            continue
        first = find(labels[0])
        for other in labels[1:]:
            parent[find(other)] = first
        bnode_lines.append((labels, line))
    for labels, line in bnode_lines:
        groups.setdefault(find(labels[0]), []).append(line)
    units = plain + list(groups.values())
    packed: list[list[str]] = []
    current: list[str] = []
    for unit in units:
        if current and len(current) + len(unit) > size:
            packed.append(current)
            current = []
        current.extend(unit)
    if current:
        packed.append(current)
    return packed


def _request(url: str, body: bytes, content_type: str, deadline: Deadline) -> None:
    """POST ``body`` to ``url``; the answer (a status, at most a short message) is read and dropped."""
    call("POST", url, deadline, body, {"Content-Type": content_type, "User-Agent": USER_AGENT}, limit=1024 * 1024)


def _graph_url(store: str, graph: str | None) -> str:
    query = urllib.parse.urlencode({"graph": graph}) if graph else "default"
    return f"{store}{'&' if '?' in store else '?'}{query}"


def _update(endpoint: str, sparql: str, deadline: Deadline) -> None:
    _request(endpoint, urllib.parse.urlencode({"update": sparql}).encode(), "application/x-www-form-urlencoded", deadline)


def push(
    files: list[Path],
    store: str,
    graph: str | None = None,
    replace: bool = False,
    update: str | None = None,
    chunk_triples: int = CHUNK_TRIPLES,
    timeout: float | Deadline = TIMEOUT,
    progress: Callable[[int, int, int], None] = lambda done, total, triples: None,
) -> PushReport:
    """Upload the N-Triples ``files`` to the Graph Store at ``store`` (e.g. Oxigraph's
    ``http://host:7878/store``) into ``graph`` (default graph when None).

    ``progress(done_chunks, total_chunks, triples_so_far)`` is called after each chunk;
    ``timeout`` bounds the whole upload (seconds, or a :class:`~kg.use.remote.Deadline`).
    """
    return push_lines(_lines(files), store, graph, replace, update, chunk_triples, timeout, progress)


def push_dataset(
    default_files: list[Path],
    dataset_file: Path,
    store: str,
    graph: str | None = None,
    replace: bool = False,
    update: str | None = None,
    chunk_triples: int = CHUNK_TRIPLES,
    timeout: float | Deadline = TIMEOUT,
    progress: Callable[[str | None, int, int, int], None] = lambda graph, done, total, triples: None,
) -> list[PushReport]:
    """Upload the dataset one graph at a time: ``default_files`` (the ontology and the accepted
    graph, N-Triples) into ``graph`` (the default graph when None), then every named graph of
    ``dataset_file`` (N-Quads) but the accepted graph into its own IRI. With ``replace``, each
    graph is swapped in whole and the source graphs the dataset no longer holds are removed.

    ``progress(graph, done_chunks, total_chunks, triples_so_far)`` is called after each chunk;
    ``timeout`` bounds the whole push, the swap included (seconds, or a
    :class:`~kg.use.remote.Deadline`).
    """
    from kg.namespaces import ACCEPTED_GRAPH, SOURCE_GRAPH

    named: dict[str, list[str]] = {}
    for line in dataset_file.read_text(encoding="utf-8").splitlines():
        if line.strip():
            triple, iri, _ = line.rsplit(" ", 2)
            named.setdefault(iri[1:-1], []).append(triple + " .")
    named.pop(ACCEPTED_GRAPH, None)  # it goes to --graph, with the ontology
    uploads = [(graph, _lines(default_files)), *sorted(named.items())]
    reports: list[PushReport] = []
    deadline = Deadline.of(timeout)
    try:
        for iri, lines in uploads:
            reports.append(push_lines(lines, store, iri, replace, update, chunk_triples, deadline,
                                      lambda done, total, triples, iri=iri: progress(iri, done, total, triples), swap=False))
    except KGError as err:
        if replace and reports:  # the failed graph dropped its own partial upload; drop the others'
            left = _drop_staged(update, reports)
            state = ("every graph on the store is unchanged" if not left else
                     f"every graph on the store is unchanged; temporary graphs that could not be dropped: {', '.join(left)}")
            raise KGError(f"{err.message.split('; ', 1)[0]}; {state}", hint=err.hint) from None
        raise
    if replace:
        moves = [_move(r.staged or "", r.graph) for r in reports]
        kept = ", ".join(str(pyoxigraph.NamedNode(iri)) for iri in sorted(named) if iri.startswith(SOURCE_GRAPH))
        # one pass over the quads for the source graphs' names, each name checked against the kept
        # ones, then the quads of the stale graphs alone (MINUS { VALUES ?g … } would be a hash
        # join, but Virtuoso's compiler fails on it)
        prune = (f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ "
                 f"{{ SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (STRSTARTS(STR(?g), \"{SOURCE_GRAPH}\")) }} }} "
                 f"FILTER (?g NOT IN ({kept})) GRAPH ?g {{ ?s ?p ?o }} }}")
        try:
            _update(update or "", " ;\n".join([*moves, prune]), deadline)
        except RemoteError as err:
            left = _drop_staged(update, reports)
            raise KGError(
                f"every graph arrived, but the request that swaps them in failed ({update}: {err}); a store that applies a "
                "request as one transaction is unchanged; "
                + (f"temporary graphs that could not be dropped: {', '.join(left)}" if left else "the temporary graphs were dropped"),
                hint="check the update endpoint accepts writes, then push again",
            ) from None
    return reports


def push_lines(
    lines: list[str],
    store: str,
    graph: str | None = None,
    replace: bool = False,
    update: str | None = None,
    chunk_triples: int = CHUNK_TRIPLES,
    timeout: float | Deadline = TIMEOUT,
    progress: Callable[[int, int, int], None] = lambda done, total, triples: None,
    swap: bool = True,
) -> PushReport:
    """Upload N-Triples ``lines`` (see :func:`push`). With ``replace`` and not ``swap``, leave
    them in the temporary graph the report names (``staged``), for the caller to swap in."""
    deadline = Deadline.of(timeout)
    for name, url in (("store", store), ("update", update)):
        if url is not None and not url.startswith(("http://", "https://")):
            raise UsageError(f"--{name} {excerpt(url)} is not an http(s) URL", hint=f"give the full URL, e.g. http://127.0.0.1:7878/{name}")
    if graph is not None:
        try:
            graph = pyoxigraph.NamedNode(graph).value
        except ValueError as err:
            raise UsageError(f"--graph {excerpt(graph)} is not an IRI ({err})", hint="give an absolute IRI, e.g. https://w3id.org/aigov/dataset") from None
    if replace and not update:
        raise KGError(
            "--replace needs a SPARQL Update endpoint (--update URL) to swap the new graph in at once",
            hint="the Graph Store Protocol alone cannot rename a graph; for Oxigraph server the update endpoint is http://HOST:PORT/update",
        )
    parts = chunks(lines, chunk_triples)
    temporary = f"urn:aigov-kg:upload:{uuid.uuid4()}" if replace else None
    target = temporary or graph
    url = _graph_url(store, target)
    written, total = 0, sum(len(part) for part in parts)
    for number, part in enumerate(parts, start=1):
        try:
            _request(url, ("\n".join(part) + "\n").encode("utf-8"), "application/n-triples", deadline)
        except RemoteError as err:
            where = f"<{graph}>" if graph else "the default graph"
            if temporary:
                dropped = _drop_quietly(update, temporary)
                state = f"{where} is unchanged; the partial upload in <{temporary}> " + ("was dropped" if dropped else "could not be dropped: drop it by hand")
            else:
                state = (f"triples 1–{written:,} were written to {where}; the other {total - written:,} were not"
                         if written else f"nothing was written to {where}")
                if err.reached and err.status is None:  # sent, and no verdict came back
                    state += f", unless the store kept chunk {number} (triples {written + 1:,}–{written + len(part):,}) all the same"
            raise KGError(
                f"upload to {store} failed at chunk {number} of {len(parts)} ({store}: {err}); {state}",
                hint="check the store is up and accepts writes, then push again" + _default_graph_hint(graph, err),
            ) from None
        written += len(part)
        progress(number, len(parts), written)
    if temporary and not swap:
        return PushReport(written, len(parts), graph, replace, temporary)
    if temporary:
        try:
            _update(update or "", _move(temporary, graph), deadline)
        except RemoteError as err:
            dropped = _drop_quietly(update, temporary)
            raise KGError(
                f"all {written:,} triples arrived in <{temporary}>, but swapping them in failed ({update}: {err}); a store that "
                "applies a request as one transaction left the target graph unchanged; the temporary graph "
                + ("was dropped" if dropped else f"<{temporary}> could not be dropped: drop it by hand"),
                hint="check the update endpoint accepts writes, then push again" + _default_graph_hint(graph, err),
            ) from None
    return PushReport(written, len(parts), graph, replace)


def _default_graph_hint(graph: str | None, err: RemoteError) -> str:
    """More of the hint when a store refused a write to its default graph: Virtuoso's default
    graph is the union of all graphs, and its Graph Store takes no upload to it, nor a MOVE."""
    from kg.namespaces import ACCEPTED_GRAPH

    if graph is not None or err.status is None:
        return ""
    return f"; a store whose default graph is the union of all graphs (Virtuoso) takes no write to it: push with --graph {ACCEPTED_GRAPH}"


def _lines(files: list[Path]) -> list[str]:
    """The lines of the N-Triples ``files``, in order."""
    return [line for path in files for line in path.read_text(encoding="utf-8").splitlines()]


def _move(staged: str, graph: str | None) -> str:
    """The SPARQL Update that swaps the ``staged`` temporary graph into ``graph`` (None: the default graph)."""
    return f"MOVE GRAPH {pyoxigraph.NamedNode(staged)} TO " + (f"GRAPH {pyoxigraph.NamedNode(graph)}" if graph else "DEFAULT")


def _drop_staged(update: str | None, reports: list[PushReport]) -> list[str]:
    """Drop the temporary graphs of ``reports`` after a failure; those that could not be dropped."""
    return [r.staged for r in reports if r.staged and not _drop_quietly(update, r.staged)]


def _drop_quietly(update: str | None, graph: str) -> bool:
    """Try to drop the temporary ``graph`` after a failure, within :data:`CLEANUP` seconds of its
    own (the push's deadline may have passed); whether it was dropped."""
    try:
        _update(update or "", f"DROP SILENT GRAPH {pyoxigraph.NamedNode(graph)}", Deadline(CLEANUP))
        return True
    except RemoteError:
        return False
