"""Citations of sources (kg/make/cite.py): read from the built graph, never guessed, our own
titles marked, and safe in BibTeX and JSON whatever the text."""

from __future__ import annotations

import json
import re

import pyoxigraph
import pytest

from kg.errors import UsageError
from kg.make.cite import OURS, Citation, bibtex, citation, csl_json, text
from kg.namespaces import ID

HOSTILE = "A {title} with 100% of $pecial_chars & #tags \\ ~^ </script><script>alert(1)</script>"


def source_fields(store: pyoxigraph.Store, source: str) -> dict[str, list[str]]:
    """Every value of the source's citation properties in the graph, by property's local name."""
    rows = store.query(f"SELECT ?p ?o WHERE {{ <{ID}{source}> ?p ?o }}")
    fields: dict[str, list[str]] = {}
    for row in rows:
        fields.setdefault(re.split(r"[/#]", row["p"].value)[-1], []).append(row["o"].value)
    return fields


def test_a_cited_source_is_cited_with_what_its_page_gives(store):
    source = "bloomberg-gadgets360-us-uk-decline"  # title, authors and date given
    given = source_fields(store, source)
    cite = citation(store, source)
    assert cite.title == given["title"][0] and not cite.title_is_ours
    assert list(cite.authors) == sorted(given["creator"]) and cite.url == given["url"][0]
    assert cite.issued == given["issued"][0] and cite.retrieved == given["retrievedOn"][0]
    line = text(cite)
    assert line.startswith(", ".join(cite.authors) + f". ({cite.issued}). {cite.title}.") and cite.url in line
    assert OURS not in line


def test_a_field_the_page_does_not_give_is_left_out(store):
    source = "admin-ch-parmelin-geneva-2027"  # authors: not given
    assert "http://purl.org/dc/terms/creator" in source_fields(store, source)["notGiven"]
    cite = citation(store, source)
    assert cite.authors == ()
    assert "author" not in bibtex(cite) and "author" not in json.loads(csl_json(cite))[0]
    assert text(cite).startswith(f"({cite.issued}).")


@pytest.mark.parametrize("source", ["asianews-china-paris-ai-summit", "anadolu-61-countries-agree"])
def test_a_title_we_wrote_is_marked_as_ours(store, source):
    """The article carries no title; the Anadolu page's title is not given: each has our label."""
    cite = citation(store, source)
    assert cite.title_is_ours and cite.title == source_fields(store, source)["label"][0]
    assert f"[{OURS}]" in text(cite)
    assert OURS in bibtex(cite) and OURS in json.loads(csl_json(cite))[0]["note"]


def test_a_claim_is_cited_with_its_iri_and_the_dataset_version(store):
    cite = citation(store, "anadolu-61-countries-agree")
    claim = ID + "claim/example"
    entry = bibtex(cite, claim, "0.1.0")
    assert claim in entry and "aigov-kg 0.1.0" in entry
    assert claim in json.loads(csl_json(cite, claim, "0.1.0"))[0]["note"]


def test_an_unknown_source_is_a_usage_error(store):
    with pytest.raises(UsageError, match="no source"):
        citation(store, "no-such-source")


def test_hostile_text_stays_inside_its_bibtex_field_and_its_json_string():
    cite = Citation(iri=ID + "x{y}", title=HOSTILE, title_is_ours=False, authors=("Ann {B}", "C % D"), publisher=HOSTILE,
                    issued="2025-02-11", url="https://example.org/a{b}\\c%20d", retrieved="2026-12-02")
    entry = bibtex(cite)
    assert entry.startswith("@online{x-y-,\n")
    depth = 0
    for index, char in enumerate(entry):  # braces balance: no value closes its field early
        if char in "{}" and entry[index - 1] != "\\":
            depth += 1 if char == "{" else -1
            assert depth >= 0
    assert depth == 0
    assert "100\\% of \\$pecial\\_chars \\& \\#tags" in entry
    item = json.loads(csl_json(cite))[0]
    assert item["title"] == HOSTILE and item["author"] == [{"literal": "Ann {B}"}, {"literal": "C % D"}]
    assert item["issued"] == {"date-parts": [[2025, 2, 11]]}
