"""The `#+` header of saved queries."""

from pathlib import Path

import pytest

from kg.errors import KGError
from kg.use.savedquery import find_saved_query, read_saved_query, saved_queries
from tests.conftest import ROOT

GOOD = """\
#+ title: Blocs that endorsed a pledge
#+ description: The blocs that endorsed the pledge.
#+ param: pledge entity = statement-on-inclusive-and-sustainable-ai — the pledge, by id or name
#+ param: limit integer — how many
#+ phrasing: which blocs endorsed {pledge}?
#+ phrasing: which blocs signed {pledge}?
#+ phrasing: did the EU sign {pledge}?
#+ tags: endorsement, blocs
#+ network: required
SELECT ?bloc ?pledge ?limit WHERE { ?bloc <urn:endorsed> ?pledge } LIMIT 10 # ?limit
"""


def read(tmp_path: Path, text: str):
    path = tmp_path / "q.rq"
    path.write_text(text, encoding="utf-8")
    return read_saved_query(path, "q", "queries/q.rq")


def test_header_fields(tmp_path):
    query = read(tmp_path, GOOD)
    assert query.title == "Blocs that endorsed a pledge"
    assert [(p.name, p.type, p.default) for p in query.params] == [
        ("pledge", "entity", "statement-on-inclusive-and-sustainable-ai"),
        ("limit", "integer", None),
    ]
    assert query.params[0].doc == "the pledge, by id or name"
    assert len(query.phrasings) == 3 and query.tags == ("endorsement", "blocs")
    assert query.network_required and query.group == ""


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("#+ title: Blocs that endorsed a pledge\n", "", "exactly one '#+ title:'"),
        ("#+ tags:", "#+ colour: red\n#+ tags:", "unknown header key 'colour'"),
        ("limit integer — how many", "limit number — how many", "malformed parameter"),
        ("limit integer — how many", "limit integer how many", "malformed parameter"),
        ("SELECT ?bloc ?pledge ?limit WHERE { ?bloc <urn:endorsed> ?pledge }", "SELECT ?bloc ?pledge WHERE { ?bloc <urn:endorsed> ?pledge FILTER(?limit) }", "'limit' is not in the SELECT projection"),
        ("did the EU sign {pledge}?", "did the EU sign {treaty}?", "{treaty}, which is not a parameter"),
        ("#+ param: limit integer — how many\n", "#+ param: limit integer — how many\n#+ param: colour string — unused\n", "'colour' is not used"),
    ],
)
def test_header_mistakes_are_refused(tmp_path, old, new, message):
    assert old in GOOD
    with pytest.raises(KGError) as err:
        read(tmp_path, GOOD.replace(old, new))
    assert message in err.value.message and err.value.path == "queries/q.rq"


def test_every_shipped_query_reads_and_is_listed_main_set_first():
    queries = saved_queries(ROOT / "queries")
    groups = [q.group for q in queries]
    assert groups == sorted(groups, key=lambda g: g != "")
    main = [q for q in queries if not q.group]
    assert len(main) >= 15
    assert all(q.description and len(q.phrasings) >= 3 for q in main)


def test_an_unknown_name_suggests_close_ones():
    with pytest.raises(KGError) as err:
        find_saved_query(ROOT / "queries", "signatorie")
    assert "signatories" in err.value.hint
