"""The source pages of the static site (kg.make.site.sources): one page per source, its
metadata and citation, every claim it gives, and, for the quoted source, each quoted span in
reading order with its few surrounding words, never the whole text; every value escaped."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pyoxigraph
import pytest

from kg.make import cite as citing
from kg.make.site.page import Page, Site, attr, link, render, text
from kg.make.site.sources import source_pages
from kg.namespaces import ID, SOURCE_GRAPH
from tests.conftest import ROOT, SOURCE_ID

SITE = Site(base="https://w3id.org/aigov/", version="0.0.0-test", build="test")
PREFIXES = """PREFIX aig: <https://w3id.org/aigov/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX schema: <http://schema.org/>
"""
HOSTILE = "</script><script>alert(1)</script>"


@pytest.fixture(scope="module")
def pages(store: pyoxigraph.Store) -> dict[str, Page]:
    return {page.iri: page for page in source_pages(store, SITE)}  # type: ignore[misc]


def visible(document: bytes | str) -> str:
    """The text of an HTML document or fragment as a reader sees it: tags dropped, entities read."""
    if isinstance(document, bytes):
        document = document.decode("utf-8")
    return html.unescape(re.sub(r"<[^>]*>", "", document))


def longest_run(needle: str, haystack: str) -> int:
    """The length of the longest substring of ``needle`` that occurs in ``haystack``."""
    best, end = 0, 0
    for start in range(len(needle)):
        end = max(end, start)
        while end < len(needle) and needle[start:end + 1] in haystack:
            end += 1
        best = max(best, end - start)
    return best


class Structure(HTMLParser):
    """Records every id and every tag nesting problem of a document."""

    VOID: ClassVar[set[str]] = {"meta", "link", "input", "br", "img", "hr", "wbr", "source", "col", "area", "base", "embed", "track"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [value or "" for name, value in attrs if name == "id"]
        if tag == "a" and "a" in self.stack:
            self.problems.append("a link inside a link")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def test_one_page_per_source(store: pyoxigraph.Store, pages: dict[str, Page]) -> None:
    rows = list(store.query(PREFIXES + "SELECT DISTINCT ?source WHERE { VALUES ?kind { aig:QuotedSource aig:CitedSource } ?source a ?kind }"))
    sources = sorted(row["source"].value for row in rows)
    assert len(sources) > 1 and sorted(pages) == sources
    for iri, page in pages.items():
        key = iri[len(ID):]
        assert page.path == f"id/{key}.html"
        assert page.alternates == {extension: f"id/{key}.{extension}" for extension in ("ttl", "jsonld", "nt", "rdf")}
        assert page.data is not None and page.data["@id"] == iri and page.data["@type"] in ("CreativeWork", "WebPage", "NewsArticle")
        assert '<section id="cite">' in page.body and "<pre" in page.body
    assert len({page.path for page in pages.values()}) == len(pages)


def test_pages_are_well_formed_with_unique_ids(pages: dict[str, Page]) -> None:
    for page in pages.values():
        parser = Structure()
        parser.feed(render(SITE, page).decode("utf-8"))
        parser.close()
        assert parser.problems == [], page.path
        assert parser.stack == [], page.path
        assert len(parser.ids) == len(set(parser.ids)), page.path
        assert all(i and not re.search(r"\s", i) for i in parser.ids), page.path


def test_every_claim_of_the_source_graph_appears(store: pyoxigraph.Store, pages: dict[str, Page]) -> None:
    counts = {row["graph"].value: int(row["n"].value) for row in store.query(PREFIXES + f"""
        SELECT ?graph (COUNT(DISTINCT ?claim) AS ?n) WHERE {{
          GRAPH ?graph {{ ?claim a aig:Claim }} FILTER (STRSTARTS(STR(?graph), "{SOURCE_GRAPH}")) }} GROUP BY ?graph""")}
    claims = list(store.query(PREFIXES + f"""SELECT ?graph ?claim ?subject WHERE {{
          GRAPH ?graph {{ ?claim a aig:Claim ; aig:claimSubject ?subject }} FILTER (STRSTARTS(STR(?graph), "{SOURCE_GRAPH}")) }}"""))
    assert sum(counts.values()) == len(claims) > 0
    for iri, page in pages.items():
        graph = SOURCE_GRAPH + iri[len(ID):]
        expected = counts.get(graph, 0)
        assert f"<h2>Claims ({expected})</h2>" in page.body
        section = page.body.split('<section id="claims">', 1)[1].split("</section>", 1)[0]
        assert len(re.findall(r"<li id=", section)) == expected, page.path
    for row in claims:
        page = pages[ID + row["graph"].value[len(SOURCE_GRAPH):]]
        anchor = row["claim"].value.rsplit("/", 1)[1]
        assert f"<li id={attr(anchor)}>" in page.body  # the entity pages link id/<source>.html#<anchor>
        claim = page.body.split(f"<li id={attr(anchor)}>", 1)[1].split("</li>", 1)[0]
        assert row["claim"].value in claim
        subject = row["subject"].value
        assert f"href={attr(link(page.path, 'id/' + subject[len(ID):] + '.html'))}" in claim


def test_quoted_source_shows_each_quote_marked_in_reading_order(store: pyoxigraph.Store, pages: dict[str, Page]) -> None:
    iri = ID + SOURCE_ID
    assert iri in pages
    spans = [(int(r["start"].value), int(r["end"].value), r["prefix"].value, r["exact"].value, r["suffix"].value) for r in store.query(
        PREFIXES + """SELECT ?source ?start ?end ?prefix ?exact ?suffix WHERE { GRAPH ?g {
          ?evidence a aig:QuotedEvidence ; oa:hasSource ?source ; oa:hasSelector ?q, ?p .
          ?q a oa:TextQuoteSelector ; oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix .
          ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end } }""",
        substitutions={pyoxigraph.Variable("source"): pyoxigraph.NamedNode(iri)})]
    spans.sort()
    assert len(spans) > 10
    body = pages[iri].body
    quotes = body.split('<section id="quotes">', 1)[1]
    assert [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", quotes, re.DOTALL)] == [s[3] for s in spans]
    shown = [visible(p) for p in re.findall(r'<p class="span">(.*?)</p>', quotes, re.DOTALL)]
    assert shown == [("…" if prefix else "") + prefix + exact + suffix + ("…" if suffix else "") for _, _, prefix, exact, suffix in spans]
    for start, end, *_ in spans:
        assert f"characters {start}–{end}" in quotes
    # each span links the claims it supports, which are on the same page
    ids = set(re.findall(r' id="([^"]+)"', body))
    targets = re.findall(r'href="#([^"]+)"', quotes)
    assert targets and set(targets) <= ids


@pytest.mark.parametrize("path", sorted((ROOT / "data" / "sources").glob("*.txt")), ids=lambda p: p.stem)
def test_quoted_source_page_never_holds_the_whole_text(store: pyoxigraph.Store, pages: dict[str, Page], path: Path) -> None:
    whole = path.read_text(encoding="utf-8")
    document = visible(render(SITE, pages[ID + path.stem]))
    assert whole not in document
    # what a selector shows at once (a few words, the exact words, a few words) is the most of the text that is ever contiguous
    contexts = [r["prefix"].value + r["exact"].value + r["suffix"].value for r in store.query(
        PREFIXES + "SELECT ?source ?prefix ?exact ?suffix WHERE { GRAPH ?g { ?e oa:hasSource ?source ; oa:hasSelector ?q . "
        "?q oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix } }",
        substitutions={pyoxigraph.Variable("source"): pyoxigraph.NamedNode(ID + path.stem)})]
    assert contexts
    run = longest_run(whole, document)
    assert run <= max(map(len, contexts)) < len(whole) // 10
    # a sentence of the text that no quoted span covers with its context is nowhere on the page
    sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n", whole) if len(s) > 40]
    uncovered = [s for s in sentences if not any(s in c for c in contexts)]
    assert uncovered
    for sentence in uncovered:
        assert sentence not in document


def test_cited_source_links_its_url_and_shows_its_citation(store: pyoxigraph.Store, pages: dict[str, Page]) -> None:
    rows = list(store.query(PREFIXES + "SELECT ?source ?url WHERE { ?source a aig:CitedSource ; schema:url ?url }"))
    assert rows
    for row in rows:
        body = pages[row["source"].value].body
        assert f"<a href={attr(row['url'].value)}>" in body
    page = pages[ID + "computerweekly-uk-us-refuse-to-sign"]
    cited = citing.citation(store, page.iri or "")
    cite = page.body.split('<section id="cite">', 1)[1].split("</section>", 1)[0]
    assert text(citing.text(cited)) in cite
    assert f"<pre class=\"bibtex\">{text(citing.bibtex(cited))}</pre>" in cite
    assert f"<pre class=\"csl-json\">{text(citing.csl_json(cited))}</pre>" in cite
    # the title is the project's, and marked as such
    assert cited.title_is_ours and f'<span class="ours">({citing.OURS})</span>' in page.body
    assert page.data is not None and page.data["url"] == cited.url and page.data["@type"] == "WebPage"
    assert "headline" not in page.data  # a title of ours is not the page's headline
    assert "<h2>Quoted spans" not in page.body  # a cited source's text is not kept


HOSTILE_GRAPH = f"""
@prefix aig: <https://w3id.org/aigov/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix pav: <http://purl.org/pav/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <http://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <{ID}> .

aig:QuotedSource rdfs:label "quoted source"@en .
aig:CitedSource rdfs:label "cited source"@en .
aig:endorsed rdfs:label "{HOSTILE}"@en .
id:mallory rdfs:label "<script>alert(2)</script>"@en .
id:pledge rdfs:label "a pledge\\" onmouseover=\\"alert(3)"@en .
id:evil a aig:CitedSource ; dcterms:title "{HOSTILE}"@en ; rdfs:label "{HOSTILE}"@en ;
    dcterms:creator "<img src=x onerror=alert(4)>" ; dcterms:publisher "{HOSTILE}" ;
    dcterms:issued "2025-02-11"^^xsd:date ; pav:retrievedOn "2025-02-12"^^xsd:date ;
    schema:url <javascript:alert(5)> ; aig:copyAt <https://example.org/?a=1&b=%22%3E%3Cscript%3E> ;
    skos:note "{HOSTILE}"@en ; dcterms:language "{HOSTILE}" .
id:told a aig:QuotedSource ; rdfs:label "{HOSTILE}"@en ; aig:rights "{HOSTILE}"@en ; aig:characterCount 80 .

GRAPH <{SOURCE_GRAPH}evil> {{
  <https://w3id.org/aigov/claim/evil/{HOSTILE.replace("<", "%3C").replace(">", "%3E")}> a aig:Claim ;
      aig:claimSubject id:mallory ; aig:claimProperty aig:endorsed ; aig:claimObject id:pledge ;
      aig:statedBy "{HOSTILE}"@en ; skos:note "{HOSTILE}"@en ; aig:rank aig:NormalRank ;
      prov:wasDerivedFrom id:evil ; aig:evidence <{ID}evidence/evil/at-1> .
  <{ID}evidence/evil/at-1> a oa:SpecificResource, aig:CitedEvidence ; oa:hasSource id:evil ; aig:locator "{HOSTILE}"@en .
}}
GRAPH <{SOURCE_GRAPH}told> {{
  <https://w3id.org/aigov/claim/told/0123456789abcdef> a aig:Claim ;
      aig:claimSubject id:mallory ; aig:claimProperty aig:claimed ; aig:claimValue "{HOSTILE}"@en ;
      aig:rank aig:NormalRank ; prov:wasDerivedFrom id:told ; aig:evidence <{ID}evidence/told/10-44> .
  <{ID}evidence/told/10-44> a oa:SpecificResource, aig:QuotedEvidence ; oa:hasSource id:told ;
      aig:quote "{HOSTILE}" ;
      oa:hasSelector <{ID}evidence/told/10-44/quote>, <{ID}evidence/told/10-44/position> .
  <{ID}evidence/told/10-44/quote> a oa:TextQuoteSelector ; oa:exact "{HOSTILE}" ;
      oa:prefix "<script>alert(6)" ; oa:suffix "</mark></li></ol>" .
  <{ID}evidence/told/10-44/position> a oa:TextPositionSelector ; oa:start 10 ; oa:end 44 .
}}
"""


def test_hostile_labels_and_quotes_stay_text() -> None:
    store = pyoxigraph.Store()
    store.load(HOSTILE_GRAPH.encode("utf-8"), format=pyoxigraph.RdfFormat.TRIG)
    made = source_pages(store, SITE)
    assert [page.path for page in made] == ["id/evil.html", "id/told.html"]
    for page in made:
        document = render(SITE, page).decode("utf-8")
        assert "<script>alert" not in document
        assert "<img" not in document
        assert 'href="javascript:' not in document
        assert "onmouseover=\"" not in document
        assert document.count("<script") == 1  # the JSON-LD, and nothing else
        assert document.count("</script>") == 1
        parser = Structure()
        parser.feed(document)
        parser.close()
        assert parser.problems == [] and parser.stack == []
        assert HOSTILE in visible(document)  # shown, as text
    told = made[1].body
    assert f"<mark>{text(HOSTILE)}</mark>" in told


def test_same_input_same_bytes(store: pyoxigraph.Store, pages: dict[str, Page]) -> None:
    first = [render(SITE, page) for page in source_pages(store, SITE)]
    # the same quads, added in the opposite order
    again = pyoxigraph.Store()
    again.extend(list(store.quads_for_pattern(None, None, None, None))[::-1])
    second = [render(SITE, page) for page in source_pages(again, SITE)]
    assert first == second
    assert first == [render(SITE, pages[iri]) for iri in sorted(pages)]
