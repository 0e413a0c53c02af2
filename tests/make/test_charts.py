"""Charts (issue 14): specs with inline data from the built graph, one mark a data row,
offline and byte-stable rendering, a text alternative that gives the numbers, clear usage errors."""

import hashlib
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from kg.errors import UsageError
from kg.make.charts import chart, counts_spec, describe, render, signatories_spec
from kg.use.query import run
from tests.conftest import ROOT

PARIS = "statement-on-inclusive-and-sustainable-ai"
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "</script><script>alert(\"x\")</script> & 'q'"


@pytest.fixture(scope="module")
def signatories(built, store):
    return chart(built, "signatories", store=store)


@pytest.fixture(scope="module")
def counts(built, store):
    return chart(built, "counts", {"pledge": PARIS}, store=store)


def marks(svg: bytes, kind: str) -> int:
    """The number of data marks of ``kind`` (rect, symbol) drawn in ``svg``, legends left out."""
    groups = [g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class", "").startswith(f"mark-{kind} role-mark")]
    return sum(len(g) for g in groups)


def keys(value: object) -> set[str]:
    """Every key of every dict nested in ``value``."""
    if isinstance(value, dict):
        return set(value).union(*(keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys(v) for v in value))
    return set()


def count(store, pattern: str) -> int:
    """How many distinct ``?x`` match ``pattern`` in the built graph (prefixes aig: and id: declared)."""
    prefixes = "PREFIX aig: <https://w3id.org/aigov/ontology#> PREFIX id: <https://w3id.org/aigov/id/>"
    return int(next(iter(store.query(f"{prefixes} SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}")))[0].value)


def test_signatories_counts_the_accepted_graph_one_bar_a_row(signatories, store):
    rows = signatories["data"]["values"]
    endorsed = count(store, f"?x aig:endorsed id:{PARIS}")
    declined = count(store, f"?x aig:declinedToEndorse id:{PARIS}")
    paris = [r for r in rows if r["pledge"] == "Statement on Inclusive and Sustainable AI"]
    assert sum(r["parties"] for r in paris if r["position"] == "endorsed") == endorsed > 0
    assert sum(r["parties"] for r in paris if r["position"] == "declined to endorse") == declined > 0
    assert {"nation", "bloc"} <= {r["kind"] for r in paris}
    assert len({r["pledge"] for r in rows}) == count(store, "?party aig:endorsed|aig:declinedToEndorse ?x") > 1
    assert marks(render(signatories, "svg"), "rect") == len(rows)


def test_counts_shows_every_report_of_the_pledge_one_point_a_row(built, store, counts):
    rows = counts["data"]["values"]
    reports = run("signatory-counts", {"pledge": PARIS}, project=built, store=store).records()
    assert sorted(r["value"] for r in rows) == sorted(r["value"] for r in reports)
    assert len({r["value"] for r in rows}) > 1  # the sources disagree, and the chart shows it
    assert {r["date"] for r in rows} >= {str(r["published"]) for r in reports if r["published"] and not r["asOf"]}
    assert marks(render(counts, "svg"), "symbol") == len(rows)
    assert chart(built, "counts", {"pledge": "Bletchley Declaration"}, store=store)["data"]["values"] != rows


def test_the_data_is_inline_never_a_url(signatories, counts):
    for spec in (signatories, counts):
        assert "url" not in keys(spec)
        assert spec["data"]["values"]


def test_rendering_fetches_nothing():
    spec = {"data": {"url": "http://127.0.0.1:9/rows.json"}, "mark": "point"}
    with pytest.raises(ValueError, match="not allowed"):
        render(spec, "svg")


def test_rendering_is_byte_identical_in_this_process_and_under_another_hash_seed(built, signatories, counts):
    def digests(specs):
        return [hashlib.sha256(render(spec, fmt)).hexdigest() for spec in specs for fmt in ("svg", "png")]

    here = digests([signatories, counts])
    assert here == digests([signatories, counts])
    code = (
        "import hashlib, sys\nfrom pathlib import Path\nfrom kg.project import Project\nfrom kg.make.charts import chart, render\n"
        "p = Project(Path(sys.argv[1]))\n"
        f"specs = [chart(p, 'signatories'), chart(p, 'counts', {{'pledge': {PARIS!r}}})]\n"
        "print(' '.join(hashlib.sha256(render(s, f)).hexdigest() for s in specs for f in ('svg', 'png')))"
    )
    result = subprocess.run([sys.executable, "-c", code, str(built.root)], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONHASHSEED": "12345"}, cwd=ROOT)
    assert result.stdout.split() == here


def test_png_is_a_png(counts):
    assert render(counts, "png").startswith(b"\x89PNG\r\n\x1a\n")


def test_describe_gives_the_numbers(signatories, counts):
    text = describe(signatories)
    paris = [r for r in signatories["data"]["values"] if r["pledge"] == "Statement on Inclusive and Sustainable AI"]
    endorsed = sum(r["parties"] for r in paris if r["position"] == "endorsed")
    declined = sum(r["parties"] for r in paris if r["position"] != "endorsed")
    assert f"Statement on Inclusive and Sustainable AI: {endorsed} endorsed (" in text
    assert f"{declined} declined to endorse (nation: {declined})" in text
    said = describe(counts)
    assert f"{len(counts['data']['values'])} reports" in said
    assert all(f"{r['value']} {r['counted']} ({r['bound']}" in said for r in counts["data"]["values"])
    assert signatories["description"] == text


def test_describe_of_hand_made_rows():
    spec = signatories_spec([
        {"pledge": "P", "position": "declined to endorse", "kind": "nation", "parties": 2},
        {"pledge": "P", "position": "endorsed", "kind": "nation", "parties": 5},
        {"pledge": "P", "position": "endorsed", "kind": "bloc", "parties": 1},
    ])
    assert describe(spec) == "Parties per pledge in the accepted graph. P: 6 endorsed (bloc: 1, nation: 5), 2 declined to endorse (nation: 2)."
    spec = counts_spec([
        {"pledge": "P", "source": "B", "value": 61, "counted": "nations", "bound": "exactly", "date": "not given"},
        {"pledge": "P", "source": "A", "value": 58, "counted": "nations", "bound": "about", "date": "2025-02-12"},
    ])
    assert describe(spec) == ("Signatory counts of P, as sources report them: 2 reports. 58 nations (about, 2025-02-12) per A; "
                              "61 nations (exactly, date not given) per B.")


def test_rows_are_sorted_whatever_order_they_come_in():
    rows = [{"pledge": p, "position": "endorsed", "kind": k, "parties": 1} for p in "BA" for k in ("nation", "bloc")]
    assert signatories_spec(rows) == signatories_spec(rows[::-1])


def test_hostile_labels_are_escaped_in_the_svg():
    spec = signatories_spec([{"pledge": HOSTILE, "position": "endorsed", "kind": HOSTILE, "parties": 3}])
    svg = render(spec, "svg").decode("utf-8")
    assert "<script" not in svg
    assert "&lt;/script&gt;&lt;script&gt;" in svg
    ET.fromstring(svg)  # still well-formed: the quotes did not break an attribute
    assert marks(svg.encode("utf-8"), "rect") == 1


@pytest.mark.parametrize(
    "name, params, message",
    [
        ("signatorys", {}, "no chart 'signatorys'"),
        ("counts", {"pledge": "no-such-pledge"}, "no entity has the id"),
        ("counts", {"pledge": "china"}, "is not a pledge"),
        ("counts", {"year": "2025"}, "chart 'counts' has no parameter 'year'"),
        ("signatories", {"pledge": PARIS}, "chart 'signatories' has no parameter 'pledge'"),
    ],
)
def test_usage_errors(built, store, name, params, message):
    with pytest.raises(UsageError, match=message) as caught:
        chart(built, name, params, store=store)
    assert caught.value.hint


def test_unknown_chart_suggests_the_close_name(built, store):
    with pytest.raises(UsageError) as caught:
        chart(built, "signatorys", store=store)
    assert "did you mean 'signatories'" in caught.value.hint


def test_unknown_format(counts):
    with pytest.raises(UsageError, match="no chart format 'gif'"):
        render(counts, "gif")


def test_reports_of_the_same_count_are_drawn_larger_not_hidden():
    """Two sources giving the same count, kind, bound and date draw two points on one spot, both
    larger than a count one source gives: the chart cannot hide how many agree."""
    import re

    same = {"pledge": "P", "value": 58, "counted": "nations", "bound": "exactly", "date": "2025-02-12"}
    spec = counts_spec([{**same, "source": "A"}, {**same, "source": "B"}, {**same, "value": 61, "source": "C"}])
    svg = render(spec, "svg").decode("utf-8")
    assert marks(svg.encode("utf-8"), "symbol") == 3
    points = re.findall(r'<path[^>]*\sd="([^"]+)"', svg.split('class="mark-symbol role-mark')[1].split("</g>")[0])
    assert len(points) == 3 and len(set(points)) == 2  # the two agreeing reports share a size, larger than the third's
    assert spec["encoding"]["size"]["legend"]["values"] == [1, 2]
