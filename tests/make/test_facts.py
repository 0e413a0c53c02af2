from pathlib import Path

import pytest

from kg.errors import KGError
from kg.make.facts import read_facts

GOOD = """\
source: s
entities:
  - id: african-union
    type: Bloc
    label: African Union
    alt_labels: [AU]
    quote: the African Union
facts:
  - subject: african-union
    predicate: endorsed
    object: the-statement
    quote:
      - endorsed it
      - {text: signed, occurrence: 2}
"""


def read(tmp_path: Path, text: str):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return read_facts(path, "data/facts/s.yaml")


def test_reads_entities_and_facts_with_lines(tmp_path):
    facts = read(tmp_path, GOOD)
    (entity,) = facts.entities
    assert (entity.id, entity.types, entity.alt_labels, entity.line) == ("african-union", ("Bloc",), ("AU",), 3)
    (fact,) = facts.facts
    assert (fact.subject, fact.predicate, fact.object, fact.value, fact.line) == ("african-union", "endorsed", "the-statement", None, 9)
    assert [(q.text, q.occurrence) for q in fact.quotes] == [("endorsed it", None), ("signed", 2)]


@pytest.mark.parametrize(
    "old, new, line, message",
    [
        ("    label: African Union\n", "", 3, "entity is missing 'label'"),
        ("  - id: african-union", "  - id: African_Union", 3, "is not a valid id"),
        ("    predicate: endorsed", "    predicate: aig:endorsed", 10, "is not an ontology term name"),
        ("    object: the-statement", "    object: the-statement\n    value: 3", 9, "exactly one of object"),
        ("    alt_labels: [AU]", "    alt_labels: [AU]\n    colour: blue", 7, "unknown key 'colour'"),
        ("{text: signed, occurrence: 2}", "{text: signed, occurrence: 0}", 14, "occurrence must be a whole number"),
        ("      - endorsed it", "      - 42", 12, "a quote must be text"),
        ("source: s", "source: S s", 1, "source must be the id"),
    ],
)
def test_malformed_entries_are_refused_with_their_line(tmp_path, old, new, line, message):
    assert old in GOOD
    with pytest.raises(KGError) as err:
        read(tmp_path, GOOD.replace(old, new))
    assert err.value.path == "data/facts/s.yaml"
    assert err.value.line == line
    assert message in err.value.message
    assert err.value.hint


def test_duplicate_entity_ids_in_one_file(tmp_path):
    entity = GOOD[GOOD.index("  - id:"):GOOD.index("facts:")]
    with pytest.raises(KGError) as err:
        read(tmp_path, GOOD.replace("facts:", entity + "facts:"))
    assert err.value.line == 8
    assert "duplicate entity id 'african-union' (first on line 3)" in str(err.value)
