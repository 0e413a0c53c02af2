"""Charts of the built graph (issue 14): Vega-Lite v5 specifications with their data inline,
rendered to SVG or PNG offline by vl-convert, with a plain-English text alternative.

- ``signatories``: for each pledge, how many parties the accepted graph holds as endorsing it
  and as declining it, by kind of party (nation, bloc, ...), one bar segment a row (a pledge
  no party is held to have endorsed or declined has no bar);
- ``counts``: the signatory counts the sources report for one pledge (saved query
  ``signatory-counts``), one point a report, by the date it is as of (else the source's
  publication date), so sources that disagree show side by side;
- ``map``: a world map of one pledge, each nation coloured by its position in the accepted
  graph, other parties named apart (:mod:`kg.make.maps`).

Every label is read from the graph; rows are sorted, so the same build gives the same bytes.
A spec never points at a URL (a chart that does renders empty) and rendering may fetch
nothing: vl-convert is given no base URL it may read from.
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph

from kg.errors import NotFound, UsageError
from kg.namespaces import ID
from kg.project import Project
from kg.use.params import bind
from kg.use.query import QueryText, execute, local_lookup, saved
from kg.use.store import open_store

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
# The Vega-Lite bundled in vl-convert that renders: pinned, so an upgrade that makes v6 the
# default does not change the output.
VEGA_LITE = "5.21"
FORMATS = ("svg", "png")
DEFAULT_PLEDGE = "statement-on-inclusive-and-sustainable-ai"
# What stands for a date (neither as of nor published), a kind of count or of party, the graph
# does not give: aig:notGiven's label.
UNDATED = "not given"

_SIGNATORIES = """
PREFIX aig: <https://w3id.org/aigov/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?pledge (MIN(?label) AS ?pledgeLabel) ?property (MIN(?propertyName) AS ?position) ?kind (COUNT(?party) AS ?parties) WHERE {
  {
    SELECT ?party ?property ?pledge (MIN(?kindLabel) AS ?kind) WHERE {
      VALUES ?property { aig:endorsed aig:declinedToEndorse }
      ?party ?property ?pledge .
      OPTIONAL { ?party a ?kindClass . ?kindClass rdfs:label ?kindLabel . FILTER (STRSTARTS(STR(?kindClass), STR(aig:))) }
    }
    GROUP BY ?party ?property ?pledge
  }
  OPTIONAL { ?pledge rdfs:label ?label . }
  OPTIONAL { ?property rdfs:label ?propertyName . }
}
GROUP BY ?pledge ?property ?kind
"""

_IS_PLEDGE = "PREFIX aig: <https://w3id.org/aigov/ontology#> ASK { ?pledge a aig:Pledge }"


def chart(project: Project, name: str, params: dict[str, str] | None = None, store: pyoxigraph.Store | None = None) -> dict:
    """The Vega-Lite spec of chart ``name`` (:data:`CHARTS`) over ``project``'s built graph;
    ``params`` as text (``{"pledge": "bletchley-declaration"}``). An unknown chart, parameter or
    pledge is a :class:`~kg.errors.UsageError`."""
    if name not in CHARTS:
        from kg.suggest import did_you_mean

        raise UsageError(f"no chart {name!r}", hint=did_you_mean(name, CHARTS) + f"charts: {', '.join(sorted(CHARTS))}")
    make, takes = CHARTS[name]
    unknown = sorted(set(params or {}) - set(takes))
    if unknown:
        raise UsageError(f"chart {name!r} has no parameter {unknown[0]!r}", hint=f"it takes: {', '.join(takes) or 'no parameters'}")
    if store is None:  # not `store or …`: an empty Store is falsy
        store = open_store(project)
    return make(project, store, params or {})


def signatories_spec(rows: list[dict]) -> dict:
    """The ``signatories`` chart of ``rows``: dicts with ``pledge``, ``position`` (endorsed or
    declined), ``kind`` and ``parties`` (a number); one bar segment a row."""
    rows = sorted(rows, key=lambda r: (r["pledge"], r["position"], r["kind"]))
    return _spec("signatories", "Parties that endorsed or declined each pledge (accepted graph)", rows, {
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "row": {"field": "position", "type": "nominal", "title": None, "sort": _positions(rows)},
            "y": {"field": "pledge", "type": "nominal", "title": None, "sort": sorted({r["pledge"] for r in rows}),
                  "axis": {"labelLimit": 400}},
            "x": {"field": "parties", "type": "quantitative", "title": "parties", "stack": "zero"},
            "color": {"field": "kind", "type": "nominal", "title": "kind of party", "sort": sorted({r["kind"] for r in rows})},
        },
    })


def counts_spec(rows: list[dict]) -> dict:
    """The ``counts`` chart of ``rows``: dicts with ``pledge``, ``source``, ``value`` (the
    number), ``counted``, ``bound`` and ``date`` (as of, else published, else
    :data:`UNDATED`); one point a row."""
    rows = sorted(rows, key=lambda r: (r["date"] == UNDATED, r["date"], r["value"], r["counted"], r["bound"], r["source"]))
    pledges = sorted({r["pledge"] for r in rows})
    title = f"Signatory counts of {', '.join(pledges)}, as sources report them"
    return _spec("counts", title, rows, {
        "width": 480,
        # sources that report the same count, of the same kind, as of the same date draw one
        # point each, on the same spot: the point grows with their number, so none is hidden
        "transform": [{"joinaggregate": [{"op": "count", "as": "reports"}], "groupby": ["date", "value", "counted", "bound"]}],
        "mark": {"type": "point", "filled": True, "opacity": 0.7, "tooltip": True},
        "encoding": {
            "size": {"field": "reports", "type": "quantitative", "title": "sources reporting it",
                     "scale": {"range": [80, 480], "zero": False}, "legend": {"values": _report_counts(rows), "format": "d"}},
            "x": {"field": "date", "type": "ordinal", "title": "as of (else the source's publication date)",
                  "sort": list(dict.fromkeys(r["date"] for r in rows)), "axis": {"labelAngle": 0}},
            "xOffset": {"field": "counted", "type": "nominal", "sort": sorted({r["counted"] for r in rows})},
            "y": {"field": "value", "type": "quantitative", "title": "signatories reported",
                  "scale": {"zero": False, "padding": 12}},  # padding: the highest and lowest points are not cut by the frame
            "color": {"field": "counted", "type": "nominal", "title": "what was counted", "sort": sorted({r["counted"] for r in rows})},
            "shape": {"field": "bound", "type": "nominal", "title": "how exactly", "sort": sorted({r["bound"] for r in rows})},
        },
    })


def _report_counts(rows: list[dict]) -> list[int]:
    """How many sources report each distinct (date, value, counted, bound), the distinct numbers
    sorted: the values the size legend shows."""
    from collections import Counter

    return sorted(set(Counter((r["date"], r["value"], r["counted"], r["bound"]) for r in rows).values()))


def describe(spec: dict) -> str:
    """A plain-English text alternative of a spec made here (for an ``alt`` or ``<desc>``):
    the numbers the chart shows, in its rows' order."""
    if spec["usermeta"]["chart"] == "map":
        from kg.make.maps import describe_map

        return describe_map(spec)
    rows = spec["data"]["values"]
    if spec["usermeta"]["chart"] == "signatories":
        parts = []
        for pledge in dict.fromkeys(r["pledge"] for r in rows):
            mine = [r for r in rows if r["pledge"] == pledge]
            said = []
            for position in _positions(mine):
                kinds = [r for r in mine if r["position"] == position]
                detail = ", ".join(f"{r['kind']}: {r['parties']}" for r in kinds)
                said.append(f"{sum(r['parties'] for r in kinds)} {position} ({detail})")
            parts.append(f"{pledge}: {', '.join(said)}")
        return "Parties per pledge in the accepted graph. " + "; ".join(parts) + "."
    reports = "; ".join(
        f"{r['value']} {r['counted']} ({r['bound']}, {'date ' + UNDATED if r['date'] == UNDATED else r['date']}) per {r['source']}" for r in rows
    )
    return f"{spec['title']}: {len(rows)} reports. {reports}."


def render(spec: dict, fmt: str) -> bytes:
    """``spec`` drawn as ``fmt`` (``svg`` or ``png``) by vl-convert, offline (no data or font
    may be fetched: no base URL is allowed) and byte-identical for the same spec."""
    import vl_convert

    if fmt == "svg":
        return vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE, allowed_base_urls=[]).encode("utf-8")
    if fmt == "png":
        return vl_convert.vegalite_to_png(spec, vl_version=VEGA_LITE, allowed_base_urls=[])
    raise UsageError(f"no chart format {fmt!r}", hint=f"formats: {', '.join(FORMATS)}")


def _spec(name: str, title: str, rows: list[dict], body: dict) -> dict:
    spec = {"$schema": SCHEMA, "title": title, "usermeta": {"chart": name}, "data": {"values": rows}, **body}
    spec["description"] = describe(spec)  # for a browser embedding: vl-convert's SVG does not carry it, so pages give it as alt
    return spec


def _positions(rows: list[dict]) -> list[str]:
    """The positions of ``rows``, endorsing before declining."""
    return sorted({r["position"] for r in rows}, key=lambda p: (p.startswith("declined"), p))


def _signatories(project: Project, store: pyoxigraph.Store, params: dict[str, str]) -> dict:
    result = execute(store, QueryText(_SIGNATORIES, "<signatories chart>"))
    rows = [
        {
            "pledge": r["pledgeLabel"] or r["pledge"].removeprefix(ID),
            "position": r["position"] or r["property"].rpartition("#")[2],
            "kind": r["kind"] or UNDATED,
            "parties": r["parties"],
        }
        for r in result.records()
    ]
    return signatories_spec(rows)


def _pledge(project: Project, store: pyoxigraph.Store, params: dict[str, str]) -> tuple:  # type: ignore[type-arg]
    """The saved query ``signatory-counts`` and its terms with the ``pledge`` parameter bound
    (by id or name, default :data:`DEFAULT_PLEDGE`); not a pledge: :class:`UsageError`."""
    query = saved(project, "signatory-counts")
    given = {"pledge": params.get("pledge", DEFAULT_PLEDGE)}
    lookup = local_lookup(store)
    try:
        terms = bind(query.saved, given, lookup)
    except NotFound as err:
        raise UsageError(err.message, hint=err.hint) from None
    if not lookup(_IS_PLEDGE, {"pledge": terms["pledge"]}).boolean:
        raise UsageError(f"--param pledge: {given['pledge']!r} is not a pledge", hint=f"give a pledge's id or name, e.g. {DEFAULT_PLEDGE}")
    return query, terms, given


def _map(project: Project, store: pyoxigraph.Store, params: dict[str, str]) -> dict:
    from kg.make.maps import country_codes, world_map

    _, terms, _ = _pledge(project, store, params)
    return world_map(store, terms["pledge"].value, country_codes(project))


def _counts(project: Project, store: pyoxigraph.Store, params: dict[str, str]) -> dict:
    query, terms, given = _pledge(project, store, params)
    rows = [
        {
            "pledge": r["pledgeLabel"] or r["pledge"].removeprefix(ID),
            "source": r["sourceLabel"] or r["source"].removeprefix(ID),
            "value": r["value"],
            "counted": r["counted"] or UNDATED,
            "bound": r["bound"] or UNDATED,
            "date": str(r["asOf"] or r["published"] or UNDATED),
        }
        for r in execute(store, query, terms).records()
    ]
    if not rows:
        raise UsageError(f"no source reports a signatory count of {given['pledge']!r}", hint="run 'kg query signatory-counts' with another pledge")
    return counts_spec(rows)


# Chart name -> (the function making its spec, the parameters it takes).
CHARTS: dict[str, tuple[Callable[[Project, pyoxigraph.Store, dict[str, str]], dict], tuple[str, ...]]] = {
    "signatories": (_signatories, ()),
    "counts": (_counts, ("pledge",)),
    "map": (_map, ("pledge",)),  # kg.make.maps
}
