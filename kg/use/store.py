"""Open the published dataset (``dist/``) in pyoxigraph for querying.

The store is laid out as ``kg push`` lays out a triple store, the same for every engine: its
**default graph** is the ontology and the accepted graph (``dist/ontology.nt``, ``dist/kg.nt``),
so a query without ``GRAPH`` reads accepted facts once each; its **named graphs** are each
source's claims (``https://w3id.org/aigov/graph/source/<id>``) and the Wikidata facts
(:data:`ENRICHMENT_GRAPH`), from ``dist/kg.nq``, so ``GRAPH ?g { … }`` reads claims. The
accepted graph is not also a named graph here: a ``GRAPH ?g`` pattern never meets an accepted
triple twice.

Tiny datasets load into memory; past :data:`CACHE_FROM_BYTES` an on-disk Oxigraph store under
``.cache/store/`` (git-ignored, not byte-stable, so outside ``dist/``) is built once and opened
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
    import hashlib

    try:
        return hashlib.sha256((project.dist / "SHA256SUMS").read_bytes()).hexdigest()[:16]
    except OSError:
        return "unknown"


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
    store.bulk_load(path=str(quads), format=pyoxigraph.RdfFormat.N_QUADS)
    store.remove_graph(pyoxigraph.NamedNode(ACCEPTED_GRAPH))  # it is the default graph, loaded next
    for path in triples:
        store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def _cached_store(project: Project, files: list[Path]) -> pyoxigraph.Store:
    """The on-disk store of this build, built first when the cache holds another build.

    Several processes open it at once (``kg serve``'s workers start together): the build is
    made under an exclusive lock, and a process that waited for the lock finds the store of
    this build there and opens it. Replacing a store another process has just opened would
    pull its files from under it (found when four workers started at once)."""
    import fcntl
    import hashlib

    cache = project.root / ".cache" / "store"
    stamp = hashlib.sha256((project.dist / "SHA256SUMS").read_bytes()).hexdigest()
    stamp_file = cache / "dist-sha256"
    cache.parent.mkdir(parents=True, exist_ok=True)
    with open(cache.parent / "store.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (stamp_file.is_file() and stamp_file.read_text(encoding="utf-8") == stamp):
            _rebuild(cache, files, stamp)
        return pyoxigraph.Store.read_only(str(cache / "db"))


def _rebuild(cache: Path, files: list[Path], stamp: str) -> None:
    """Load ``files`` into a new store beside ``cache`` and swap it in."""
    import os
    import shutil
    import tempfile

    staging = Path(tempfile.mkdtemp(prefix="store-", dir=cache.parent))
    retired = None
    try:
        store = _load(pyoxigraph.Store(str(staging / "db")), files)
        store.flush()
        del store
        (staging / "dist-sha256").write_text(stamp, encoding="utf-8")
        if cache.exists():
            retired = Path(tempfile.mkdtemp(prefix="old-", dir=cache.parent))
            os.rename(cache, retired / "store")
        os.rename(staging, cache)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)
