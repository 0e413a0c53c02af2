"""The static site the build writes into dist/site/ (kg/make/site/): a page for every entity,
no broken internal link, the data beside each page, nothing loaded from elsewhere, and no
label able to put a script on a page."""

from __future__ import annotations

import html
import html.parser
import json
import posixpath
import re
from pathlib import Path

import pyoxigraph
import pytest

from kg.namespaces import ID
from tests.conftest import copy_project, edit, run_build

HOSTILE = "</script><script>alert(1)</script>"


class _Parsed(html.parser.HTMLParser):
    """The ids, links and scripts of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.links: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(found["id"] or "")
        for name in ("href", "src", "action"):
            if found.get(name):
                self.links.append(found[name] or "")
        if tag == "script":
            self._script, self._text = found, []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None


def parsed(path: Path) -> _Parsed:
    page = _Parsed()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def site(built) -> Path:
    return built.dist / "site"


@pytest.fixture(scope="module")
def pages(site) -> dict[str, _Parsed]:
    return {str(p.relative_to(site)): parsed(p) for p in sorted(site.rglob("*.html"))}


def test_every_entity_has_a_page(site, store):
    query = f"""PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX aig: <https://w3id.org/aigov/ontology#>
    SELECT ?e WHERE {{ ?e a owl:NamedIndividual . FILTER (STRSTARTS(STR(?e), "{ID}")) FILTER NOT EXISTS {{ ?e a aig:SourceDocument }} }}"""
    entities = [row["e"].value[len(ID):] for row in store.query(query)]
    assert len(entities) > 50
    for slug in entities:
        assert (site / "id" / f"{slug}.html").is_file(), slug


def test_no_internal_link_is_broken(site, pages):
    """Every relative link leads to a file of the site, and every #fragment to an id there."""
    checked = 0
    for path, page in pages.items():
        for target in page.links:
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            address, _, fragment = target.partition("#")
            address = address.split("?", 1)[0]
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), address)) if address else path
            assert (site / resolved).is_file(), f"{path} links to {target}"
            if fragment and resolved.endswith(".html"):
                assert fragment in pages[resolved].ids, f"{path} links to {target}: no such id"
            checked += 1
    assert checked > 1000


def test_ids_are_unique_on_every_page(pages):
    for path, page in pages.items():
        assert len(page.ids) == len(set(page.ids)), path


def test_nothing_is_loaded_from_another_site(pages):
    """Scripts, styles and pictures come from the site itself: the only absolute addresses are links to follow."""
    for path, page in pages.items():
        text = (path, page)
        for script, _ in page.scripts:
            assert not (script.get("src") or "").startswith(("http:", "https:", "//")), text
    for html_file in pages:
        assert "<link rel=\"stylesheet\" href=\"http" not in html_file


def test_each_entity_page_has_its_data_beside_it(site, pages, store):
    page = pages["id/european-union.html"]
    assert "european-union.ttl" in page.links and "european-union.jsonld" in page.links
    turtle = pyoxigraph.Store()
    turtle.load(path=str(site / "id" / "european-union.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    jsonld = pyoxigraph.Store()
    jsonld.load(path=str(site / "id" / "european-union.jsonld"), format=pyoxigraph.RdfFormat.JSON_LD)
    assert len(turtle) == len(jsonld) > 5
    eu = pyoxigraph.NamedNode(ID + "european-union")
    accepted = {(q.predicate, q.object) for q in store.quads_for_pattern(eu, None, None, pyoxigraph.DefaultGraph())}
    assert {(q.predicate, q.object) for q in turtle.quads_for_pattern(eu, None, None)} == accepted


def test_embedded_json_ld_parses_and_names_the_thing(pages):
    for path, page in pages.items():
        blocks = [body for attrs, body in page.scripts if attrs.get("type") == "application/ld+json"]
        assert len(blocks) == 1, path
        document = json.loads(blocks[0])
        assert any(document.get(key) for key in ("name", "schema:name", "dcterms:title")), path


def test_a_page_shows_every_claim_about_its_entity(site, store):
    query = f"""PREFIX aig: <https://w3id.org/aigov/ontology#>
    SELECT ?claim WHERE {{ GRAPH ?g {{ ?claim aig:claimSubject <{ID}european-union> }} }}"""
    claims = {row["claim"].value.rsplit("/", 1)[1] for row in store.query(query)}
    text = (site / "id" / "european-union.html").read_text(encoding="utf-8")
    assert claims and all(f"#{claim}" in text for claim in claims)
    assert "accepted</span>" in text


def test_a_hostile_label_is_text_on_every_page(tmp_path):
    """(Built with --base too: the canonical links follow it, the graph's IRIs do not.)"""
    project = copy_project(tmp_path / "p")
    edit(project.root / "data" / "entities.yaml", "    label: European Union\n", f"    label: '{HOSTILE}'\n")
    result = run_build(project, "--base", "http://127.0.0.1:8000/aigov/")
    assert result.returncode == 0, result.stderr
    page = (project.dist / "site" / "id" / "african-union.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="http://127.0.0.1:8000/aigov/id/african-union">' in page
    assert f"<code>{ID}african-union</code>" in page
    shown = 0
    for page in (project.dist / "site").rglob("*.html"):
        content = page.read_text(encoding="utf-8")
        assert "<script>alert" not in content, page
        shown += "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in content or "\\u003c/script\\u003e" in content
        for _, body in parsed(page).scripts:
            assert "</script" not in body.lower()
    assert shown >= 5  # the label is on its own page and on the pages that link to it


def test_the_search_box_filters_the_index_in_chromium_from_disk(site, tmp_path):
    """Opened from disk (file://, where a page may fetch nothing), ?q= keeps the entries whose
    name holds the words: here every 'union' and nothing else."""
    import os
    import re
    import shutil
    import subprocess

    browser = shutil.which("chromium")
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000"]
    result = subprocess.run([browser, *flags, "--dump-dom", (site / "index.html").as_uri() + "?q=union"],
                            capture_output=True, text=True, timeout=120, check=False)
    entries = re.findall(r'<li data-search="([^"]*)"( hidden(?:="")?)?>', result.stdout)
    assert len(entries) > 100, result.stderr[-2000:]
    shown = sorted(name for name, hidden in entries if not hidden)
    assert shown == sorted(name for name, _ in entries if "union" in name) and "european union" in shown


def test_every_saved_query_has_a_page_with_its_results(built, site):
    from kg.use.savedquery import saved_queries

    queries = [q for q in saved_queries(built.queries_dir) if not q.group]
    assert {p.stem for p in (site / "queries").glob("*.html")} == {q.name for q in queries} | {"index"}
    signatories = (site / "queries" / "signatories.html").read_text(encoding="utf-8")
    assert "<table>" in signatories and "European Union" in signatories or "european-union" in signatories


def test_pledge_pages_chart_the_counts_their_sources_report(site, store):
    """A pledge whose sources report counts shows them as a chart, its text alternative giving
    the numbers; the index charts the parties per pledge."""
    query = """PREFIX aig: <https://w3id.org/aigov/ontology#>
    SELECT DISTINCT ?pledge WHERE { ?pledge a aig:Pledge . GRAPH ?g { ?claim aig:claimSubject ?pledge ; aig:claimProperty aig:signatoryCount } }"""
    counted = [row["pledge"].value[len(ID):] for row in store.query(query)]
    assert counted
    for slug in counted:
        page = parsed(site / "id" / f"{slug}.html")
        assert f"{slug}-counts.svg" in page.links, slug
        assert (site / "id" / f"{slug}-counts.svg").read_text(encoding="utf-8").startswith("<svg")
    text = (site / "id" / "bletchley-declaration.html").read_text(encoding="utf-8")
    assert 'alt="Signatory counts of Bletchley Declaration, as sources report them: ' in text
    assert "signatories.svg" in parsed(site / "index.html").links and (site / "signatories.svg").is_file()


@pytest.mark.parametrize("base", ["ftp://example.org/", "https://example.org/aigov", "https://example.org/a b/", "https://example.org/\"/",
                                  "https://example.org/?q=1/", "/relative/"])
def test_a_bad_base_is_refused_before_anything_is_built(tmp_path, base):
    project = copy_project(tmp_path / "p")
    result = run_build(project, "--base", base)
    assert result.returncode == 2 and "is not a base URL: give an http(s) URL ending in /" in result.stderr
    assert not project.dist.exists()


def test_the_default_canonical_link_is_the_iri(site):
    page = (site / "id" / "african-union.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{ID}african-union">' in page


def test_every_claim_and_page_can_be_cited(site, store):
    """Each claim on an entity page has its citation line, BibTeX and CSL-JSON with the claim's
    IRI and the dataset's version; the page itself has its own."""
    query = f"""PREFIX aig: <https://w3id.org/aigov/ontology#>
    SELECT ?claim WHERE {{ GRAPH ?g {{ ?claim aig:claimSubject <{ID}united-kingdom> }} }}"""
    claims = [row["claim"].value for row in store.query(query)]
    page = (site / "id" / "united-kingdom.html").read_text(encoding="utf-8")
    blocks = re.findall(r'<details class="cite">(.*?)</details>', page, re.S)
    assert len(blocks) == len(claims) + 1
    for claim in claims:
        mine = [b for b in blocks if f"<code>{claim}</code>" in b]
        assert len(mine) == 1 and "@online{" in mine[0] and claim in mine[0].split('class="bibtex"')[1], claim
        csl = json.loads(html.unescape(re.search(r'<pre class="csl-json">(.*?)</pre>', mine[0], re.S).group(1)))
        assert claim in csl[0]["note"]
    own = re.search(r'<section id="cite"><h2>Cite this page</h2>(.*?)</section>', page, re.S).group(1)
    assert "aigov-kg contributors" in own and f"url = {{{ID}united-kingdom}}" in own


def test_the_index_opens_with_the_summit_series(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    series = re.search(r'<section id="summits">(.*?)</section>', index, re.S).group(1)
    assert re.findall(r'href="id/([a-z-]+)\.html"', series) == ["ai-safety-summit", "ai-seoul-summit", "ai-action-summit",
                                                                 "india-ai-impact-summit"]


def test_every_disagreement_has_a_page_with_its_claims_side_by_side(site, store):
    query = """PREFIX aig: <https://w3id.org/aigov/ontology#> SELECT ?d (COUNT(DISTINCT ?c) AS ?claims) WHERE {
      ?d a aig:Disagreement ; aig:involvesClaim ?c } GROUP BY ?d"""
    found = {row["d"].value: int(row["claims"].value) for row in store.query(query)}
    assert found
    for iri, claims in found.items():
        page = (site / f"{iri[len('https://w3id.org/aigov/'):]}.html").read_text(encoding="utf-8")
        assert page.count("<tr><td>") == claims, iri
        assert (site / f"{iri[len('https://w3id.org/aigov/'):]}.ttl").is_file()
    index = (site / "index.html").read_text(encoding="utf-8")
    assert len(re.findall(r'href="disagreement/[0-9a-f]+\.html"', index)) == len(found)


def test_the_dataset_has_a_page_listing_every_published_file(site, built):
    page = (site / "dataset.html").read_text(encoding="utf-8")
    listed = re.findall(r"<tr><td><a href=\"[^\"]+\">([^<]+)</a></td><td>[^<]+</td><td>[0-9,]+</td><td><code>([0-9a-f]{64})</code>", page)
    sums = dict(line.split("  ")[::-1] for line in (built.dist / "SHA256SUMS").read_text(encoding="utf-8").splitlines())
    assert listed and all(sums[name] == digest for name, digest in listed)
    assert (site / "dataset.ttl").read_bytes() == (built.dist / "void.ttl").read_bytes()
    assert '<link rel="canonical" href="https://w3id.org/aigov/dataset">' in page
