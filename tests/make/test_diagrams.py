"""The diagrams of issue 14: neighbourhoods and the ontology's classes, drawn by Graphviz's dot.

Expected neighbours and classes come from SPARQL queries on the built graph, never from counts
written down here. Drawing needs Graphviz (apt-get install graphviz)."""

import pyoxigraph
import pytest

from kg.errors import KGError, UsageError
from kg.make.diagrams import describe, neighbourhood, ontology_classes, quote, render
from kg.namespaces import AIG, ID

PREFIXES = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
# The accepted links of an entity to other entities (aig: object properties), as the issue says.
LINKS = PREFIXES + """
SELECT DISTINCT ?property ?other WHERE {
  { <%s> ?property ?other } UNION { ?other ?property <%s> }
  ?property a owl:ObjectProperty .
  ?other a owl:NamedIndividual .
  FILTER (STRSTARTS(STR(?property), "https://w3id.org/aigov/ontology#") && STRSTARTS(STR(?other), "https://w3id.org/aigov/id/"))
}
"""
ENTITIES = ("european-union", "statement-on-inclusive-and-sustainable-ai")
HOSTILE = ('"]; x -> y; "', "</script><script>alert(1)</script>", "back\\", "line\nbreak &lt;b&gt;")


def linked(store, slug):
    """(property, neighbour) pairs of the entity ``slug``, by SPARQL."""
    return {(row["property"].value, row["other"].value) for row in store.query(LINKS % (ID + slug, ID + slug))}


def label(store, iri):
    return min(row["l"].value for row in store.query(PREFIXES + f"SELECT ?l WHERE {{ <{iri}> rdfs:label ?l }}"))


def nodes(svg: bytes) -> int:
    return svg.count(b'class="node"')


@pytest.mark.parametrize("slug", ENTITIES)
def test_a_neighbourhood_draws_the_entity_its_neighbours_and_their_links(store, slug):
    links = linked(store, slug)
    neighbours = {other for _, other in links}
    assert neighbours, f"{slug} has no links: pick an entity that has some"
    source = neighbourhood(store, slug)
    for iri in neighbours | {ID + slug}:
        assert f"  {quote(iri)} [label=" in source
    svg = render(source, "svg")
    assert nodes(svg) == len(neighbours) + 1
    assert svg.count(b'class="edge"') == len(links)
    for prop in {p for p, _ in links}:
        assert label(store, prop).encode() in svg


def test_an_iri_names_the_entity_as_its_id_does(store):
    assert neighbourhood(store, ID + "european-union") == neighbourhood(store, "european-union")


def test_past_the_limit_the_other_neighbours_are_one_node(store):
    slug = max(ENTITIES, key=lambda s: len({o for _, o in linked(store, s)}))
    total = len({other for _, other in linked(store, slug)})
    source = neighbourhood(store, slug, limit=3)
    assert f"and {total - 3} more" in source
    assert nodes(render(source, "svg")) == 1 + 3 + 1


def test_the_text_alternative_names_every_neighbour_and_link(store):
    slug = "european-union"
    text = describe(store, slug)
    assert text.startswith(label(store, ID + slug))
    for prop, other in linked(store, slug):
        assert label(store, prop) in text and label(store, other) in text


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_drawing_is_deterministic(store, fmt):
    source = neighbourhood(store, ENTITIES[1])
    assert source == neighbourhood(store, ENTITIES[1])
    first = render(source, fmt)
    assert first == render(source, fmt)
    assert first.startswith(b"\x89PNG" if fmt == "png" else b"<?xml")


def test_the_ontology_diagram_has_a_node_per_class(store):
    classes = {row["c"].value for row in store.query(PREFIXES + "SELECT ?c WHERE { ?c a owl:Class }") if row["c"].value.startswith(AIG)}
    source = ontology_classes(store)
    for iri in classes:
        assert f"  {quote(iri)} [label=" in source
    svg = render(source, "svg")
    assert nodes(svg) == len(classes)
    assert b"subclass of" in svg and b"endorsed" in svg


@pytest.fixture
def hostile_store(built):
    """The built graph in memory, with hostile labels on the European Union, its representative,
    the property linking them and the class bloc."""
    store = pyoxigraph.Store()
    for name in ("ontology.nt", "kg.nt"):
        store.bulk_load(path=str(built.dist / name), format=pyoxigraph.RdfFormat.N_TRIPLES)
    label_ = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    for iri, text in zip((ID + "european-union", ID + "vera-jourova", AIG + "represented", AIG + "Bloc"), HOSTILE):
        node = pyoxigraph.NamedNode(iri)
        for quad in list(store.quads_for_pattern(node, label_, None)):
            store.remove(quad)
        store.add(pyoxigraph.Quad(node, label_, pyoxigraph.Literal(text)))
    return store


def test_hostile_labels_neither_break_the_graph_nor_reach_the_svg_unescaped(store, hostile_store):
    source = neighbourhood(hostile_store, "european-union")
    svg = render(source, "svg")
    assert nodes(svg) == nodes(render(neighbourhood(store, "european-union"), "svg"))
    assert b"<script" not in svg.lower()
    assert b"&lt;/script&gt;&lt;script&gt;alert(1)" in svg  # wrapped: the label is one long word
    assert b"back\\" in svg and b"&amp;lt;b&amp;gt;" in svg  # shown as written, not as markup
    assert render(source, "png").startswith(b"\x89PNG")
    assert '"]; x -> y; "' in describe(hostile_store, "european-union")


def test_quote_escapes_what_dot_would_read():
    assert quote('a "b" \\N\nc & d') == '"a \\"b\\" \\\\N\\nc &amp; d"'
    assert quote("\\") == '"\\\\"'
    assert quote("\x1b[2J") == '"\\\\x1b[2J"'


def test_an_unknown_entity_is_a_usage_error_with_a_hint(store):
    for entity in ("no-such-entity", "https://example.org/european-union", "not an id"):
        with pytest.raises(UsageError) as caught:
            neighbourhood(store, entity)
        assert "kg query entities" in str(caught.value)
    with pytest.raises(UsageError, match="did you mean 'european-union'"):
        describe(store, "europen-union")


def test_without_dot_the_error_says_how_to_install_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(KGError, match="apt-get install graphviz"):
        render("digraph { a }", "svg")


def test_dot_failing_and_an_unknown_format_are_clear_errors():
    with pytest.raises(KGError, match="dot could not draw the diagram"):
        render("digraph {", "svg")
    with pytest.raises(UsageError, match="give svg or png"):
        render("digraph { a }", "pdf")
