"""Saved queries: valid SPARQL with the documented header, and the answers they should give."""

import re

import pytest

from tests.conftest import ROOT

SAVED = sorted((ROOT / "queries").glob("*.rq"))


def header(path):
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#+ ")]


@pytest.mark.parametrize("path", SAVED, ids=[p.name for p in SAVED])
def test_header_has_title_description_and_three_phrasings(path):
    lines = header(path)
    keys = [re.match(r"#\+ (\w+):", line).group(1) for line in lines]
    assert keys.count("title") == 1 and keys.count("description") == 1
    assert keys.count("phrasing") >= 3


def run(store, name):
    results = store.query((ROOT / "queries" / name).read_text(encoding="utf-8"))
    return [{v.value: row[v].value for v in results.variables if row[v] is not None} for row in results]


def test_unlinked_entities(store):
    rows = run(store, "unlinked-entities.rq")
    unlinked = {row["entity"].rsplit("/", 1)[1] for row in rows}
    assert {"zhang-guoqing", "deepseek", "ai-action-summit", "statement-on-inclusive-and-sustainable-ai", "global-ai-governance-initiative"} <= unlinked
    assert not unlinked & {"china", "united-states", "european-union", "african-union", "xi-jinping"}
    assert all(row["entityLabel"] for row in rows)


def test_endorsing_blocs_with_evidence(store):
    rows = [row for row in run(store, "signatories.rq") if row["kind"] == "bloc"]
    assert {row["partyLabel"] for row in rows} == {"European Union", "African Union"}
    article = [row for row in rows if row["source"].endswith("/asianews-china-paris-ai-summit")]
    assert len(article) == 2 and all("the EU and the African Union, endorsed" in row["quote"] for row in article)
    cited = [row for row in rows if row not in article]
    assert cited and all("quote" not in row and row["locator"] and row["url"].startswith("https://") for row in cited)
