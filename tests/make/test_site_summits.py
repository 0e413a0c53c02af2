"""The pledge and summit pages of the site (kg/make/site/summits.py): who endorsed and who
declined, each with its sources; the declarations adopted at a summit; the series as a timeline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.namespaces import ID

PARIS = "statement-on-inclusive-and-sustainable-ai"


@pytest.fixture(scope="module")
def site(built) -> Path:
    return built.dist / "site"


def section(site: Path, slug: str, name: str) -> str:
    page = (site / "id" / f"{slug}.html").read_text(encoding="utf-8")
    found = re.search(rf'<section id="{name}">(.*?)</section>', page, re.S)
    assert found, f"no section {name} on {slug}"
    return found.group(1)


def test_a_pledge_lists_every_party_a_source_names_with_its_sources(site, store):
    query = f"""PREFIX aig: <https://w3id.org/aigov/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
    SELECT DISTINCT ?property ?party ?source WHERE {{ GRAPH ?g {{ ?c aig:claimObject <{ID}{PARIS}> ; aig:claimProperty ?property ;
      aig:claimSubject ?party ; prov:wasDerivedFrom ?source }} FILTER (?property IN (aig:endorsed, aig:declinedToEndorse)) }}"""
    said = {(r["property"].value.rsplit("#", 1)[1], r["party"].value[len(ID):], r["source"].value[len(ID):]) for r in store.query(query)}
    html = section(site, PARIS, "positions")
    endorsed, declined = html.split("Declined to endorse it")
    rows = {name: re.findall(r"<tr><td><a href=\"([^\"]+)\.html\">.*?</td><td>(.*?)</td>", part) for name, part in
            (("endorsed", endorsed), ("declinedToEndorse", declined))}
    shown = {(position, party, source) for position, found in rows.items() for party, sources in found
             for source in re.findall(r'href="([^"#]+)\.html#', sources)}
    assert shown == said
    assert {party for party, _ in rows["declinedToEndorse"]} == {"united-states", "united-kingdom"}
    assert len(rows["endorsed"]) == len({party for position, party, _ in said if position == "endorsed"})


def test_a_party_named_on_both_sides_is_listed_on_both():
    """Where sources disagree on a party's position, both rows show, each with its own source,
    and only what the accepted graph holds is marked accepted (a small store made here: the
    built graph has no such party today)."""
    import pyoxigraph

    from kg.make.site.page import Page
    from kg.make.site.summits import _positions

    aig, prov = "https://w3id.org/aigov/ontology#", "http://www.w3.org/ns/prov#"
    store = pyoxigraph.Store()
    pledge, party = pyoxigraph.NamedNode(ID + "p"), pyoxigraph.NamedNode(ID + "x")
    for n, (source, property_) in enumerate((("s1", "endorsed"), ("s2", "declinedToEndorse"))):
        claim, graph = pyoxigraph.NamedNode(f"https://w3id.org/aigov/claim/{source}/{n}"), pyoxigraph.NamedNode("https://w3id.org/aigov/graph/" + source)
        for predicate, value in (("claimObject", pledge), ("claimProperty", pyoxigraph.NamedNode(aig + property_)), ("claimSubject", party)):
            store.add(pyoxigraph.Quad(claim, pyoxigraph.NamedNode(aig + predicate), value, graph))
        store.add(pyoxigraph.Quad(claim, pyoxigraph.NamedNode(prov + "wasDerivedFrom"), pyoxigraph.NamedNode(ID + source), graph))
    store.add(pyoxigraph.Quad(party, pyoxigraph.NamedNode(aig + "endorsed"), pledge, pyoxigraph.DefaultGraph()))
    html = _positions(store, Page(path="id/p.html", title="P", body="", iri=ID + "p", kind="pledge"), {ID + "x": "<X & co>"})
    endorsed, declined = html.split("Declined to endorse it")
    assert 'href="x.html">&lt;X &amp; co&gt;</a>' in endorsed and 'href="s1.html#0"' in endorsed and "accepted</span>" in endorsed
    assert 'href="x.html">' in declined and 'href="s2.html#1"' in declined and "not accepted" in declined


def test_a_summit_shows_its_declarations_and_the_series(site, store):
    html = section(site, "ai-seoul-summit", "declarations")
    query = f"SELECT ?p WHERE {{ ?p <https://w3id.org/aigov/ontology#endorsedAt> <{ID}ai-seoul-summit> }}"
    pledges = {r["p"].value[len(ID):] for r in store.query(query)}
    assert pledges and set(re.findall(r'<li><a href="([^"]+)\.html">', html)) == pledges
    assert 'src="seoul-declaration-counts.svg"' in html
    series = section(site, "ai-seoul-summit", "series")
    order = re.findall(r"(?:href=\"([a-z-]+)\.html\"|<strong>)", series)
    assert order == ["ai-safety-summit", "", "ai-action-summit", "india-ai-impact-summit"]  # "" is this summit, unlinked
    assert '<time datetime="2023-11-01">2023-11-01</time>–<time datetime="2023-11-02">2023-11-02</time>' in series and "(this summit)" in series
