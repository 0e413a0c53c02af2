"""The parts of kg serve that need no server: the answer cache's bound, ETags, the service
description, the settings passed to the HTTP worker, and the store cache under concurrent opens."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib

from kg.use.server.cache import AnswerCache
from kg.use.server.description import convert, service_description
from kg.use.server.responses import Response, etag, tagged
from kg.use.server.settings import ENVIRONMENT, Settings

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")


def answer(size: int, text: bytes = b"x") -> Response:
    return Response(200, "application/json", text * size)


def test_the_cache_drops_the_least_recently_used_past_its_bound():
    cache = AnswerCache(capacity=800)
    for key in "abcd":
        cache.put(key, answer(100))
    assert cache.get("a") is not None  # a is now the most recently used
    for key in "efgh":
        cache.put(key, answer(100))
    cache.put("i", answer(100))
    assert cache.held <= 800 and len(cache) == 8
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("i") is not None


def test_the_cache_keeps_no_answer_bigger_than_an_eighth_of_it():
    cache = AnswerCache(capacity=800)
    cache.put("big", answer(101))
    assert cache.get("big") is None and cache.held == 0
    cache.put("small", answer(100))
    cache.clear()
    assert cache.get("small") is None and cache.held == 0


def test_an_etag_depends_on_the_build_the_bytes_and_their_type():
    json_tag = etag("b1", "application/json", b"{}")
    assert json_tag == etag("b1", "application/json", b"{}") and json_tag.startswith('"b1-') and json_tag.endswith('"')
    assert json_tag != etag("b2", "application/json", b"{}")
    assert json_tag != etag("b1", "text/csv", b"{}")
    assert json_tag != etag("b1", "application/json", b"[]")
    tagged_once = tagged(answer(3), "b1")
    assert tagged(tagged_once, "b2").etag == tagged_once.etag  # an answer keeps the tag of the build it came from


@pytest.mark.parametrize("media", ["text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples"])
def test_the_service_description_parses_in_every_format(media):
    graphs = ["https://w3id.org/aigov/graph/source/a", "https://w3id.org/aigov/graph/source/b"]
    text = service_description("http://127.0.0.1:7878/sparql", graphs, federated=False)
    body = text.encode() if media == "text/turtle" else convert(text, media)
    graph = rdflib.Graph().parse(data=body, format={"text/turtle": "turtle", "application/rdf+xml": "xml",
                                                     "application/ld+json": "json-ld", "application/n-triples": "nt"}[media])
    service = rdflib.URIRef("http://127.0.0.1:7878/sparql")
    assert (service, rdflib.RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert sorted(str(o) for o in graph.objects(None, SD.name)) == graphs
    assert (service, SD.feature, SD.BasicFederatedQuery) not in graph


def test_the_service_description_says_when_federation_is_allowed():
    graph = rdflib.Graph().parse(data=service_description("http://h/sparql", [], federated=True), format="turtle")
    assert (rdflib.URIRef("http://h/sparql"), SD.feature, SD.BasicFederatedQuery) in graph


def test_settings_survive_the_trip_through_the_environment(monkeypatch):
    settings = Settings(root=Path("/somewhere"), port=1234, workers=3, memory=None, allowed_services=frozenset({"http://a/", "http://b/"}))
    monkeypatch.setenv(ENVIRONMENT, settings.to_environment())
    assert Settings.from_environment() == settings
    assert json.loads(settings.to_environment())["allowed_services"] == ["http://a/", "http://b/"]


def test_workers_opening_a_fresh_store_cache_at_once_all_get_it(built, tmp_path):
    """Found when four workers started together: each rebuilt the on-disk store and swapped it
    in under the others, whose open store then failed ("Mismatch in unique ID")."""
    import shutil

    project = tmp_path / "project"
    shutil.copytree(built.root, project, ignore=shutil.ignore_patterns(".cache"))
    probe = ("import sys; from pathlib import Path; from kg.project import Project; from kg.use.store import open_store; "
             "import time; store = open_store(Project(Path(sys.argv[1])), cache_from_bytes=0); time.sleep(3); print(len(store))")
    processes = [subprocess.Popen([sys.executable, "-c", probe, str(project)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(8)]
    results = [p.communicate(timeout=300) for p in processes]
    assert all(p.returncode == 0 for p in processes), [err for _, err in results]
    assert len({out for out, _ in results}) == 1


def test_form_arguments_read_as_the_standard_library_reads_them():
    """The app's decoder of query strings and form bodies against ``urllib.parse.parse_qs``:
    fixed cases, then random strings over the characters that matter (escapes whole, cut
    short or not hex; ``+``; backslashes, which the C decoder it uses would otherwise read)."""
    import random
    import urllib.parse

    from kg.use.server.app import form_arguments

    def standard(raw: bytes) -> dict[str, list[str]]:
        return urllib.parse.parse_qs(raw.decode("latin-1"), keep_blank_values=True)

    fixed = [b"", b"a=%zz", b"a=%", b"a=%4", b"a=%4g", b"a=\\x41%41", b"a=%E2%82%AC+b", b"a=%ff", b"=x&&y", b"a=1&a=2",
             b"q=%5C%22", b"q=a\\%41b\\\\", b"query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D", b"a==b", b"%61=1"]
    for raw in fixed:
        assert form_arguments(raw) == standard(raw), raw
    pick = random.Random(13).choice
    alphabet = [b"%", b"%4", b"%41", b"%e2%82%ac", b"%zz", b"+", b"&", b"=", b"\\", b"\\x", b"a", b"F", b"0", b" "]
    for _ in range(3000):
        raw = b"".join(pick(alphabet) for _ in range(12))
        assert form_arguments(raw) == standard(raw), raw


def test_form_arguments_read_bytes_not_escaped_as_utf8():
    from kg.use.server.app import form_arguments

    assert form_arguments("q=Déclaration%20de%20Paris".encode()) == {"q": ["Déclaration de Paris"]}
