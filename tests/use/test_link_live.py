"""The same commands against the real Wikidata Query Service. They need the internet, so they
are marked ``live`` and skipped unless asked for: ``pytest -m live`` (set KG_CONTACT to an
e-mail address, which goes into the User-Agent as Wikimedia's policy asks)."""

from __future__ import annotations

import os

import pytest

from kg.use.link.check import check_links
from kg.use.link.enrich import enrich
from kg.use.link.suggest import suggest
from kg.use.link.wikidata import WDQS, Endpoint
from tests.conftest import kg_cli

pytestmark = pytest.mark.live

WIKIDATA = Endpoint(WDQS, timeout=60, contact=os.environ.get("KG_CONTACT", ""))


def test_the_shipped_links_check_out_on_wikidata(linkable):
    reports = check_links(linkable, WIKIDATA, save=False)
    assert {r.status for r in reports} == {"ok"}, [(r.entity.id, r.qid, r.status, r.note) for r in reports if r.status != "ok"]


def test_suggest_finds_a_human_for_zhang_guoqing(linkable):
    (zhang,) = suggest(linkable, WIKIDATA, ["zhang-guoqing"], save=False)
    assert zhang.candidates and all(c.features.type_match for c in zhang.candidates)


def test_enrich_gets_chinas_iso_code(linkable):
    counts = enrich(linkable, WIKIDATA)
    assert counts.get("P297", 0) >= 2
    assert '"CN"' in linkable.enrichment.read_text(encoding="utf-8")


def test_a_federated_query_runs_on_wikidata(built):
    result = kg_cli("query", "federated/endorsing-nations-population", "--format", "csv", project=built)
    assert result.returncode == 0, result.stderr
    assert "http://www.wikidata.org/entity/Q148" in result.stdout
