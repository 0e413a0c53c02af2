"""Open the published dataset (``dist/``) in pyoxigraph for querying.

The store is laid out as ``kg push`` lays out a triple store, the same for every engine: its
**default graph** is the ontology and the accepted graph (``dist/ontology.nt``, ``dist/kg.nt``),
so a query without ``GRAPH`` reads accepted facts once each; its **named graphs** are each
source's claims (``https://w3id.org/aigov/graph/source/<id>``) and the Wikidata facts
(:data:`ENRICHMENT_GRAPH`), from ``dist/kg.nq``, so ``GRAPH ?g { … }`` reads claims. The
accepted graph is not also a named graph here: a ``GRAPH ?g`` pattern never meets an accepted
triple twice.

Tiny datasets load into memory; past :data:`CACHE_FROM_BYTES` an on-disk Oxigraph store under
``.cache/store/`` (git-ignored, not byte-stable, so outside ``dist/``) is built once per build and opened
read-only (about 15 ms, whatever the size), and rebuilt whenever ``dist/SHA256SUMS`` changes.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph

from kg.errors import KGError
from kg.namespaces import ACCEPTED_GRAPH, WIKIDATA_GRAPH
from kg.project import Project

# The files whose union is the default graph, and the whole dataset (its named graphs).
GRAPH_FILES = ("ontology.nt", "kg.nt")
DATASET_FILE = "kg.nq"
# The named graph of the facts kg link enrich pulled from Wikidata.
ENRICHMENT_GRAPH = WIKIDATA_GRAPH
# Loading costs about 3 µs a quad (this dataset, about 10,000 quads with the accepted graph loaded twice, 36 ms);
# opening the on-disk store about 15 ms, whatever its size.
CACHE_FROM_BYTES = 256 * 1024


def graph_files(project: Project) -> list[Path]:
    """The N-Triples of the built default graph (the ontology and the accepted graph); a clear
    error when there is no build."""
    return _present(project, [project.dist / name for name in GRAPH_FILES])


def dataset_file(project: Project) -> Path:
    """The N-Quads of the whole built dataset; a clear error when there is no build."""
    return _present(project, [project.dist / DATASET_FILE])[0]


def _present(project: Project, files: list[Path]) -> list[Path]:
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise KGError(f"no built graph: {project.relative(missing[0])} is missing", hint="run python build.py")
    return files


def build_stamp(project: Project) -> str:
    """A short name of the build in ``dist/``: the start of the SHA-256 of its checksum list, so
    the same sources give the same name; "unknown" when there is no build."""
    try:
        return _build_digest(project)[:16]
    except OSError:
        return "unknown"


def _build_digest(project: Project) -> str:
    """The SHA-256 of ``dist/SHA256SUMS``, which lists every published file's own hash."""
    import hashlib

    return hashlib.sha256((project.dist / "SHA256SUMS").read_bytes()).hexdigest()


def open_store(project: Project, cache_from_bytes: int = CACHE_FROM_BYTES) -> pyoxigraph.Store:
    """A store holding the ontology and the accepted graph in its default graph, and each source's
    claims and the Wikidata facts in their named graphs (see the module's description)."""
    files = [*graph_files(project), dataset_file(project)]
    try:
        if sum(f.stat().st_size for f in files) < cache_from_bytes:
            return _load(pyoxigraph.Store(), files)
        return _cached_store(project, files)
    except SyntaxError as err:
        raise KGError(f"the built graph is damaged: {err}", path=project.relative(project.dist), hint="rebuild it: python build.py") from None


def _load(store: pyoxigraph.Store, files: list[Path]) -> pyoxigraph.Store:
    *triples, quads = files
    return load_layout(store, {"path": str(quads)}, [{"path": str(path)} for path in triples])


def load_layout(store: pyoxigraph.Store, quads: dict[str, object], triples: list[dict[str, object]]) -> pyoxigraph.Store:
    """Load the built dataset into ``store`` in this module's layout: ``quads`` (the N-Quads of
    ``kg.nq``) with the accepted graph taken out of the named graphs, then ``triples`` (the
    N-Triples of the ontology and the accepted graph) into the default graph. Each source is the
    keywords of ``Store.bulk_load`` that name it: ``{"path": ...}`` or ``{"input": bytes}``."""
    store.bulk_load(format=pyoxigraph.RdfFormat.N_QUADS, **quads)  # type: ignore[arg-type]
    store.remove_graph(pyoxigraph.NamedNode(ACCEPTED_GRAPH))  # it is the default graph, loaded next
    for source in triples:
        store.bulk_load(format=pyoxigraph.RdfFormat.N_TRIPLES, **source)  # type: ignore[arg-type]
    return store


def _cached_store(project: Project, files: list[Path]) -> pyoxigraph.Store:
    """The on-disk store of this build, made first when the cache does not hold it yet.

    Each build has a store of its own, ``.cache/store/<sha256 of dist/SHA256SUMS>/``, made in a
    staging folder and renamed into place, under an exclusive lock: several processes open
    stores at once (``kg serve``'s workers start together), and one that waited for the lock
    finds the store made and opens it. A store is never replaced under a process that has it
    open (found when four workers started at once and each swapped in its own); the two most
    recent stores are kept, so a server still answering from the previous build keeps its files
    while it switches to the new one."""
    import fcntl
    import os

    stores = project.root / ".cache" / "store"
    stamp = _build_digest(project)
    stores.mkdir(parents=True, exist_ok=True)
    with open(stores / "lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (stores / stamp / "db").is_dir():
            os.utime(stores / stamp)  # recent again: the store in use is one of those kept
        else:
            _make(stores, stamp, files)
        return pyoxigraph.Store.read_only(str(stores / stamp / "db"))


# Stores kept: the build being served and the one before it.
KEEP_STORES = 2


def _make(stores: Path, stamp: str, files: list[Path]) -> None:
    """Load ``files`` into ``stores/<stamp>`` (complete or not there at all), then drop all
    but the :data:`KEEP_STORES` most recent stores."""
    import os
    import shutil
    import tempfile

    staging = Path(tempfile.mkdtemp(prefix="building-", dir=stores))
    try:
        store = _load(pyoxigraph.Store(str(staging / "db")), files)
        store.flush()
        del store
        os.rename(staging, stores / stamp)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    made = sorted((p for p in stores.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in made[KEEP_STORES:]:
        shutil.rmtree(old, ignore_errors=True)
