"""`kg push`: the Graph Store Protocol upload, against a real Oxigraph server on loopback."""

import urllib.parse
import urllib.request

import pytest

from kg.errors import KGError
from kg.use.push import chunks, push, push_dataset
from kg.use.store import dataset_file, graph_files

GRAPH = "https://w3id.org/aigov/dataset"


def count(base, graph=None):
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    query = urllib.parse.urlencode({"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"})
    request = urllib.request.Request(f"{base}/query?{query}", headers={"Accept": "text/csv"})
    return int(urllib.request.urlopen(request).read().decode().splitlines()[1])


def update(base, sparql):
    urllib.request.urlopen(urllib.request.Request(f"{base}/update", data=urllib.parse.urlencode({"update": sparql}).encode())).read()


def local_triples(built):
    return sum(1 for path in graph_files(built) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def test_chunks_never_split_a_blank_node():
    lines = ["_:a <p> _:b .", "<s> <p> <o> .", "_:b <p> <o> .", "<s2> <p> <o> .", "_:c <p> _:d .", "_:d <q> \"x\" ."]
    packed = chunks(lines, 2)
    assert sorted(line for chunk in packed for line in chunk) == sorted(lines)
    for chunk in packed:
        labels = {t for line in chunk for t in line.split() if t.startswith("_:")}
        others = {t for other in packed if other is not chunk for line in other for t in line.split() if t.startswith("_:")}
        assert not labels & others


def test_push_into_a_named_graph_in_chunks(oxigraph_server, built):
    seen = []
    report = push(graph_files(built), f"{oxigraph_server}/store", GRAPH, chunk_triples=300, progress=lambda *a: seen.append(a))
    assert report.triples == local_triples(built) == count(oxigraph_server, GRAPH)
    assert report.chunks == len(seen) > 3
    assert seen[-1] == (report.chunks, report.chunks, report.triples)
    # axiom annotations arrived whole: every fact record still names its triple and its evidence
    query = urllib.parse.urlencode({"query": f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{
        ?a a <http://www.w3.org/2002/07/owl#Axiom> ; <http://www.w3.org/2002/07/owl#annotatedSource> ?s ;
           <https://w3id.org/aigov/ontology#evidence> ?e }} }}"""})
    request = urllib.request.Request(f"{oxigraph_server}/query?{query}", headers={"Accept": "text/csv"})
    assert int(urllib.request.urlopen(request).read().decode().splitlines()[1]) >= 80


def test_replace_swaps_the_whole_graph_in(oxigraph_server, built):
    push(graph_files(built), f"{oxigraph_server}/store", GRAPH)
    update(oxigraph_server, f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:stale> <urn:stale> <urn:stale> }} }}")
    assert count(oxigraph_server, GRAPH) == local_triples(built) + 1
    report = push(graph_files(built), f"{oxigraph_server}/store", GRAPH, replace=True, update=f"{oxigraph_server}/update", chunk_triples=500)
    assert report.replaced
    assert count(oxigraph_server, GRAPH) == local_triples(built)
    assert count(oxigraph_server) == 0  # nothing left in the default graph, no temporary graph
    query = urllib.parse.urlencode({"query": "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"})
    request = urllib.request.Request(f"{oxigraph_server}/query?{query}", headers={"Accept": "text/csv"})
    assert urllib.request.urlopen(request).read().decode().splitlines()[1] == "1"


def test_replace_without_an_update_endpoint_is_refused_before_anything_is_sent(oxigraph_server, built):
    with pytest.raises(KGError, match="--replace needs a SPARQL Update endpoint"):
        push(graph_files(built), f"{oxigraph_server}/store", GRAPH, replace=True)
    assert count(oxigraph_server, GRAPH) == 0


def test_a_failure_part_way_says_what_was_and_was_not_written(built, tmp_path):
    """The server is stopped after the first chunk: a real failure, reported precisely."""
    from tests.conftest import start_oxigraph

    server, base = start_oxigraph()

    def stop_after_first(done, total, triples):
        if done == 1:
            server.terminate()
            server.wait(timeout=10)

    try:
        with pytest.raises(KGError) as err:
            push(graph_files(built), f"{base}/store", GRAPH, chunk_triples=500, progress=stop_after_first)
    finally:
        if server.poll() is None:
            server.kill()
    message = err.value.message
    total = local_triples(built)
    assert f"failed at chunk 2 of {len(chunks(['x'] * total, 500))}" in message
    assert "triples 1–500 were written to <https://w3id.org/aigov/dataset>" in message
    assert f"the other {local_triples(built) - 500:,} were not" in message


def graphs(base):
    query = urllib.parse.urlencode({"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"})
    request = urllib.request.Request(f"{base}/query?{query}", headers={"Accept": "text/csv"})
    rows = urllib.request.urlopen(request).read().decode().splitlines()[1:]
    return {g: int(n) for g, n in (row.split(",") for row in rows)}


def test_the_dataset_goes_one_graph_at_a_time(oxigraph_server, built):
    seen = set()
    reports = push_dataset(graph_files(built), dataset_file(built), f"{oxigraph_server}/store", chunk_triples=2000,
                           progress=lambda graph, *rest: seen.add(graph))
    assert count(oxigraph_server) == local_triples(built)  # the ontology and the accepted graph: the default graph
    held = graphs(oxigraph_server)
    sources = {p.name.removesuffix(".meta.yaml") for p in built.sources_dir.glob("*.meta.yaml")}
    assert set(held) == {f"https://w3id.org/aigov/graph/source/{s}" for s in sources} | {"https://w3id.org/aigov/graph/wikidata"}
    assert "https://w3id.org/aigov/graph/accepted" not in held
    assert seen == {None, *held} and len(reports) == len(held) + 1
    assert sum(r.triples for r in reports) == count(oxigraph_server) + sum(held.values())


def test_replace_removes_the_graph_of_a_retracted_source(oxigraph_server, built, tmp_path):
    stale = "https://w3id.org/aigov/graph/source/a-retracted-source"
    update(oxigraph_server, f"INSERT DATA {{ GRAPH <{stale}> {{ <urn:claim> <urn:p> <urn:o> }} GRAPH <urn:other> {{ <urn:s> <urn:p> <urn:o> }} }}")
    push_dataset(graph_files(built), dataset_file(built), f"{oxigraph_server}/store", replace=True, update=f"{oxigraph_server}/update")
    held = graphs(oxigraph_server)
    assert stale not in held
    assert held["urn:other"] == 1  # what is not ours stays
    assert not [g for g in held if g.startswith("urn:aigov-kg:upload:")]  # no temporary graph left



def test_a_replace_that_fails_part_way_leaves_every_graph_as_it_was(built, tmp_path):
    """A store on disk stops answering after four graphs have arrived: restarted, it holds the
    old dataset, every graph of it unchanged (the new graphs never replaced any), and the error
    names the temporary graphs it could not drop."""
    from tests.conftest import start_oxigraph

    location = str(tmp_path / "store")
    server, base = start_oxigraph("--location", location)
    try:
        push_dataset(graph_files(built), dataset_file(built), f"{base}/store", replace=True, update=f"{base}/update")
        source = "https://w3id.org/aigov/graph/source/asianews-china-paris-ai-summit"
        update(base, f"INSERT DATA {{ <urn:old> <urn:p> <urn:o> . GRAPH <{source}> {{ <urn:old> <urn:p> <urn:o> }} }}")
        before = (count(base), graphs(base))
        arrived: list[str | None] = []

        def stop_after_four(graph, done, total, triples):
            if done == total:
                arrived.append(graph)
            if len(arrived) == 4 and server.poll() is None:
                server.terminate()
                server.wait(timeout=10)

        with pytest.raises(KGError) as err:
            push_dataset(graph_files(built), dataset_file(built), f"{base}/store", replace=True, update=f"{base}/update",
                         progress=stop_after_four)
        assert "every graph on the store is unchanged" in err.value.message and "could not be dropped" in err.value.message
        server, base = start_oxigraph("--location", location)
        after = graphs(base)
        assert count(base) == before[0]
        assert {g: n for g, n in after.items() if not g.startswith("urn:aigov-kg:upload:")} == before[1]
        assert len([g for g in after if g.startswith("urn:aigov-kg:upload:")]) == 4  # named in the error, never swapped in
    finally:
        if server.poll() is None:
            server.kill()
