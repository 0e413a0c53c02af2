"""data/wikidata/cache.ttl and enrichment.ttl: written sorted and whole, read back the same,
and a damaged file stops the build with its line."""

from __future__ import annotations

import pyoxigraph

from kg.use.link.cache import Cache, answered
from tests.conftest import run_build

WD = "http://www.wikidata.org/entity/"
LABEL = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def label(qid: str, text: str) -> pyoxigraph.Triple:
    return pyoxigraph.Triple(pyoxigraph.NamedNode(WD + qid), LABEL, pyoxigraph.Literal(text, language="en"))


def test_a_new_retrieval_replaces_what_was_known_about_an_item(tmp_path):
    cache = Cache()
    cache.record({"Q1", "Q2"}, [label("Q1", "old"), label("Q2", "two")], "http://a/sparql", "2026-01-01T00:00:00Z")
    cache.record({"Q1"}, [label("Q1", "new")], "http://b/sparql", "2026-02-01T00:00:00Z")
    assert cache.view("Q1").labels == ("new",) and cache.view("Q2").labels == ("two",)
    assert cache.retrieval("Q1").endpoint == "http://b/sparql" and cache.retrieval("Q1").day == "2026-02-01"
    assert cache.retrieval("Q2").when == "2026-01-01T00:00:00Z"
    assert cache.retrieval("Q3") is None


def test_saving_is_byte_stable_and_round_trips(tmp_path):
    triples = [label(f"Q{n}", f"item {n}") for n in range(30)]
    first, second = Cache(), Cache()
    first.record({f"Q{n}" for n in range(30)}, triples, "http://a/sparql", "2026-01-01T00:00:00Z")
    second.record({f"Q{n}" for n in range(30)}, list(reversed(triples)), "http://a/sparql", "2026-01-01T00:00:00Z")
    first.save(tmp_path / "a.ttl")
    second.save(tmp_path / "b.ttl")
    assert (tmp_path / "a.ttl").read_bytes() == (tmp_path / "b.ttl").read_bytes()
    again = Cache.load(tmp_path / "a.ttl", "a.ttl")
    assert again.view("Q7").labels == ("item 7",) and again.retrieval("Q7").endpoint == "http://a/sparql"
    assert "30 item(s) have a retrieval record" in (tmp_path / "a.ttl").read_text(encoding="utf-8")


def test_a_damaged_cache_stops_the_build_with_its_line(project):
    path = project.wikidata_cache
    path.write_text(path.read_text(encoding="utf-8") + "\nwd:Q1 rdfs:label \n", encoding="utf-8")
    result = run_build(project)
    assert result.returncode == 1
    assert "data/wikidata/cache.ttl:" in result.stderr and "not valid Turtle" in result.stderr and "fix:" in result.stderr
    assert not project.dist.exists()


def test_a_long_subclass_chain_is_kept_whole_and_read_once_per_step():
    """A hostile answer may chain 20,000 subclass-of steps up from an item's class: each is kept
    (it is reached from the class), and the walk reads each step once (it read every step at
    every level, 154 s for this chain)."""
    wd, wdt = "http://www.wikidata.org/entity/", "http://www.wikidata.org/prop/direct/"
    step = lambda a, p, b: pyoxigraph.Triple(pyoxigraph.NamedNode(wd + a), pyoxigraph.NamedNode(wdt + p), pyoxigraph.NamedNode(wd + b))  # noqa: E731
    chain = [step(f"Q{10 + i}", "P279", f"Q{11 + i}") for i in range(20_000)]
    unreached = step("Q5", "P279", "Q6")  # a class no item of the answer is an instance of
    kept = answered(["Q1"], [step("Q1", "P31", "Q10"), *chain, unreached])
    assert len(kept) == 1 + len(chain) and unreached not in kept
