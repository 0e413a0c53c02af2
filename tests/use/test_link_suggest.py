"""kg link suggest and kg link accept against the Wikidata-shaped fixture server
(tests/fixtures/wikidata.ttl lists the planted candidates)."""

from __future__ import annotations

import json

import pytest

from kg.errors import KGError
from kg.use.link.names import case_variants, normalize, similarity
from kg.use.link.suggest import accept, suggest
from kg.use.link.wikidata import Endpoint
from kg.make.mappings import read_mappings
from kg.use.query import run
from kg.use.store import open_store
from tests.conftest import kg_cli, run_build


def by_entity(found):
    return {s.entity.id: s for s in found}


def test_names_compare_without_case_accents_or_a_leading_the():
    assert normalize("The  António Guterres") == "antonio guterres"
    assert normalize("People’s Republic") == normalize("peoples republic")
    assert similarity("DEEPSEEK", "DeepSeek") == 1.0
    assert similarity("Zhang Guoqing", "Zhang Wei") < 0.8
    assert similarity("", "x") == 0.0
    assert case_variants("DeepSeek") == ["DeepSeek", "deepseek", "Deepseek", "DEEPSEEK"]


def test_candidates_are_found_typed_and_scored(linkable, wikidata_endpoint):
    found = by_entity(suggest(linkable, Endpoint(wikidata_endpoint), ["zhang-guoqing", "deepseek", "ai-action-summit"]))
    zhang = found["zhang-guoqing"]
    assert [c.view.qid for c in zhang.candidates] == ["Q900000010", "Q900000012"]  # the @mul, lower-case label matches too
    assert zhang.rejected == 1  # the family name: a name match, not a human
    assert not any(c.match for c in zhang.candidates)  # two equally good humans: no confident match
    deepseek = found["deepseek"]
    assert [c.view.qid for c in deepseek.candidates] == ["Q900000003", "Q900000013"]
    best, other = deepseek.candidates
    assert best.match and best.features.country_match is True and best.features.score == 1.0
    assert other.features.country_match is False and other.features.score < 0.9 and not other.match
    assert deepseek.rejected == 1  # the language model called DeepSeek
    summit = found["ai-action-summit"].candidates
    assert [c.view.qid for c in summit] == ["Q900000020"] and summit[0].match


def test_entities_without_a_declared_class_are_shown_but_not_acceptable(linkable, wikidata_endpoint):
    (statement,) = suggest(linkable, Endpoint(wikidata_endpoint), ["statement-on-inclusive-and-sustainable-ai"])
    assert [c.view.qid for c in statement.candidates] == ["Q900000021"]
    assert statement.candidates[0].features.type_match is None and not statement.candidates[0].match
    assert statement.as_json()["acceptable"] is False
    with pytest.raises(KGError, match="no Wikidata class is declared for aig:Pledge"):
        accept(linkable, "statement-on-inclusive-and-sustainable-ai", "Q900000021", "a test", Endpoint(wikidata_endpoint))


def test_by_default_every_unlinked_named_entity_is_looked_up(linkable, wikidata_endpoint):
    found = by_entity(suggest(linkable, Endpoint(wikidata_endpoint)))
    assert "china" not in found  # linked already
    assert "asianews-china-paris-ai-summit/analysts" not in found and "asianews-china-paris-ai-summit" not in found  # never linked
    assert "computerweekly-uk-us-refuse-to-sign" not in found  # a cited source is not linked either
    assert {"zhang-guoqing", "deepseek", "ai-action-summit", "holy-see"} <= set(found)


def test_json_is_in_the_reconciliation_api_shape(linkable, wikidata_endpoint):
    result = kg_cli("link", "suggest", "deepseek", "--endpoint", wikidata_endpoint, "--format", "json", project=linkable)
    assert result.returncode == 0, result.stderr
    (entry,) = json.loads(result.stdout)
    candidate = entry["candidates"][0]
    assert {"id", "name", "description", "type", "score", "match", "features"} <= set(candidate)
    assert candidate["type"] == [{"id": "Q783794", "name": "company"}]
    assert {f["id"] for f in candidate["features"]} == {"name_similarity", "type_match", "country_match"}


def test_table_output(linkable, wikidata_endpoint):
    result = kg_cli("link", "suggest", "deepseek", "--endpoint", wikidata_endpoint, project=linkable)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("deepseek  (DeepSeek; aig:Company; expects Q783794)")
    assert "Q900000003" in lines[1] and "match" in lines[1]


def test_suggest_refuses_linked_and_unknown_entities(linkable, wikidata_endpoint):
    with pytest.raises(KGError, match="already linked to wd:Q148"):
        suggest(linkable, Endpoint(wikidata_endpoint), ["china"])
    with pytest.raises(KGError, match="did you mean 'deepseek'"):
        suggest(linkable, Endpoint(wikidata_endpoint), ["deepsek"])
    with pytest.raises(KGError, match="never linked"):
        suggest(linkable, Endpoint(wikidata_endpoint), ["asianews-china-paris-ai-summit/analysts"])


def test_accept_writes_the_row_and_the_build_publishes_the_link(linkable, wikidata_endpoint):
    result = kg_cli(
        "link", "accept", "zhang-guoqing", "Q900000010", "--evidence", "https://example.org/profile",
        "--endpoint", wikidata_endpoint, project=linkable,
    )
    assert result.returncode == 0, result.stderr
    assert "accepted: aigid:zhang-guoqing owl:sameAs wd:Q900000010" in result.stdout
    lines = linkable.mappings.read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if line.startswith("subject_id\t"))
    row = dict(zip(header.split("\t"), lines[-1].split("\t")))
    assert row["subject_id"] == "aigid:zhang-guoqing" and row["object_id"] == "wd:Q900000010"
    assert row["object_label"] == "Zhang Guoqing" and row["see_also"] == "https://example.org/profile"
    assert row["mapping_justification"] == "semapv:ManualMappingCuration" and row["check_status"] == "ok"
    assert float(row["confidence"]) == 1.0 and row["mapping_tool"].startswith("aigov-kg")
    assert run_build(linkable).returncode == 0
    links = run("wikidata-links", project=linkable, store=open_store(linkable)).records()
    assert {"entity": "https://w3id.org/aigov/id/zhang-guoqing", "entityLabel": "Zhang Guoqing", "wikidata": "http://www.wikidata.org/entity/Q900000010"} in links


def test_accept_keeps_a_written_reason_as_the_comment(linkable, wikidata_endpoint):
    accept(linkable, "deepseek", "Q900000003", "same founding date\tand city", Endpoint(wikidata_endpoint))
    (row,) = [m for m in read_mappings(linkable.mappings, "t") if m.entity_id == "deepseek"]
    assert row.comment == "evidence: same founding date and city"


@pytest.mark.parametrize(
    "entity, qid, message",
    [
        ("zhang-guoqing", "Q900000011", "not accepted: Q900000011 is an instance of Q900000301"),
        ("deepseek", "Q900000002", "not accepted: Q900000002 redirects to Q900000003"),
        ("ai-action-summit", "Q900000004", "not accepted: Q900000004 does not exist"),
        ("zhang-guoqing", "Q900000001", "not accepted: score 0.8"),
        ("china", "Q148", "already linked to wd:Q148"),
        ("zhang-guoqing", "Q148", "wd:Q148 is already linked to aigid:china"),
        ("zhang-guoqing", "148", "not a Wikidata item id"),
    ],
)
def test_accept_refuses(linkable, wikidata_endpoint, entity, qid, message):
    before = linkable.mappings.read_bytes()
    with pytest.raises(KGError, match=message):
        accept(linkable, entity, qid, "a test", Endpoint(wikidata_endpoint))
    assert linkable.mappings.read_bytes() == before


def test_force_accepts_a_low_score_but_never_a_type_mismatch(linkable, wikidata_endpoint):
    report = accept(linkable, "zhang-guoqing", "Q900000001", "a person checked", Endpoint(wikidata_endpoint), force=True)
    assert report.status == "label-mismatch"
    with pytest.raises(KGError, match="is an instance of"):
        accept(linkable, "vice-premier-of-china", "Q900000005", "a person checked", Endpoint(wikidata_endpoint), force=True)


def test_accept_needs_evidence(linkable, wikidata_endpoint):
    result = kg_cli("link", "accept", "deepseek", "Q900000003", "--evidence", "  ", "--endpoint", wikidata_endpoint, project=linkable)
    assert result.returncode == 1 and "no evidence given" in result.stderr


def test_accept_offline_uses_what_suggest_cached(linkable, wikidata_endpoint):
    suggest(linkable, Endpoint(wikidata_endpoint), ["ai-action-summit"])
    report = accept(linkable, "ai-action-summit", "Q900000020", "https://example.org/summit", None)
    assert report.status == "ok" and report.retrieval.endpoint == wikidata_endpoint
