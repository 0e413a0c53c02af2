"""The curators' decisions: a rank and a reason for the claims they name."""

from pathlib import Path

import pytest

from kg.errors import KGError
from kg.make.decisions import read_decisions

GOOD = """\
decisions:
  - subject: united-states
    property: declinedToEndorse
    object: statement
    rank: preferred
    reason: its government said so
  - subject: statement
    property: signatoryCount
    value: 61
    source: wam
    rank: deprecated
    reason: counts attendance, not signatures
"""


def read(tmp_path: Path, text: str):
    path = tmp_path / "decisions.yaml"
    path.write_text(text, encoding="utf-8")
    return read_decisions(path, "data/decisions.yaml")


def test_reads_each_decision(tmp_path):
    preferred, deprecated = read(tmp_path, GOOD)
    assert (preferred.subject, preferred.property, preferred.object, preferred.rank, preferred.line) == (
        "united-states", "declinedToEndorse", "statement", "PreferredRank", 2)
    assert (deprecated.value, deprecated.source, deprecated.rank) == (61, "wam", "DeprecatedRank")


def test_no_file_is_no_decision(tmp_path):
    assert read_decisions(tmp_path / "none.yaml", "data/decisions.yaml") == ()


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("    rank: preferred", "    rank: best", "rank 'best' is not preferred or deprecated"),
        ("    reason: its government said so\n", "", "decision is missing 'reason'"),
        ("    object: statement", "    object: statement\n    value: 3", "exactly one of object or value"),
        ("    property: declinedToEndorse", "    property: aig:declined", "not an ontology term name"),
    ],
)
def test_malformed_decisions_are_refused(tmp_path, old, new, message):
    with pytest.raises(KGError) as err:
        read(tmp_path, GOOD.replace(old, new))
    assert message in err.value.message and err.value.path == "data/decisions.yaml" and err.value.hint
