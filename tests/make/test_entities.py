"""The entity register: each entity once, with its type, label and names."""

from pathlib import Path

import pytest

from kg.errors import KGError
from kg.make.entities import read_entities

GOOD = """\
entities:
  - id: african-union
    type: Bloc
    label: African Union
    alt_labels: [AU]
  - id: holy-see
    type: SovereignEntity
    label: Holy See
    note: not a state
"""


def read(tmp_path: Path, text: str):
    path = tmp_path / "entities.yaml"
    path.write_text(text, encoding="utf-8")
    return read_entities(path, "data/entities.yaml")


def test_reads_every_entity_with_its_line(tmp_path):
    au, see = read(tmp_path, GOOD)
    assert (au.id, au.types, au.label, au.alt_labels, au.line) == ("african-union", ("Bloc",), "African Union", ("AU",), 2)
    assert (see.note, see.line) == ("not a state", 6)


@pytest.mark.parametrize(
    "old, new, line, message",
    [
        ("    label: African Union\n", "", 2, "entity is missing 'label'"),
        ("  - id: african-union", "  - id: African_Union", 2, "is not a valid id"),
        ("    type: Bloc", "    type: aig:Bloc", 3, "is not an ontology class name"),
        ("    type: Bloc", "    type: []", 3, "type is an empty list"),
        ("    alt_labels: [AU]", "    alt_labels: [AU, AU]", 5, "repeat a name"),
        ("    alt_labels: [AU]", "    alt_labels: [African Union]", 5, "repeat a name"),
        ("    alt_labels: [AU]", "    alt_labels: [AU]\n    quote: the AU", 6, "unknown key 'quote'"),
        ("  - id: holy-see", "  - id: african-union", 6, "duplicate entity id 'african-union' (first on line 2)"),
    ],
)
def test_malformed_entries_are_refused_with_their_line(tmp_path, old, new, line, message):
    with pytest.raises(KGError) as err:
        read(tmp_path, GOOD.replace(old, new))
    assert (err.value.path, err.value.line) == ("data/entities.yaml", line)
    assert message in err.value.message and err.value.hint


def test_a_file_that_is_not_a_register(tmp_path):
    with pytest.raises(KGError, match="one key, entities"):
        read(tmp_path, "- id: x\n")
