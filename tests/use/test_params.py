"""Parameter values become terms by their declared type; entities resolve by id or name."""

import pyoxigraph
import pytest

from kg.errors import KGError, NotFound, UsageError
from kg.use.params import bind, parse_assignments, resolve_entity, term_for
from kg.use.query import local_lookup
from kg.use.savedquery import Param, SavedQuery

ID = "https://w3id.org/aigov/id/"


@pytest.fixture(scope="module")
def lookup(store):
    return local_lookup(store)


@pytest.mark.parametrize(
    "value, entity",
    [
        ("african-union", "african-union"),
        (ID + "african-union", "african-union"),
        ("African Union", "african-union"),
        ("AU", "african-union"),
        ("european union", "european-union"),
        ("the EU", "european-union"),
        ("President Xi", "xi-jinping"),
        ("the pledge for inclusive AI", "statement-on-inclusive-and-sustainable-ai"),
        ("Statement on Inclusive and Sustainable Artificial Intelligence for People and the Planet", "statement-on-inclusive-and-sustainable-ai"),
    ],
)
def test_entities_by_id_iri_label_or_alternative_label(lookup, value, entity):
    assert resolve_entity(value, lookup) == pyoxigraph.NamedNode(ID + entity)


def test_an_unknown_name_suggests_close_labels(lookup):
    with pytest.raises(KGError) as err:
        resolve_entity("Afrikan Union", lookup, "pledge")
    assert "--param pledge" in err.value.message and "'African Union'" in err.value.hint


def test_a_name_shared_by_two_entities_is_ambiguous():
    store = pyoxigraph.Store()
    label = pyoxigraph.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
    for slug in ("a", "b"):
        store.add(pyoxigraph.Quad(pyoxigraph.NamedNode(ID + slug), label, pyoxigraph.Literal("Same", language="en")))
    with pytest.raises(KGError, match="names several entities: a, b"):
        resolve_entity("same", local_lookup(store))


@pytest.mark.parametrize(
    "type_, value, term",
    [
        ("integer", "42", pyoxigraph.Literal("42", datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
        ("year", "2023", pyoxigraph.Literal("2023", datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
        ("string", 'a "quoted" } value', pyoxigraph.Literal('a "quoted" } value')),
        ("iri", "https://example.org/x", pyoxigraph.NamedNode("https://example.org/x")),
    ],
)
def test_typed_values(lookup, type_, value, term):
    assert term_for(Param("p", type_, None, ""), value, lookup) == term


@pytest.mark.parametrize("type_, value", [("integer", "4.2"), ("year", "20234"), ("year", "MMXXIII"), ("iri", "not an iri")])
def test_values_of_the_wrong_type_are_refused(lookup, type_, value):
    with pytest.raises(KGError):
        term_for(Param("p", type_, None, ""), value, lookup)


def test_assignments():
    assert parse_assignments(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    with pytest.raises(UsageError):
        parse_assignments(["novalue"])
    for bad in ("a b=1", "x}=1", "1x=2"):
        with pytest.raises(UsageError, match="SPARQL variable name"):
            parse_assignments([bad])


def test_ad_hoc_queries_bind_plain_strings(lookup):
    assert bind(None, {"x": "1"}, lookup) == {"x": pyoxigraph.Literal("1")}


def test_an_id_with_a_trailing_newline_is_no_id(lookup):
    """``$`` would match before a final newline: ids are matched whole."""
    with pytest.raises(NotFound, match=r"'china\\n'"):
        resolve_entity("china\n", lookup)


@pytest.mark.parametrize("value", ["china\n", "2023\n", "a\x00b", "x\u2066y", "\ud800"])
def test_a_value_with_a_control_character_is_a_usage_error(value):
    saved = SavedQuery("q", "q.rq", "", "", "", (Param("p", "string", None, ""),), (), (), False)
    for query in (saved, None):
        with pytest.raises(UsageError, match="--param p: .* holds a control character or a line break"):
            bind(query, {"p": value}, lambda text, terms: None)
