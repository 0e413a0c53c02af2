"""The SSSOM mapping table: well-formed rows, and only QIDs on the cross-checked list."""

import csv
from pathlib import Path

import pytest

from kg.errors import KGError
from kg.make.mappings import read_mappings
from tests.conftest import ROOT

TABLE = ROOT / "data" / "mappings" / "wikidata.sssom.tsv"
VERIFIED = ROOT / "data" / "wikidata" / "verified-ids.tsv"


def verified_items() -> dict[str, str]:
    rows = (line.split("\t") for line in VERIFIED.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#"))
    return {row[1]: row[2] for row in rows if row[0] == "item"}


def test_every_link_is_a_cross_checked_item():
    verified = verified_items()
    mappings = read_mappings(TABLE, "wikidata.sssom.tsv")
    assert len(mappings) == 12
    for mapping in mappings:
        assert mapping.qid in verified, f"{mapping.entity_id} -> {mapping.qid} is not on the verified list"
        assert mapping.check_status == "unchecked"  # no live check has run from this machine
        assert mapping.justification == "semapv:ManualMappingCuration"


def test_object_labels_match_the_verified_list():
    verified = verified_items()
    body = [line for line in TABLE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    for row in csv.DictReader(body, delimiter="\t"):
        assert row["object_label"] == verified[row["object_id"].removeprefix("wd:")]
        assert "verified-ids.tsv" in row["check_method"]


def test_china_is_the_state_not_the_region():
    (china,) = [m for m in read_mappings(TABLE, "t") if m.entity_id == "china"]
    assert china.qid == "Q148"


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("wd:Q148\t", "wd:Q0148\t", "not a well-formed Wikidata item"),
        ("wd:Q148\t", "wdt:P148\t", "not a well-formed Wikidata item"),
        ("aigid:china\t", "china\t", "not an aigid: CURIE"),
        ("aigid:china\tChina\towl:sameAs", "aigid:china\tChina\tskos:closeMatch", "is not owl:sameAs"),
        ("aigid:paris\t", "aigid:china\t", "mapped twice"),
    ],
)
def test_malformed_rows_are_refused_with_their_line(tmp_path: Path, old, new, message):
    text = TABLE.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "t.tsv"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    lines = bad.read_text(encoding="utf-8").splitlines()
    with pytest.raises(KGError) as err:
        read_mappings(bad, "t.tsv")
    assert message in err.value.message
    assert new.split("\t")[0] in lines[err.value.line - 1]


def test_a_quote_in_a_cell_is_a_character_not_the_start_of_a_quoted_cell(tmp_path):
    """Found in review: read with csv quoting, one leading '"' swallowed every later row."""
    from kg.make.mappings import update_mappings

    table = tmp_path / "wikidata.sssom.tsv"
    table.write_text(TABLE.read_text(encoding="utf-8"), encoding="utf-8")
    update_mappings(table, {"china": {"object_label": '"PRC'}})
    rows = read_mappings(table, "t")
    assert len(rows) == 12
    assert '\t"PRC\t' in table.read_text(encoding="utf-8")


def test_extra_cells_are_refused_not_dropped(tmp_path):
    table = tmp_path / "wikidata.sssom.tsv"
    table.write_text(TABLE.read_text(encoding="utf-8").rstrip("\n") + "\textra\n", encoding="utf-8")
    with pytest.raises(KGError, match="cells, but the header names"):
        read_mappings(table, "t")
