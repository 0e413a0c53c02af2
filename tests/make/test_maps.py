"""World maps of a pledge (kg.make.maps): each nation drawn in its position's colour from the
accepted graph, everything inline and offline, byte-stable, with a text alternative; and the
review of data/country-codes.tsv against Debian's ISO 3166-1 table, the graph and the atlas."""

import csv
import hashlib
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pyoxigraph
import pytest

from kg.errors import KGError, UsageError
from kg.make.charts import render
from kg.make.maps import (
    ATLAS, BOTH, COLOURS, CODES_HEADER, DECLINED, ENDORSED, NOT_REPORTED, atlas, country_codes, describe_map, map_spec,
    parties_apart, world_map,
)
from kg.namespaces import AIG, ID
from kg.project import Project
from tests.conftest import ROOT
from tests.make.test_charts import keys

PARIS = ID + "statement-on-inclusive-and-sustainable-ai"
BLETCHLEY = ID + "bletchley-declaration"
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "</script><script>alert(1)</script> & \"q\" 'q'"
ISO_TABLE = Path("/usr/share/iso-codes/json/iso_3166-1.json")
# Rows of data/country-codes.tsv whose name (ISO 3166-1's) is not the graph's label: slug -> why.
ALIASES = {"russia": ("Russia", "Russian Federation")}  # ISO 3166-1 gives no shorter common_name
# Nations with a code but no shape in the 1:110m atlas: slug -> why (the text names them instead).
NO_SHAPE = {"singapore": "a city-state, below what Natural Earth draws at 1:110m"}
PREFIXES = "PREFIX aig: <https://w3id.org/aigov/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"


@pytest.fixture(scope="module")
def codes(built):
    return country_codes(built)


@pytest.fixture(scope="module")
def paris(store, codes):
    return world_map(store, PARIS, codes)


@pytest.fixture(scope="module")
def bletchley(store, codes):
    return world_map(store, BLETCHLEY, codes)


@pytest.fixture(scope="module")
def drawn(paris, bletchley) -> dict[str, list[str]]:
    """Pledge IRI -> the fill colour of each country path of its map, rendered to SVG."""
    return {PARIS: fills(render(paris, "svg")), BLETCHLEY: fills(render(bletchley, "svg"))}


def fills(svg: bytes) -> list[str]:
    """The fill colour of each country path of the map in ``svg``, in drawing order (the
    legend's symbols left out)."""
    groups = [g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class", "").startswith("mark-shape role-mark")]
    assert len(groups) == 1, f"expected one layer of country shapes, found {len(groups)}"
    return [path.get("fill") for path in groups[0].iter(f"{SVG}path")]


def shape_ids() -> list[str | None]:
    """The ids of the atlas's country shapes, in its order (None for the three with no ISO code:
    Kosovo, N. Cyprus, Somaliland)."""
    return [g.get("id") for g in atlas()["objects"]["countries"]["geometries"]]


def nations_in(store, pledge: str, prop: str) -> set[str]:
    """The IRIs of the nations held to ``prop`` (endorsed, declinedToEndorse) ``pledge``."""
    query = f"{PREFIXES} SELECT ?n WHERE {{ ?n a aig:Nation ; aig:{prop} <{pledge}> }}"
    return {row[0].value for row in store.query(query)}


def tiny_store(*triples: tuple[str, str, object]) -> pyoxigraph.Store:
    """An in-memory store of ``triples`` (subject, predicate IRIs; object an IRI, or a
    :class:`pyoxigraph.Literal`)."""
    store = pyoxigraph.Store()
    for s, p, o in triples:
        store.add(pyoxigraph.Quad(pyoxigraph.NamedNode(s), pyoxigraph.NamedNode(p),
                                  o if isinstance(o, pyoxigraph.Literal) else pyoxigraph.NamedNode(o)))
    return store


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


# --- the map ------------------------------------------------------------------------------------


@pytest.mark.parametrize("pledge", [PARIS, BLETCHLEY])
def test_each_country_is_drawn_in_its_position_colour(store, codes, pledge, drawn):
    ids = shape_ids()
    assert len(drawn[pledge]) == len(ids) == 177
    colour_of = {codes[iri]: colour for prop, colour in (("endorsed", COLOURS[ENDORSED]), ("declinedToEndorse", COLOURS[DECLINED]))
                 for iri in nations_in(store, pledge, prop)}
    expected = [colour_of.get(i, COLOURS[NOT_REPORTED]) for i in ids]
    assert drawn[pledge] == expected


def test_the_us_and_the_uk_declined_paris_and_endorsed_bletchley(drawn):
    ids = shape_ids()
    for pledge, colour in ((PARIS, COLOURS[DECLINED]), (BLETCHLEY, COLOURS[ENDORSED])):
        fill = dict(zip(ids, drawn[pledge]))
        assert fill["840"] == fill["826"] == colour  # United States, United Kingdom
        assert fill["250"] == COLOURS[ENDORSED]  # France endorsed both
    paris_counts = Counter(drawn[PARIS])
    assert paris_counts[COLOURS[DECLINED]] == 2
    assert paris_counts[COLOURS[ENDORSED]] == 8  # 9 nations endorsed; Singapore has no shape at 1:110m
    assert COLOURS[BOTH] not in paris_counts


def test_the_text_alternative_names_the_nations_in_each_position(paris, bletchley):
    said = describe_map(paris)
    assert "Nations that declined to endorse it (2): United Kingdom, United States." in said
    assert "Nations that endorsed it (9): Australia, Canada, China, France, Germany, India, Japan, New Zealand, Singapore." in said
    assert "Too small to be drawn at this scale: Singapore." in said
    assert "European Union (bloc, endorsed)" in said and "Holy See (sovereign entity, endorsed)" in said
    assert paris["description"] == said
    assert "United States" in describe_map(bletchley).split("Nations that endorsed it (14): ")[1].split(".")[0]
    assert "declined" not in describe_map(bletchley)


def test_parties_that_are_not_nations_are_apart_not_on_the_map(store, paris):
    query = f"{PREFIXES} SELECT DISTINCT ?p WHERE {{ ?p aig:endorsed|aig:declinedToEndorse <{PARIS}> FILTER NOT EXISTS {{ ?p a aig:Nation }} }}"
    others = {row[0].value for row in store.query(query)}
    apart = parties_apart(store, PARIS)
    assert len(apart) == len(others) >= 3
    assert ("European Union", "bloc", ENDORSED) in apart
    assert apart == sorted(apart)
    assert [list(p) for p in apart] == paris["usermeta"]["apart"]
    assert {r["party"] for r in paris["transform"][0]["from"]["data"]["values"]}.isdisjoint({label for label, _, _ in apart})


def test_the_spec_holds_every_datum_and_no_url(paris):
    assert "url" not in keys(paris)
    assert "://" not in json.dumps(paris["data"]) + json.dumps(paris["transform"])
    assert paris["data"]["values"] == atlas()
    assert paris["data"]["format"] == {"type": "topojson", "feature": "countries"}
    assert paris["projection"]["type"] == "equalEarth"


def test_rendering_is_byte_identical_under_two_hash_seeds(built, paris):
    here = hashlib.sha256(render(paris, "svg")).hexdigest()
    code = (
        "import hashlib, sys\nfrom pathlib import Path\nfrom kg.project import Project\nfrom kg.use.store import open_store\n"
        "from kg.make.charts import render\nfrom kg.make.maps import country_codes, world_map\n"
        "p = Project(Path(sys.argv[1]))\n"
        f"print(hashlib.sha256(render(world_map(open_store(p), {PARIS!r}, country_codes(p)), 'svg')).hexdigest())"
    )
    digests = [
        subprocess.run([sys.executable, "-c", code, str(built.root)], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}, cwd=ROOT).stdout.strip()
        for seed in ("1", "4242")
    ]
    assert digests == [here, here]


def test_a_nation_held_in_both_positions_and_hostile_labels():
    pledge, nation, bloc = ID + "p", ID + "n", ID + "b"
    store = tiny_store(
        (pledge, RDF_TYPE, AIG + "Pledge"), (pledge, LABEL, pyoxigraph.Literal(HOSTILE)),
        (nation, RDF_TYPE, AIG + "Nation"), (nation, LABEL, pyoxigraph.Literal(HOSTILE)),
        (nation, AIG + "endorsed", pledge), (nation, AIG + "declinedToEndorse", pledge),
        (bloc, RDF_TYPE, AIG + "Bloc"), (AIG + "Bloc", LABEL, pyoxigraph.Literal("bloc")), (bloc, AIG + "endorsed", pledge),
    )
    spec = world_map(store, pledge, {nation: "840"})
    svg = render(spec, "svg").decode("utf-8")
    assert "<script" not in svg
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in svg  # the title, escaped
    drawn = fills(svg.encode("utf-8"))  # well-formed: the quotes broke no attribute
    assert drawn[shape_ids().index("840")] == COLOURS[BOTH]
    assert Counter(drawn) == {COLOURS[BOTH]: 1, COLOURS[NOT_REPORTED]: 176}
    assert f"Nations that are reported both to have endorsed it and to have declined (1): {HOSTILE}." in describe_map(spec)
    assert parties_apart(store, pledge) == [("b", "bloc", ENDORSED)]


def test_describe_of_hand_made_rows():
    spec = map_spec("P", [
        {"id": "250", "party": "France", "position": ENDORSED},
        {"id": "", "party": "Atlantis", "position": DECLINED},
        {"id": "702", "party": "Singapore", "position": ENDORSED},
    ], [("EU", "bloc", ENDORSED)])
    assert describe_map(spec) == (
        "World map of the P, from the accepted graph. Nations that endorsed it (2): France, Singapore. "
        "Nations that declined to endorse it (1): Atlantis. Every other country is grey: the graph reports no position for it. "
        "Not on the map, having no ISO 3166-1 code in data/country-codes.tsv: Atlantis. "
        "Too small to be drawn at this scale: Singapore. Not nations, so not on the map: EU (bloc, endorsed).")
    assert describe_map(map_spec("P", [], [])) == (
        "World map of the P, from the accepted graph. The graph holds no nation's position. "
        "Every other country is grey: the graph reports no position for it.")


def test_rows_are_sorted_whatever_order_they_come_in():
    rows = [{"id": i, "party": p, "position": ENDORSED} for i, p in (("250", "France"), ("276", "Germany"))]
    apart = [("EU", "bloc", ENDORSED), ("AU", "bloc", ENDORSED)]
    assert map_spec("P", rows, apart) == map_spec("P", rows[::-1], apart[::-1])


def test_the_positions_are_the_graph_labels(store):
    for prop, position in (("endorsed", ENDORSED), ("declinedToEndorse", DECLINED)):
        labels = {row[0].value for row in store.query(f"{PREFIXES} SELECT ?l WHERE {{ aig:{prop} rdfs:label ?l }}")}
        assert labels == {position}, f"aig:{prop}'s label changed: update kg.make.maps.{position.split()[0].upper()}"


def test_a_map_of_what_is_not_a_pledge_is_a_usage_error(store, codes):
    with pytest.raises(UsageError, match="is not a pledge") as caught:
        world_map(store, ID + "china", codes)
    assert caught.value.hint


def test_a_missing_code_table_says_which_project(tmp_path):
    with pytest.raises(KGError, match="no country-code table at"):
        country_codes(Project(tmp_path))


def test_a_malformed_code_table_says_what_is_wrong(tmp_path):
    (tmp_path / "data").mkdir()
    table = tmp_path / "data" / "country-codes.tsv"
    table.write_text("entity,iso3166_numeric\n", encoding="utf-8")
    with pytest.raises(KGError, match="the header must be"):
        country_codes(Project(tmp_path))
    table.write_text("\t".join(CODES_HEADER) + "\nfrance 250 FRA France\n", encoding="utf-8")
    with pytest.raises(KGError, match="has 1 columns, not 4"):
        country_codes(Project(tmp_path))


def test_the_default_code_table_is_this_checkout(built):
    assert country_codes() == country_codes(built)


# --- the vendored atlas and the reviewed code table ---------------------------------------------


def test_the_atlas_is_the_vendored_file_its_readme_names():
    readme = (ATLAS.parent / "README.md").read_text(encoding="utf-8")
    assert hashlib.sha256(ATLAS.read_bytes()).hexdigest() in readme
    assert "world-atlas" in readme and "2.0.2" in readme and "ISC" in readme
    assert "Permission to use, copy, modify" in (ATLAS.parent / "LICENSE").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def iso() -> dict[str, dict]:
    """Debian's ISO 3166-1 table (package iso-codes), by numeric code."""
    if not ISO_TABLE.exists():
        if not os.environ.get("CI"):
            pytest.skip(f"{ISO_TABLE} is missing: apt-get install iso-codes to review data/country-codes.tsv")
        pytest.fail(f"{ISO_TABLE} is missing: apt-get install iso-codes (the CI must review data/country-codes.tsv)")
    return {c["numeric"]: c for c in json.loads(ISO_TABLE.read_text(encoding="utf-8"))["3166-1"]}


@pytest.fixture(scope="module")
def table(built) -> list[dict[str, str]]:
    """The rows of the project's data/country-codes.tsv, comment lines left out."""
    lines = (built.root / "data" / "country-codes.tsv").read_text(encoding="utf-8").splitlines()
    rows = list(csv.reader([line for line in lines if line and not line.startswith("#")], delimiter="\t"))
    assert rows[0] == CODES_HEADER, "data/country-codes.tsv: the first line that is not a comment must be the header"
    return [dict(zip(CODES_HEADER, row, strict=True)) for row in rows[1:]]


@pytest.fixture(scope="module")
def nations(store) -> dict[str, str]:
    """slug -> rdfs:label of every aig:Nation of the built graph."""
    rows = store.query(f"{PREFIXES} SELECT ?e ?l WHERE {{ ?e a aig:Nation ; rdfs:label ?l }}")
    return {row[0].value.removeprefix(ID): row[1].value for row in rows}


def test_every_code_is_iso_3166_1s_for_that_name(iso, table):
    for row in table:
        if not row["iso3166_numeric"]:
            assert not row["iso3166_alpha3"], f"{row['entity']}: an alpha-3 code without a numeric one"
            continue
        entry = iso.get(row["iso3166_numeric"])
        assert entry, f"{row['entity']}: ISO 3166-1 has no numeric code {row['iso3166_numeric']}; look it up in {ISO_TABLE}"
        assert entry["alpha_3"] == row["iso3166_alpha3"], f"{row['entity']}: {row['iso3166_numeric']} is {entry['alpha_3']} in ISO 3166-1"
        names = {entry.get(k) for k in ("name", "official_name", "common_name")} - {None}
        assert row["name"] in names, f"{row['entity']}: ISO 3166-1 names {row['iso3166_numeric']} {sorted(names)}, not {row['name']!r}"


def test_every_name_is_the_graph_label_or_an_explained_alias(table, nations):
    for row in table:
        label = nations.get(row["entity"])
        assert row["name"] == label or ALIASES.get(row["entity"]) == (label, row["name"]), (
            f"{row['entity']}: the table says {row['name']!r}, the graph {label!r}; fix the row, or explain it in ALIASES")
    assert set(ALIASES) <= {r["entity"] for r in table if r["name"] != nations.get(r["entity"])}, "ALIASES has entries no longer needed"


def test_every_nation_has_one_row_and_every_row_is_a_nation(table, nations):
    entities = [row["entity"] for row in table]
    assert entities == sorted(set(entities)), "data/country-codes.tsv: one row a nation, sorted by entity"
    assert sorted(nations) == entities, (
        f"nations without a row: {sorted(set(nations) - set(entities))}; rows that are no nation: {sorted(set(entities) - set(nations))}"
        " (look the codes up in /usr/share/iso-codes/json/iso_3166-1.json)")
    codes = [row["iso3166_numeric"] for row in table if row["iso3166_numeric"]]
    assert len(codes) == len(set(codes)), "two nations share an ISO code"


def test_every_coded_nation_has_a_shape_in_the_atlas_but_the_listed_small_ones(table):
    ids = set(shape_ids())
    missing = {row["entity"] for row in table if row["iso3166_numeric"] and row["iso3166_numeric"] not in ids}
    assert missing == set(NO_SHAPE), f"no shape at 1:110m: {sorted(missing)}; expected exactly NO_SHAPE {sorted(NO_SHAPE)}"
