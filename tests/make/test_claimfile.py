"""Reading a claims file: its shape, its qualifiers, one kind of evidence per entry."""

import datetime as dt
from pathlib import Path

import pytest

from kg.errors import KGError
from kg.make.claimfile import read_claims

GOOD = """\
source: s
groups:
  - id: analysts
    label: analysts (unnamed)
    quote: Analysts say
names:
  - {entity: the-statement, name: the pledge}
claims:
  - subject: african-union
    property: endorsed
    object: the-statement
    quote:
      - endorsed it
      - {text: signed, occurrence: 2}
  - subject: the-statement
    property: signatoryCount
    value: 58
    counted: nations
    bound: about
    as_of: 2025-02-11
    locator: second paragraph
"""


def read(tmp_path: Path, text: str):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return read_claims(path, "data/claims/s.yaml")


def test_reads_groups_names_and_claims_with_lines(tmp_path):
    file = read(tmp_path, GOOD)
    (group,) = file.groups
    assert (group.id, group.label, group.line) == ("analysts", "analysts (unnamed)", 3)
    (name,) = file.names
    assert (name.entity, name.name, name.evidence.quotes) == ("the-statement", "the pledge", ())
    endorsed, count = file.claims
    assert (endorsed.subject, endorsed.property, endorsed.object, endorsed.value, endorsed.line) == ("african-union", "endorsed", "the-statement", None, 9)
    assert [(q.text, q.occurrence) for q in endorsed.evidence.quotes] == [("endorsed it", None), ("signed", 2)]
    assert (count.value, count.qualifiers.counted, count.qualifiers.bound, count.qualifiers.as_of) == (58, "CountOfNations", "About", dt.date(2025, 2, 11))
    assert count.evidence.locators == ("second paragraph",)


def test_so_far_is_a_flag_not_a_date(tmp_path):
    file = read(tmp_path, GOOD.replace("as_of: 2025-02-11", "as_of: so far"))
    assert file.claims[1].qualifiers.so_far and file.claims[1].qualifiers.as_of is None


@pytest.mark.parametrize(
    "old, new, line, message",
    [
        ("    property: endorsed", "", 9, "claim is missing 'property'"),
        ("  - subject: african-union", "  - subject: African_Union", 9, "is not a valid id"),
        ("    property: endorsed", "    property: aig:endorsed", 10, "is not an ontology term name"),
        ("    property: endorsed", "    predicate: endorsed", 10, "unknown key 'predicate'"),
        ("    object: the-statement", "    object: the-statement\n    value: 3", 9, "exactly one of object"),
        ("    bound: about", "    bound: roughly", 19, "bound 'roughly' is not one of"),
        ("    counted: nations", "    counted: people", 18, "counted 'people' is not one of"),
        ("    as_of: 2025-02-11", "    as_of: last week", 20, "as_of must be a date"),
        ("    locator: second paragraph", "    locator: second paragraph\n    quote: 58", 15, "not both"),
        ("    locator: second paragraph", "", 15, "gives no evidence"),
        ("{text: signed, occurrence: 2}", "{text: signed, occurrence: 0}", 14, "occurrence must be a whole number"),
        ("      - endorsed it", "      - 42", 12, "a quote must be text"),
        ("source: s", "source: S s", 1, "source must be the id"),
        ("    label: analysts (unnamed)\n", "", 3, "group is missing 'label'"),
    ],
)
def test_malformed_entries_are_refused_with_their_line(tmp_path, old, new, line, message):
    assert old in GOOD
    with pytest.raises(KGError) as err:
        read(tmp_path, GOOD.replace(old, new))
    assert err.value.path == "data/claims/s.yaml"
    assert err.value.line == line
    assert message in err.value.message
    assert err.value.hint


def test_duplicate_group_ids_in_one_file(tmp_path):
    group = GOOD[GOOD.index("  - id:"):GOOD.index("names:")]
    with pytest.raises(KGError) as err:
        read(tmp_path, GOOD.replace("names:", group + "names:"))
    assert err.value.line == 6
    assert "duplicate group id 'analysts' (first on line 3)" in str(err.value)


def test_a_huge_value_is_shown_as_a_bounded_excerpt(tmp_path):
    with pytest.raises(KGError) as err:
        read(tmp_path, GOOD.replace("    bound: about", "    bound: " + "x" * 100_000))
    assert len(str(err.value)) < 400
