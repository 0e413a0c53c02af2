"""Opening the built graph: in memory when small, an on-disk cache outside dist/ when large."""

import shutil

import pytest

from kg.errors import KGError
from kg.use.store import open_store
from tests.conftest import copy_project


def test_small_graphs_load_in_memory(built, tmp_path):
    project = copy_project(tmp_path / "p")
    shutil.copytree(built.dist, project.dist)
    store = open_store(project, cache_from_bytes=1 << 40)
    assert len(store) > 1000
    assert not (project.root / ".cache").exists()


def test_the_layout_is_the_same_in_memory_and_cached(built, tmp_path):
    """The default graph holds the ontology and the accepted graph; the named graphs hold the
    sources' claims and the Wikidata facts, never the accepted graph a second time."""
    project = copy_project(tmp_path / "p")
    shutil.copytree(built.dist, project.dist)
    count = "SELECT (COUNT(*) AS ?n) WHERE { %s }"
    for store in (open_store(project, cache_from_bytes=1 << 40), open_store(project, cache_from_bytes=0)):
        default = int(next(store.query(count % "?s ?p ?o"))["n"].value)
        assert default == sum(1 for name in ("ontology.nt", "kg.nt") for _ in (built.dist / name).open(encoding="utf-8"))
        graphs = {row["g"].value for row in store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
        assert "https://w3id.org/aigov/graph/accepted" not in graphs
        assert "https://w3id.org/aigov/graph/source/asianews-china-paris-ai-summit" in graphs and len(graphs) >= 10


def test_large_graphs_use_a_cache_rebuilt_when_dist_changes(built, tmp_path):
    project = copy_project(tmp_path / "p")
    shutil.copytree(built.dist, project.dist)
    first = open_store(project, cache_from_bytes=0)
    size = len(first)
    del first
    stores = project.root / ".cache" / "store"
    made = [p for p in stores.iterdir() if p.is_dir()]
    assert len(made) == 1 and size == len(open_store(built))
    database = sorted(p.name for p in (made[0] / "db").iterdir())
    assert len(open_store(project, cache_from_bytes=0)) == size
    assert sorted(p.name for p in (made[0] / "db").iterdir()) == database  # reused, not rebuilt
    for change in (1, 2):
        with (project.dist / "kg.nt").open("a", encoding="utf-8") as nt:
            nt.write(f"<urn:a> <urn:b> <urn:c{change}> .\n")
        with (project.dist / "SHA256SUMS").open("a", encoding="utf-8") as sums:
            sums.write(f"{change}  changed\n")
        assert len(open_store(project, cache_from_bytes=0)) == size + change
    assert len([p for p in stores.iterdir() if p.is_dir()]) == 2  # the newest two builds are kept


def test_no_build_is_a_clear_error(project):
    with pytest.raises(KGError) as err:
        open_store(project)
    assert "no built graph" in err.value.message and err.value.hint == "run python build.py"


def test_a_damaged_build_leaves_no_half_built_cache(built, tmp_path):
    project = copy_project(tmp_path / "p")
    shutil.copytree(built.dist, project.dist)
    (project.dist / "kg.nt").write_text("not n-triples\n", encoding="utf-8")
    with pytest.raises(KGError, match="damaged"):
        open_store(project, cache_from_bytes=0)
    assert [p.name for p in (project.root / ".cache" / "store").iterdir()] == ["lock"]  # no store, whole or half
