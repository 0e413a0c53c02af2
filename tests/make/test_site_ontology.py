"""The ontology's documentation page of the site (issue 14): one section per aig: term with the
term's fragment as its id, links that resolve, the definitions, the class diagram as an image
with a text alternative, every value escaped, and the same bytes for the same store."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import pyoxigraph
import pytest

from kg.make.site.ontology import ontology_page
from kg.make.site.page import Site, render
from kg.namespaces import AIG, ONTOLOGY_IRI

SITE = Site(base="https://w3id.org/aigov/", version="0.1.0", build="test")
PREFIXES = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HOSTILE = "</script><script>alert(1)</script>"


class Document(HTMLParser):
    """What the tests read of a page: every element's attributes, its ids, internal links, and
    whether start and end tags nest properly."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(source)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed: {self.stack}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.elements.append((tag, found))
        if found.get("id") is not None:
            self.ids.append(found["id"])
        if found.get("href") is not None:
            self.hrefs.append(found["href"])
        if tag not in VOID:
            self.stack.append(tag)
        self._in_script = tag == "script"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False
        if tag in VOID:
            self.errors.append(f"end tag of void element {tag}")
        elif not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def make(store: pyoxigraph.Store) -> tuple[bytes, dict[str, bytes], object]:
    page, files = ontology_page(store, SITE)
    return render(SITE, page), files, page


def terms(store: pyoxigraph.Store, *types: str) -> set[str]:
    """The aig: IRIs the store declares as one of ``types`` (prefixed OWL names)."""
    query = PREFIXES + "SELECT DISTINCT ?term WHERE { VALUES ?type { %s } ?term a ?type . FILTER STRSTARTS(STR(?term), %s) }" % (
        " ".join(types), str(pyoxigraph.Literal(AIG)))
    return {row["term"].value for row in store.query(query)}


PROPERTIES = ("owl:Class", "owl:ObjectProperty", "owl:DatatypeProperty", "owl:AnnotationProperty")


@pytest.fixture(scope="module")
def made(store: pyoxigraph.Store):
    return make(store)


@pytest.fixture(scope="module")
def document(made) -> Document:
    return Document(made[0].decode("utf-8"))


@pytest.fixture
def ontology_store(built) -> pyoxigraph.Store:
    """A fresh in-memory store holding only the built ontology (a copy the test may add to)."""
    store = pyoxigraph.Store()
    store.bulk_load(path=str(built.dist / "ontology.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def test_the_page_and_its_files(made) -> None:
    _, files, page = made
    assert page.path == "ontology.html"
    assert page.iri == ONTOLOGY_IRI
    assert page.alternates == {"ttl": "ontology.ttl", "jsonld": "ontology.jsonld", "nt": "ontology.nt", "rdf": "ontology.rdf"}
    assert set(files) == {"ontology-classes.svg"}


def test_every_class_and_property_has_one_section_named_by_its_fragment(store, document) -> None:
    declared = terms(store, *PROPERTIES)
    classes = terms(store, "owl:Class")
    assert classes and declared - classes  # both classes and properties were found
    sections = [a["id"] for tag, a in document.elements if tag == "section" and a.get("class") == "term"]
    for iri in declared:
        fragment = iri.removeprefix(AIG)
        assert sections.count(fragment) == 1, iri
        assert document.ids.count(fragment) == 1, iri
    # one section per term, individuals of the ontology (aig:Exactly) included
    assert len(sections) == len(set(sections)) == len(terms(store, *PROPERTIES, "owl:NamedIndividual"))


def test_the_contents_list_every_kind_of_term(store, document) -> None:
    for kind in ("classes", "object-properties", "data-properties", "annotation-properties", "individuals"):
        assert f"#terms-{kind}" in document.hrefs
    for iri in terms(store, *PROPERTIES, "owl:NamedIndividual"):
        assert document.hrefs.count("#" + iri.removeprefix(AIG)) >= 1


def test_ids_are_unique_links_resolve_and_elements_nest(document) -> None:
    assert len(document.ids) == len(set(document.ids))
    internal = [href for href in document.hrefs if href.startswith("#")]
    assert internal
    assert not [href for href in internal if href[1:] not in document.ids]
    assert document.errors == []


def test_the_definitions_appear(store, made) -> None:
    page = made[0].decode("utf-8")
    query = PREFIXES + "SELECT ?term ?definition WHERE { ?term skos:definition ?definition . FILTER STRSTARTS(STR(?term), %s) }" % (
        str(pyoxigraph.Literal(AIG)))
    definitions = [(row["term"].value, row["definition"].value) for row in store.query(query)]
    assert definitions
    for iri, definition in definitions:
        assert html.escape(definition, quote=True) in page, iri


def test_superclasses_and_mappings_are_shown(document, made) -> None:
    page = made[0].decode("utf-8")
    section = page[page.index('<section id="Pledge"'):]
    section = section[:section.index("</section>")]
    assert 'href="#Text"' in section  # aig:Pledge rdfs:subClassOf aig:Text, linked to its anchor
    person = page[page.index('<section id="Person"'):]
    assert "wd:Q5" in person[:person.index("</section>")]  # owl:equivalentClass wd:Q5


def test_the_diagram_is_an_svg_image_with_a_text_alternative(made, document) -> None:
    page, files, _ = made
    svg = files["ontology-classes.svg"]
    assert b"<svg" in svg and b"</svg>" in svg
    images = [a for tag, a in document.elements if tag == "img" and a.get("src") == "ontology-classes.svg"]
    assert len(images) == 1
    assert (images[0].get("alt") or "").strip()
    assert "subclass" in images[0]["alt"]
    assert b"<svg" not in page  # no inline SVG


def test_the_json_ld_describes_the_ontology(store, document) -> None:
    data = json.loads(document.scripts[0])
    assert data["@id"] == ONTOLOGY_IRI
    assert {"owl:Ontology", "schema:DefinedTermSet"} <= set(data["@type"])
    row = next(iter(store.query(PREFIXES + "SELECT ?title ?version ?licence WHERE { <%s> dcterms:title ?title ; owl:versionInfo ?version ; dcterms:license ?licence }" % ONTOLOGY_IRI)))
    assert data["schema:name"] == row["title"].value
    assert data["schema:version"] == row["version"].value
    assert data["schema:license"] == {"@id": row["licence"].value}


def test_a_hostile_label_is_only_text(ontology_store) -> None:
    hostile = pyoxigraph.NamedNode(AIG + "Hostile")
    odd = pyoxigraph.NamedNode(AIG + "Odd'&amp;x")  # quote and ampersand are allowed in an IRI's fragment
    rdf_type = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    owl_class = pyoxigraph.NamedNode("http://www.w3.org/2002/07/owl#Class")
    label = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    definition = pyoxigraph.NamedNode("http://www.w3.org/2004/02/skos/core#definition")
    sub = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
    for term in (hostile, odd):
        ontology_store.add(pyoxigraph.Quad(term, rdf_type, owl_class))
        ontology_store.add(pyoxigraph.Quad(term, label, pyoxigraph.Literal(HOSTILE, language="en")))
        ontology_store.add(pyoxigraph.Quad(term, definition, pyoxigraph.Literal('"><img src=x onerror=alert(2)> ' + HOSTILE)))
    ontology_store.add(pyoxigraph.Quad(odd, sub, hostile))
    page, files, _ = make(ontology_store)
    assert b"<script>alert" not in page
    assert b"<img src=x" not in page
    assert page.count(b"</script>") == 1  # the JSON-LD's own
    assert b"<script" not in files["ontology-classes.svg"]
    document = Document(page.decode("utf-8"))
    assert document.errors == []
    assert "Hostile" in document.ids and "Odd'&amp;x" in document.ids
    assert "#Odd'&amp;x" in document.hrefs
    assert not [href for href in document.hrefs if href.startswith("#") and href[1:] not in document.ids]
    assert len(document.ids) == len(set(document.ids))
    assert json.loads(document.scripts[0])["@id"] == ONTOLOGY_IRI
    assert HOSTILE in {term["schema:name"] for term in json.loads(document.scripts[0])["schema:hasDefinedTerm"]}


def test_a_term_named_like_a_part_of_the_page_keeps_its_id(ontology_store) -> None:
    term = pyoxigraph.NamedNode(AIG + "ontology-contents")
    ontology_store.add(pyoxigraph.Quad(term, pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                       pyoxigraph.NamedNode("http://www.w3.org/2002/07/owl#Class")))
    document = Document(make(ontology_store)[0].decode("utf-8"))
    assert len(document.ids) == len(set(document.ids))
    assert [a for tag, a in document.elements if tag == "section" and a.get("id") == "ontology-contents"]
    assert not [href for href in document.hrefs if href.startswith("#") and href[1:] not in document.ids]


def test_the_same_store_gives_the_same_bytes(ontology_store) -> None:
    first = make(ontology_store)
    again = pyoxigraph.Store()  # the same triples, loaded in the opposite order
    for quad in reversed(list(ontology_store.quads_for_pattern(None, None, None, None))):
        again.add(quad)
    second = make(again)
    assert first[0] == second[0]
    assert first[1] == second[1]
    assert re.search(rb'<section id="Pledge" class="term">', first[0])
