"""Open the published graph (``dist/``) in pyoxigraph for querying.

Small graphs load from ``dist/*.nt`` into memory (about 6 ms for this project's graph); past
:data:`CACHE_FROM_BYTES` an on-disk Oxigraph store under ``.cache/store/`` (git-ignored, not
byte-stable, so outside ``dist/``) is built once and opened read-only, and rebuilt whenever
``dist/SHA256SUMS`` changes.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph

from kg.errors import KGError
from kg.project import Project

# The files whose union is the graph that queries see (the default graph).
GRAPH_FILES = ("ontology.nt", "kg.nt")
# Published beside it when the project has one: the facts pulled from Wikidata by kg link
# enrich, loaded as this named graph.
ENRICHMENT_FILE = "wikidata-enrichment.nt"
ENRICHMENT_GRAPH = "https://w3id.org/aigov/graph/wikidata"
# Loading N-Triples costs about 2.4 µs a triple; opening the on-disk store about 12 ms.
CACHE_FROM_BYTES = 16 * 1024 * 1024


def graph_files(project: Project) -> list[Path]:
    """The N-Triples files of the built graph; a clear error when there is no build."""
    files = [project.dist / name for name in GRAPH_FILES]
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise KGError(f"no built graph: {project.relative(missing[0])} is missing", hint="run python build.py")
    return files


def open_store(project: Project, cache_from_bytes: int = CACHE_FROM_BYTES) -> pyoxigraph.Store:
    """A store holding the built graph in its default graph, and the Wikidata enrichment (when
    published) in the named graph :data:`ENRICHMENT_GRAPH`."""
    files = graph_files(project)
    try:
        if sum(f.stat().st_size for f in files) < cache_from_bytes:
            return _load(pyoxigraph.Store(), files)
        return _cached_store(project, files)
    except SyntaxError as err:
        raise KGError(f"the built graph is damaged: {err}", path=project.relative(project.dist), hint="rebuild it: python build.py") from None


def _load(store: pyoxigraph.Store, files: list[Path]) -> pyoxigraph.Store:
    for path in files:
        store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.N_TRIPLES)
    enrichment = files[0].parent / ENRICHMENT_FILE
    if enrichment.is_file():
        store.bulk_load(path=str(enrichment), format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=pyoxigraph.NamedNode(ENRICHMENT_GRAPH))
    return store


def _cached_store(project: Project, files: list[Path]) -> pyoxigraph.Store:
    import hashlib
    import os
    import shutil
    import tempfile

    cache = project.root / ".cache" / "store"
    stamp = hashlib.sha256((project.dist / "SHA256SUMS").read_bytes()).hexdigest()
    stamp_file = cache / "dist-sha256"
    if not (stamp_file.is_file() and stamp_file.read_text(encoding="utf-8") == stamp):
        cache.parent.mkdir(parents=True, exist_ok=True)
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
        except OSError:
            if not (stamp_file.is_file() and stamp_file.read_text(encoding="utf-8") == stamp):
                raise  # not another process that finished the same rebuild first
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            if retired is not None:
                shutil.rmtree(retired, ignore_errors=True)
    return pyoxigraph.Store.read_only(str(cache / "db"))
