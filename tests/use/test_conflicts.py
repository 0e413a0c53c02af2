"""kg conflicts: the disagreements of the built dataset, as the saved query disagreements gives
them, grouped for people (table) and tools (json)."""

import json

from kg.use.conflicts import conflicts, summary, table
from kg.use.query import run
from tests.conftest import kg_cli


def test_the_reported_counts_are_one_disagreement_kept_as_observations(built, store):
    found = {c.label: c for c in conflicts(built, store)}
    counts = found["Statement on Inclusive and Sustainable AI: signatory count"]
    assert counts.settlement == "kept as observations"
    values = {v.value for v in counts.values}
    assert {"53", "57", "58", "60", "61", "64"} <= values
    (so_far,) = [v for v in counts.values if v.value == "53"]
    assert so_far.so_far and so_far.qualifiers() == "unspecified parties, exactly, so far"
    fifty_eight = [v for v in counts.values if v.value == "58"]  # 58 nations, and 58 parties of unsaid kind
    assert {(v.counted, v.bound) for v in fifty_eight} == {("nations", "exactly"), ("unspecified parties", "exactly")}
    nations = next(v for v in fifty_eight if v.counted == "nations")
    assert {r.source for r in nations.sources} >= {"asianews-china-paris-ai-summit", "brusselstimes-58-countries"}
    assert not any(v.accepted for v in counts.values)


def test_the_command_and_the_query_say_the_same(built, store):
    found = conflicts(built, store)
    rows = run("disagreements", project=built, store=store).rows
    assert sum(len(v.sources) for c in found for v in c.values) == len(rows)
    assert summary(found).startswith(f"{len(found)} disagreement(s)")


def test_table_and_json_output(built):
    result = kg_cli("conflicts", project=built)
    assert result.returncode == 0, result.stderr
    assert "Statement on Inclusive and Sustainable AI: signatory count — kept as observations" in result.stdout
    assert "nations, exactly" in result.stdout and "disagreement(s)" in result.stderr
    document = json.loads(kg_cli("conflicts", "--format", "json", project=built).stdout)
    assert {"disagreement", "label", "subject", "settlement", "explanation", "values"} == set(document[0])
    assert {"property", "value", "label", "counted", "bound", "as_of", "so_far", "rank", "accepted", "sources"} == set(document[0]["values"][0])
    unresolved = kg_cli("conflicts", "--fail-on", "unresolved", project=built)  # the series' contested dates are
    assert unresolved.returncode == 1 and "3 unsettled" in unresolved.stderr          # (counts are never unresolved)
    assert "India AI Impact Summit: start date — unsettled" in unresolved.stdout
    assert kg_cli("conflicts", "--fail-on", "any", project=built).returncode == 1


def test_no_build_says_how_to_build(project):
    result = kg_cli("conflicts", project=project)
    assert result.returncode == 1 and "run python build.py" in result.stderr


def test_an_empty_list_prints_nothing(built):
    assert table([]) == "" and summary([]) == "0 disagreement(s)"


def test_the_table_escapes_control_and_bidi_characters_of_the_dataset(built):
    """A dataset built before labels were checked, or loaded from elsewhere, may hold a label that
    would act on the terminal (clear it, reorder the line): kg conflicts prints it escaped."""
    from kg.use.store import open_store

    store = open_store(built, cache_from_bytes=1 << 40)  # a fresh in-memory copy; the session's store stays as built
    store.update("""
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX aig: <https://w3id.org/aigov/ontology#>
        DELETE { ?d rdfs:label ?old ; rdfs:comment ?why } INSERT { ?d rdfs:label ?label ; rdfs:comment ?comment }
        WHERE {
          ?d a aig:Disagreement ; rdfs:label ?old ; rdfs:comment ?why .
          BIND(STRLANG(CONCAT("\\u202E", STR(?old), "\\u001B[2J"), "en") AS ?label)
          BIND(STRLANG(CONCAT(STR(?why), "\\u0007"), "en") AS ?comment)
        }""")
    found = conflicts(built, store)
    shown = table(found) + summary(found)
    assert found and all(c.label.startswith("\u202e") for c in found)  # the data is kept as it is; only the output escapes
    assert "\\u202e" in shown and "\\x1b[2J" in shown and "\\x07" in shown
    assert not any(c in shown for c in "\u202e\x1b\x07")
