"""World maps of a pledge: which nations the accepted graph holds as endorsing it and as
declining it, as a Vega-Lite v5 specification with every datum inline, rendered offline to SVG
or PNG by :func:`kg.make.charts.render`, with a plain-English text alternative.

- The country shapes are Natural Earth's at 1:110m, from the npm package world-atlas 2.0.2,
  vendored in ``kg/make/vendor/world-atlas/`` (see its README.md: ISC licence, Natural Earth's
  data in the public domain) and inlined in the spec as TopoJSON: never fetched.
- A nation (``aig:Nation``) is drawn as the shape whose id is its ISO 3166-1 numeric code, from
  the reviewed table ``data/country-codes.tsv`` (:func:`country_codes`). Its colour says its
  position: endorsed, declined to endorse, both reported (the accepted graph holds both), or
  not reported (grey: the graph holds no position, which is not to say it did not sign).
- Not every nation can be drawn: a nation with no row or no code in the table, and one too
  small to have a shape at 1:110m (Singapore), are named in the text alternative instead.
- Parties that are not nations (blocs such as the European Union, organisations, the Holy See)
  are never on the map: :func:`parties_apart` lists them for the page to print, and the text
  alternative names them.

Positions and labels are read from the graph and rows are sorted, so the same build gives the
same bytes whatever the hash seed.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyoxigraph

from kg.errors import KGError, UsageError
from kg.make.charts import SCHEMA, UNDATED
from kg.namespaces import AIG, ID
from kg.project import Project
from kg.use.query import QueryText, execute

ATLAS = Path(__file__).resolve().parent / "vendor" / "world-atlas" / "countries-110m.json"
CODES_HEADER = ["entity", "iso3166_numeric", "iso3166_alpha3", "name"]
# The positions a country can be drawn in, in the legend's order: the graph's labels of
# aig:endorsed and aig:declinedToEndorse (the tests check they still are), "both reported" for a
# nation the graph holds in both, "not reported" for a country it holds in neither.
ENDORSED = "endorsed"
DECLINED = "declined to endorse"
BOTH = "both reported"
NOT_REPORTED = "not reported"
# Okabe-Ito blue, vermillion and reddish purple (told apart with any colour vision), light grey.
COLOURS = {ENDORSED: "#0072b2", DECLINED: "#d55e00", BOTH: "#cc79a7", NOT_REPORTED: "#d9d9d9"}

_POSITIONS = """
PREFIX aig: <https://w3id.org/aigov/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?pledge ?party (MIN(?partyLabel) AS ?label) ?property (MIN(?kindLabel) AS ?kind) ?nation WHERE {
  VALUES ?property { aig:endorsed aig:declinedToEndorse }
  ?party ?property ?pledge .
  BIND (EXISTS { ?party a aig:Nation } AS ?nation)
  OPTIONAL { ?party rdfs:label ?partyLabel . }
  OPTIONAL { ?party a ?kindClass . ?kindClass rdfs:label ?kindLabel . FILTER (STRSTARTS(STR(?kindClass), STR(aig:))) }
}
GROUP BY ?pledge ?party ?property ?nation
"""
_PROPERTIES = {AIG + "endorsed": ENDORSED, AIG + "declinedToEndorse": DECLINED}

_PLEDGE = """
PREFIX aig: <https://w3id.org/aigov/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?pledge ?label WHERE { ?pledge a aig:Pledge . OPTIONAL { ?pledge rdfs:label ?label . } }
"""


def country_codes(project: Project | None = None) -> dict[str, str]:
    """Entity IRI -> ISO 3166-1 numeric code (``"036"``), from ``project``'s reviewed
    ``data/country-codes.tsv`` (default: the table of this checkout); rows with no code are left
    out, so those nations are named in the text, not drawn."""
    path = (project or Project(Path(__file__).resolve().parents[2])).root / "data" / "country-codes.tsv"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KGError(f"no country-code table at {path}", hint="pass the project that holds data/country-codes.tsv") from None
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    rows = list(csv.reader(lines, delimiter="\t"))
    if not rows or rows[0] != CODES_HEADER:
        raise KGError(f"{path}: the header must be {' '.join(CODES_HEADER)} (tab-separated)", hint="restore the header line")
    for row in rows[1:]:
        if len(row) != len(CODES_HEADER):
            raise KGError(f"{path}: the row {row!r} has {len(row)} columns, not {len(CODES_HEADER)}",
                          hint="separate entity, numeric code, alpha-3 code and name by tabs; leave unknown codes empty")
    return {ID + row[0]: row[1] for row in rows[1:] if row[1]}


def atlas() -> dict:
    """The vendored TopoJSON topology of the world's countries at 1:110m (world-atlas 2.0.2)."""
    return json.loads(ATLAS.read_text(encoding="utf-8"))


def world_map(store: pyoxigraph.Store, pledge_iri: str, codes: dict[str, str] | None = None) -> dict:
    """The Vega-Lite spec of the world map of the pledge ``pledge_iri`` in ``store`` (the built
    graph): each nation coloured by its position, ``codes`` (entity IRI -> ISO numeric code,
    default :func:`country_codes`) placing it. Not a pledge: :class:`~kg.errors.UsageError`."""
    pledge = _pledge_label(store, pledge_iri)
    codes = country_codes() if codes is None else codes
    parties = _parties(store, pledge_iri)
    nations = [{"id": codes.get(iri, ""), "party": label, "position": position} for iri, (label, _, position, nation) in parties.items() if nation]
    apart = [(label, kind, position) for label, kind, position, nation in parties.values() if not nation]
    return map_spec(pledge, nations, apart)


def parties_apart(store: pyoxigraph.Store, pledge_iri: str) -> list[tuple[str, str, str]]:
    """The parties of the pledge ``pledge_iri`` that are not nations, never on the map: (label,
    kind of party, position) sorted by label, e.g. ``("European Union", "bloc", "endorsed")``."""
    _pledge_label(store, pledge_iri)
    return sorted((label, kind, position) for label, kind, position, nation in _parties(store, pledge_iri).values() if not nation)


def map_spec(pledge: str, nations: list[dict], apart: list[tuple[str, str, str]]) -> dict:
    """The map of ``pledge`` (its label): ``nations`` are dicts with ``id`` (ISO numeric code,
    ``""`` if none), ``party`` (label) and ``position`` (:data:`COLOURS`' keys); ``apart`` the
    parties that are not nations, (label, kind, position), named in the text only."""
    nations = sorted(nations, key=lambda r: (r["party"], r["id"], r["position"]))
    spec = {
        "$schema": SCHEMA,
        "title": f"Who endorsed and who declined the {pledge} (accepted graph)",
        "usermeta": {"chart": "map", "pledge": pledge, "apart": [list(p) for p in sorted(apart)]},
        "width": 640,
        "height": 320,
        "projection": {"type": "equalEarth"},
        "data": {"values": atlas(), "format": {"type": "topojson", "feature": "countries"}},
        "transform": [{"lookup": "id", "from": {"data": {"values": nations}, "key": "id", "fields": ["position"]}, "default": NOT_REPORTED}],
        "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.4, "aria": False},
        "encoding": {
            "color": {"field": "position", "type": "nominal", "title": "position",
                      "scale": {"domain": list(COLOURS), "range": list(COLOURS.values())}},
        },
    }
    # Vega-Lite's own text alternative, for an embedding in a browser; vl-convert's SVG does not
    # carry it, so a page gives describe_map's text as the image's alt.
    spec["description"] = describe_map(spec)
    return spec


def describe_map(spec: dict) -> str:
    """A plain-English text alternative of a spec made by :func:`map_spec`: the nations in each
    position, those that could not be drawn, and the parties that are not nations."""
    nations = spec["transform"][0]["from"]["data"]["values"]
    shapes = {g.get("id") for g in spec["data"]["values"]["objects"]["countries"]["geometries"]}
    said = [f"World map of the {spec['usermeta']['pledge']}, from the accepted graph."]
    for position in list(COLOURS)[:-1]:
        names = [r["party"] for r in nations if r["position"] == position]
        if names:
            said.append(f"Nations that {_verb(position)} ({len(names)}): {', '.join(names)}.")
    if not nations:
        said.append("The graph holds no nation's position.")
    said.append("Every other country is grey: the graph reports no position for it.")
    unplaced = [r["party"] for r in nations if not r["id"]]
    if unplaced:
        said.append(f"Not on the map, having no ISO 3166-1 code in data/country-codes.tsv: {', '.join(unplaced)}.")
    small = [r["party"] for r in nations if r["id"] and r["id"] not in shapes]
    if small:
        said.append(f"Too small to be drawn at this scale: {', '.join(small)}.")
    apart = spec["usermeta"]["apart"]
    if apart:
        said.append("Not nations, so not on the map: " + "; ".join(f"{label} ({kind}, {position})" for label, kind, position in apart) + ".")
    return " ".join(said)


def _verb(position: str) -> str:
    """``position`` as said of nations: "endorsed it", "declined to endorse it", "..."."""
    return {BOTH: "are reported both to have endorsed it and to have declined"}.get(position, f"{position} it")


def _pledge_label(store: pyoxigraph.Store, pledge_iri: str) -> str:
    """The label of the pledge ``pledge_iri`` (else its id); not a pledge: a UsageError."""
    rows = execute(store, QueryText(_PLEDGE, "<map: pledge>"), {"pledge": pyoxigraph.NamedNode(pledge_iri)}).records()
    if not rows:
        raise UsageError(f"{pledge_iri!r} is not a pledge of the graph", hint=f"give a pledge's IRI, e.g. {ID}statement-on-inclusive-and-sustainable-ai")
    return min((r["label"] for r in rows if r["label"] is not None), default=pledge_iri.removeprefix(ID))


def _parties(store: pyoxigraph.Store, pledge_iri: str) -> dict[str, tuple[str, str, str, bool]]:
    """Party IRI -> (label, kind, position, is a nation) for the pledge ``pledge_iri``, sorted by
    IRI; a party held in both positions is :data:`BOTH`."""
    rows = execute(store, QueryText(_POSITIONS, "<map: positions>"), {"pledge": pyoxigraph.NamedNode(pledge_iri)}).records()
    parties: dict[str, tuple[str, str, str, bool]] = {}
    for r in sorted(rows, key=lambda r: (r["party"], r["property"])):
        position = BOTH if r["party"] in parties else _PROPERTIES[r["property"]]
        parties[r["party"]] = (r["label"] or r["party"].removeprefix(ID), r["kind"] or UNDATED, position, bool(r["nation"]))
    return parties
