"""kg serve serves the static site (dist/site/) under /site/, and every IRI of the graph that has a
page dereferences: GET /id/<slug> and /ontology answer 303 See Other to the document in the
format Accept asks for, checked with curl (a real client) against a real server."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from kg.use.server.negotiation import choose_document
from tests.conftest import start_kg_serve, stop

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.fixture(scope="module")
def server(built):
    process, url = start_kg_serve(built, "--workers", "1")
    yield url.rstrip("/")
    stop(process)


def curl(url: str, *options: str) -> dict[str, str]:
    """The status, Location (made absolute), Content-Type and Vary of one request made by curl."""
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed (apt-get install curl)")
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-D", "-", *options, url], capture_output=True, text=True, timeout=60,
                         check=True).stdout
    blocks = [b for b in out.replace("\r\n", "\n").split("\n\n") if b.strip()]
    lines = blocks[-1].splitlines()  # the last response, when -L followed redirects
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return {"status": lines[0].split()[1], "location": headers.get("location", ""), "type": headers.get("content-type", ""),
            "vary": headers.get("vary", "")}


@pytest.mark.parametrize(("accept", "extension", "media"), [
    (None, "html", "text/html"),
    ("*/*", "html", "text/html"),
    (BROWSER, "html", "text/html"),
    ("text/turtle", "ttl", "text/turtle"),
    ("application/ld+json", "jsonld", "application/ld+json"),
    ("application/n-triples", "nt", "application/n-triples"),
    ("application/rdf+xml", "rdf", "application/rdf+xml"),
    ("text/html;q=0.2, text/turtle;q=0.8", "ttl", "text/turtle"),
])
def test_an_iri_redirects_to_its_document_in_the_format_asked(server, accept, extension, media):
    options = ["-H", f"Accept: {accept}"] if accept else []
    answer = curl(f"{server}/id/african-union", *options)
    assert (answer["status"], answer["location"]) == ("303", f"/site/id/african-union.{extension}")
    assert "Accept" in answer["vary"]
    followed = curl(f"{server}/id/african-union", "-L", *options)
    assert followed["status"] == "200" and followed["type"].startswith(media)


def test_the_ontology_and_a_nested_iri_dereference(server):
    assert curl(f"{server}/ontology", "-H", "Accept: text/turtle")["location"] == "/site/ontology.ttl"
    assert curl(f"{server}/ontology", "-H", "Accept: application/rdf+xml", "-L")["type"].startswith("application/rdf+xml")
    assert curl(f"{server}/ontology")["location"] == "/site/ontology.html"
    assert curl(f"{server}/dataset", "-H", "Accept: text/turtle")["location"] == "/site/dataset.ttl"
    nested = curl(f"{server}/id/asianews-china-paris-ai-summit/analysts", "-H", "Accept: application/ld+json", "-L")
    assert nested["status"] == "200" and nested["type"].startswith("application/ld+json")


def test_the_documents_are_the_sites_files(server, built):
    import urllib.request

    with urllib.request.urlopen(f"{server}/site/id/united-states.ttl", timeout=30) as answer:
        assert answer.read() == (built.dist / "site" / "id" / "united-states.ttl").read_bytes()
    with urllib.request.urlopen(f"{server}/site/", timeout=30) as answer:
        assert answer.read() == (built.dist / "site" / "index.html").read_bytes()
    assert curl(f"{server}/site")["location"] == "/site/"  # the pages' relative links need the slash
    assert curl(f"{server}/site/signatories.svg")["type"] == "image/svg+xml"


@pytest.mark.parametrize("path", ["/id/no-such-thing", "/id/", "/id/../kg.nq", "/id/%2e%2e/site/index", "/site/../dist/kg.nq",
                                  "/site/%2e%2e/kg.nq", "/site/id/nothing.html", "/site/%00", "/id/african-union.html/x"])
def test_unknown_and_escaping_paths_are_404(server, path):
    assert curl(f"{server}{path}", "--path-as-is")["status"] == "404"


def test_a_format_the_site_does_not_have_is_406(server):
    answer = curl(f"{server}/id/african-union", "-H", "Accept: image/png")
    assert answer["status"] == "406" and answer["type"].startswith("application/json")


@pytest.mark.parametrize(("header", "expected"), [
    (None, "html"), ("", "html"), ("*/*", "html"), ("text/*", "html"), ("application/*", "html"),
    ("application/json", "jsonld"), ("text/plain", "nt"), ("application/xml", "rdf"),
    ("text/turtle, application/ld+json", "ttl"), ("application/ld+json, text/turtle", "jsonld"),
    ("text/html;q=0, */*", "ttl"), ("text/html;q=0, application/xhtml+xml;q=0, text/turtle;q=0, */*;q=0.1", "jsonld"),
    ("image/png", None), ("text/turtle;q=0", None), ("text/turtle;q=abc", None),
])
def test_choose_document(header, expected):
    assert choose_document(header) == expected


def test_a_claim_or_evidence_iri_leads_to_its_sources_page(server, store):
    import re

    claim = next(iter(store.query("SELECT ?c WHERE { GRAPH ?g { ?c a <https://w3id.org/aigov/ontology#Claim> } } ORDER BY ?c LIMIT 1")))["c"].value
    path = claim[len("https://w3id.org/aigov"):]
    source, key = path.split("/")[2:]
    answer = curl(f"{server}{path}")
    assert (answer["status"], answer["location"]) == ("303", f"/site/id/{source}.html#{key}")
    page = subprocess.run(["curl", "-sL", f"{server}{path}"], capture_output=True, text=True, timeout=60, check=True).stdout
    assert re.search(rf'id="{key}"', page)  # the anchor is on the page the redirect leads to
    assert curl(f"{server}{path}", "-H", "Accept: text/turtle")["status"] == "406"
    assert curl(f"{server}/claim/{source}/nothing/more")["status"] == "404"
    assert curl(f"{server}/claim/no-such-source/{key}")["status"] == "404"
    evidence = next(iter(store.query("SELECT ?e WHERE { GRAPH ?g { ?c <https://w3id.org/aigov/ontology#evidence> ?e } } ORDER BY ?e LIMIT 1")))["e"].value
    cited = evidence.split("/")[6]
    answer = curl(f"{server}{evidence[len('https://w3id.org/aigov'):]}")
    assert (answer["status"], answer["location"]) == ("303", f"/site/id/{cited}.html#claims")
    assert curl(f"{server}/id/evidence/no-such-source/x")["status"] == "404"


def test_a_disagreement_iri_dereferences(server, store):
    iri = next(iter(store.query("SELECT ?d WHERE { ?d a <https://w3id.org/aigov/ontology#Disagreement> } ORDER BY ?d LIMIT 1")))["d"].value
    path = iri[len("https://w3id.org/aigov"):]
    assert curl(f"{server}{path}")["location"] == f"/site{path}.html"
    followed = curl(f"{server}{path}", "-H", "Accept: text/turtle", "-L")
    assert followed["status"] == "200" and followed["type"].startswith("text/turtle")
