"""kg link check against a real Oxigraph server holding tests/fixtures/wikidata.ttl (Wikidata's
RDF shape, with a planted label mismatch, redirect, deleted item and type mismatch)."""

from __future__ import annotations

import json
import socket
import threading

import pytest

from kg.errors import KGError
from kg.use.link import wikidata
from kg.use.link.cache import Cache
from kg.use.link.check import STATUSES, check_links
from kg.use.link.wikidata import Endpoint
from kg.make.mappings import read_mappings, update_mappings
from tests.conftest import kg_cli, rate_limited, run_build

SHIPPED = {"china": "Q148", "united-states": "Q30", "european-union": "Q458", "african-union": "Q7159", "paris": "Q90",
           "united-nations": "Q1065", "xi-jinping": "Q15031", "antonio-guterres": "Q311440", "un-secretary-general": "Q81066",
           "united-kingdom": "Q145", "france": "Q142", "india": "Q668"}
PLANTED = {"zhang-guoqing": "Q900000001", "deepseek": "Q900000002", "ai-action-summit": "Q900000004", "vice-premier-of-china": "Q900000005"}


def plant(project) -> None:
    """Add the fixture's problem links to the project's mapping table."""
    rows = tuple(
        {"subject_id": f"aigid:{entity}", "predicate_id": "owl:sameAs", "object_id": f"wd:{qid}", "mapping_justification": "semapv:ManualMappingCuration"}
        for entity, qid in PLANTED.items()
    )
    update_mappings(project.mappings, {}, rows)


def test_the_shipped_links_are_all_ok_against_the_fixture(linkable, wikidata_endpoint):
    reports = check_links(linkable, Endpoint(wikidata_endpoint))
    assert {r.entity.id: r.qid for r in reports} == SHIPPED
    assert {r.entity.id: r.status for r in reports} == dict.fromkeys(SHIPPED, "ok"), [r.note for r in reports if r.status != "ok"]
    china = next(r for r in reports if r.entity.id == "china")
    assert china.view.label == "People's Republic of China"
    assert china.features.names == ("China", "China")  # matched through Wikidata's alias
    assert china.features.type_match is True
    eu = next(r for r in reports if r.entity.id == "european-union")
    assert eu.features.type_match is True  # through a subclass-of step
    assert all(r.score == 1.0 for r in reports)


def test_each_planted_problem_gets_its_status(linkable, wikidata_endpoint):
    plant(linkable)
    statuses = {r.entity.id: r for r in check_links(linkable, Endpoint(wikidata_endpoint))}
    assert statuses["zhang-guoqing"].status == "label-mismatch"
    assert "Zhang Wei" in statuses["zhang-guoqing"].note
    assert statuses["deepseek"].status == "redirect"
    assert statuses["deepseek"].target.qid == "Q900000003" and statuses["deepseek"].target.label == "DeepSeek"
    assert "wd:Q900000003" in statuses["deepseek"].note
    assert statuses["ai-action-summit"].status == "missing" and statuses["ai-action-summit"].score == 0.0
    assert statuses["vice-premier-of-china"].status == "type-mismatch"
    assert "Q4164871" in statuses["vice-premier-of-china"].note
    assert {r.status for r in statuses.values()} == set(STATUSES)


def test_json_output_and_exit_code(linkable, wikidata_endpoint):
    plant(linkable)
    result = kg_cli("link", "check", "--endpoint", wikidata_endpoint, "--format", "json", project=linkable)
    assert result.returncode == 1, result.stderr
    links = json.loads(result.stdout)
    assert len(links) == len(SHIPPED) + len(PLANTED)
    for link in links:
        assert {"entity", "qid", "status", "wikidata", "score"} <= set(link)
        assert link["status"] in STATUSES
        assert 0.0 <= link["score"] <= 1.0
    by_entity = {link["entity"]: link for link in links}
    assert by_entity["china"]["wikidata"]["instance_of"][0] == {"qid": "Q3624078", "label": "sovereign state"}
    assert by_entity["ai-action-summit"]["wikidata"] is None
    assert by_entity["deepseek"]["redirect_target"]["qid"] == "Q900000003"
    assert f"4 of {len(SHIPPED) + len(PLANTED)} link(s) are not ok" in result.stderr


def test_table_output_exits_0_when_all_are_ok(linkable, wikidata_endpoint):
    result = kg_cli("link", "check", "--endpoint", wikidata_endpoint, project=linkable)
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split()[:4] == ["entity", "qid", "status", "score"]
    assert len(rows) == len(SHIPPED) and all(" ok " in row for row in rows)


def test_the_table_and_cache_record_when_and_how(linkable, wikidata_endpoint):
    plant(linkable)
    before = linkable.mappings.read_text(encoding="utf-8")
    reports = check_links(linkable, Endpoint(wikidata_endpoint))
    after = linkable.mappings.read_text(encoding="utf-8")
    assert [line for line in before.splitlines() if line.startswith("#")] == [line for line in after.splitlines() if line.startswith("#")]
    rows = {m.entity_id: m for m in read_mappings(linkable.mappings, "t")}
    day = reports[0].retrieval.day
    assert rows["china"].check_status == "ok" and rows["china"].check_date == day
    assert rows["deepseek"].check_status == "redirect"
    assert wikidata_endpoint in after  # the check_method names the endpoint asked
    cache = Cache.load(linkable.wikidata_cache, "cache")
    assert cache.retrieval("Q148").endpoint == wikidata_endpoint
    assert cache.retrieval("Q900000004") is not None and not cache.view("Q900000004").exists
    assert cache.retrieval("Q900000003") is not None  # the redirect's target was fetched too
    text = linkable.wikidata_cache.read_text(encoding="utf-8")
    assert "pav:retrievedOn" in text and '"People\'s Republic of China"@en' in text
    assert run_build(linkable).returncode == 0  # the cache and the extended table are valid inputs


def test_offline_check_reads_the_cache_alone(linkable, wikidata_endpoint):
    plant(linkable)
    online = {r.entity.id: r.status for r in check_links(linkable, Endpoint(wikidata_endpoint))}
    offline = {r.entity.id: r.status for r in check_links(linkable, None)}
    assert online == offline
    result = kg_cli("link", "check", "--offline", "--format", "json", project=linkable)
    assert result.returncode == 1 and len(json.loads(result.stdout)) == len(SHIPPED) + len(PLANTED)


def test_offline_without_a_cached_answer_says_so(linkable):
    result = kg_cli("link", "check", "--offline", project=linkable)
    assert result.returncode == 1
    assert "no Wikidata answer about Q148 (china) is cached" in result.stderr and "fix:" in result.stderr


def test_no_save_leaves_the_files_alone(linkable, wikidata_endpoint):
    table, cache = linkable.mappings.read_bytes(), linkable.wikidata_cache.read_bytes()
    assert kg_cli("link", "check", "--endpoint", wikidata_endpoint, "--no-save", project=linkable).returncode == 0
    assert linkable.mappings.read_bytes() == table and linkable.wikidata_cache.read_bytes() == cache


def test_all_items_go_in_few_requests(linkable, wikidata_endpoint, monkeypatch):
    plant(linkable)
    sent = []
    real = wikidata.construct

    def counting(endpoint, query):
        sent.append(query)
        return real(endpoint, query)

    monkeypatch.setattr(wikidata, "construct", counting)
    check_links(linkable, Endpoint(wikidata_endpoint), save=False)
    items = len({*SHIPPED.values(), *PLANTED.values()})
    assert len(sent) == 2  # one batch of all the items, one for the redirect's target
    assert all(f"wd:{qid}" in sent[0] for qid in (*SHIPPED.values(), *PLANTED.values()))
    monkeypatch.setattr(wikidata, "BATCH", 5)
    sent.clear()
    check_links(linkable, Endpoint(wikidata_endpoint), save=False)
    assert len(sent) == -(-items // 5) + 1  # ceil(items / 5) batches, then the redirect's target


def test_the_user_agent_names_the_project_and_the_contact():
    agent = Endpoint(contact="someone@example.org").user_agent
    assert agent.startswith("aigov-kg/") and "someone@example.org" in agent and "https://w3id.org/aigov" in agent


def test_a_silent_endpoint_times_out_with_a_clear_message(linkable):
    """A loopback socket that accepts and stays silent: the network condition, not a fake server."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        accepted = []
        threading.Thread(target=lambda: accepted.append(silent.accept()), daemon=True).start()
        try:
            result = kg_cli("link", "check", "--endpoint", f"http://127.0.0.1:{silent.getsockname()[1]}/query", "--timeout", "1", project=linkable)
        finally:
            for connection, _ in accepted:
                connection.close()
    assert result.returncode == 1
    assert "did not answer within 1 s" in result.stderr and "fix: raise --timeout" in result.stderr


def test_a_429_is_waited_out_as_retry_after_asks(linkable, wikidata_endpoint):
    base = wikidata_endpoint.removesuffix("/query")
    with rate_limited(base, refusals=2, retry_after="1") as (front, limiter):
        reports = check_links(linkable, Endpoint(f"{front}/query"), save=False)
    assert limiter.statuses == [429, 429, 200]
    assert {r.status for r in reports} == {"ok"}


def test_a_429_asking_for_too_long_a_wait_is_reported(linkable, wikidata_endpoint):
    base = wikidata_endpoint.removesuffix("/query")
    with rate_limited(base, refusals=1, retry_after="3600") as (front, limiter), pytest.raises(KGError, match="is rate-limiting \\(HTTP 429\\) and asks to wait 3600 s"):
        check_links(linkable, Endpoint(f"{front}/query"), save=False)
    assert limiter.statuses == [429]


def test_the_shipped_table_says_no_live_check_has_run():
    from tests.conftest import ROOT

    rows = read_mappings(ROOT / "data" / "mappings" / "wikidata.sssom.tsv", "t")
    assert {m.check_status for m in rows} == {"unchecked"} and {m.check_date for m in rows} == {""}
    assert "No retrieval has run yet" in (ROOT / "data" / "wikidata" / "cache.ttl").read_text(encoding="utf-8")
