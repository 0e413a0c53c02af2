"""What the pages of summits and pledges show beyond an entity's page (:mod:`kg.make.site.entities`).

- A **pledge**: every party a source names as endorsing or declining it, one row a party and
  position, with each source that says so (linked to the claim on the source's page) and whether
  the accepted graph holds it; a party some sources name as endorsing and others as declining
  appears in both lists, side by side, never merged.
- A **summit**: the declarations adopted there (with how many parties the accepted graph holds
  as endorsing and declining each, and the counts chart of each), and the series as a timeline,
  every summit in the order held, this one marked.

The sections go before the page's "What the sources say"; every value is escaped where it is
written (:func:`kg.make.site.page.text`, :func:`kg.make.site.page.attr`).
"""

from __future__ import annotations

import re
from collections import defaultdict

import pyoxigraph

from kg.make.site.page import Page, attr, link, page_path, text
from kg.namespaces import AIG

_PREFIXES = """PREFIX aig: <https://w3id.org/aigov/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
# (a substituted variable must be in the projection: pyoxigraph refuses it otherwise)
_POSITIONS = _PREFIXES + """SELECT ?pledge ?party ?property ?claim ?source ?accepted WHERE {
  GRAPH ?graph { ?claim aig:claimObject ?pledge ; aig:claimProperty ?property ; aig:claimSubject ?party ; prov:wasDerivedFrom ?source . }
  FILTER (?property IN (aig:endorsed, aig:declinedToEndorse))
  BIND (EXISTS { ?party ?property ?pledge } AS ?accepted)
}"""
_ADOPTED = _PREFIXES + """SELECT ?summit ?pledge (COUNT(DISTINCT ?endorser) AS ?endorsed) (COUNT(DISTINCT ?decliner) AS ?declined) WHERE {
  ?pledge aig:endorsedAt ?summit .
  OPTIONAL { ?endorser aig:endorsed ?pledge }
  OPTIONAL { ?decliner aig:declinedToEndorse ?pledge }
} GROUP BY ?summit ?pledge"""
_SERIES = _PREFIXES + """SELECT ?summit (MIN(?day) AS ?start) (MAX(?last) AS ?end) (MIN(?placeLabel) AS ?place) WHERE {
  ?summit a aig:Summit .
  OPTIONAL { ?summit aig:startDate ?day }
  OPTIONAL { ?summit aig:endDate ?last }
  OPTIONAL { ?summit aig:heldIn ?where . ?where rdfs:label ?placeLabel }
} GROUP BY ?summit"""
_POSITION_HEADINGS = {AIG + "endorsed": "Endorsed it", AIG + "declinedToEndorse": "Declined to endorse it"}


def add_sections(store: pyoxigraph.Store, pages: list[Page], labels: dict[str, str], pictures: set[str]) -> None:
    """Put the pledge and summit sections into the pages of ``pages`` they belong on;
    ``pictures`` are the paths of the site's files, to show a pledge's counts chart where it has one."""
    summits = series(store)
    for page in pages:
        if page.iri is None:
            continue
        if page.kind == "pledge":
            insert(page, _positions(store, page, labels))
        elif page.kind == "summit":
            insert(page, _adopted(store, page, labels, pictures) + "\n" + _timeline(page, summits, labels))


def insert(page: Page, section: str, before: tuple[str, ...] = ("map", "claims")) -> None:
    """``section`` before the first of the page's sections named in ``before`` that it has
    (its map, else its claims), else at its end."""
    for name in before:
        marker = f'<section id="{name}">'
        if marker in page.body:
            page.body = page.body.replace(marker, section + "\n" + marker, 1)
            return
    page.body += "\n" + section


def _positions(store: pyoxigraph.Store, page: Page, labels: dict[str, str]) -> str:
    """Who endorsed the pledge and who declined it, by party, each with its sources."""
    assert page.iri is not None
    said: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)  # (position, party) -> (source, claim)
    accepted: set[tuple[str, str]] = set()
    for row in store.query(_POSITIONS, substitutions={pyoxigraph.Variable("pledge"): pyoxigraph.NamedNode(page.iri)}):
        key = (row["property"].value, row["party"].value)
        said[key].append((row["source"].value, row["claim"].value))
        if row["accepted"].value == "true":
            accepted.add(key)
    if not said:
        return ""
    parts = ['<section id="positions"><h2>Who endorsed it, who declined</h2><p>Every party a source names, with each source that '
             'names it; <em>accepted</em> marks what the accepted graph holds. A party named on both sides is listed on both.</p>']
    for position, heading in _POSITION_HEADINGS.items():
        parties = sorted({party for p, party in said if p == position}, key=lambda iri: (labels.get(iri, iri).casefold(), iri))
        if not parties:
            continue
        parts.append(f'<h3>{text(heading)} ({len(parties)})</h3><table class="positions"><thead><tr><th>Party</th><th>Sources</th>'
                     "<th>Accepted</th></tr></thead><tbody>")
        for party in parties:
            sources = ", ".join(
                f"<a href={attr(link(page.path, page_path(source)) + '#' + claim.rsplit('/', 1)[1])}>{text(labels.get(source, source))}</a>"
                for source, claim in sorted(set(said[(position, party)]), key=lambda sc: (labels.get(sc[0], sc[0]).casefold(), sc)))
            mark = '<span class="accepted">accepted</span>' if (position, party) in accepted else "not accepted"
            parts.append(f"<tr><td><a href={attr(link(page.path, page_path(party)))}>{text(labels.get(party, party))}</a></td>"
                         f"<td>{sources}</td><td>{mark}</td></tr>")
        parts.append("</tbody></table>")
    parts.append("</section>")
    return "\n".join(parts)


def _adopted(store: pyoxigraph.Store, page: Page, labels: dict[str, str], pictures: set[str]) -> str:
    """The declarations adopted at the summit, with their parties and counts charts."""
    assert page.iri is not None
    rows = sorted(store.query(_ADOPTED, substitutions={pyoxigraph.Variable("summit"): pyoxigraph.NamedNode(page.iri)}),
                  key=lambda r: (labels.get(r["pledge"].value, r["pledge"].value).casefold(), r["pledge"].value))
    if not rows:
        return ""
    parts = ['<section id="declarations"><h2>The declarations adopted here</h2><ul class="declarations">']
    for row in rows:
        pledge = row["pledge"].value
        target = page_path(pledge)
        chart = target[:-len(".html")] + "-counts.svg"
        parts.append(f"<li><a href={attr(link(page.path, target))}>{text(labels.get(pledge, pledge))}</a>: the accepted graph names "
                     f"{text(row['endorsed'].value)} parties that endorsed it and {text(row['declined'].value)} that declined "
                     f"(<a href={attr(link(page.path, target) + '#positions')}>who, by source</a>)"
                     + ("; the sources' own counts of its signatories, which include parties they do not name, are charted below." if chart in pictures else "."))
        if chart in pictures:
            parts.append(f'<figure class="chart"><img src={attr(link(page.path, chart))} alt={attr("The counts the sources report of "+ labels.get(pledge, pledge) + ": see its page for each figure and its source.")}>'
                         "<figcaption>The signatory counts its sources report, by date.</figcaption></figure>")
        parts.append("</li>")
    parts.append("</ul></section>")
    return "\n".join(parts)


def series(store: pyoxigraph.Store) -> list[tuple[str, str, str, str]]:
    """Every summit as (IRI, first day, last day, place), in the order held (undated last)."""
    found = [(r["summit"].value, r["start"].value if r["start"] else "", r["end"].value if r["end"] else "",
              r["place"].value if r["place"] else "") for r in store.query(_SERIES)]
    return sorted(found, key=lambda s: (s[1] == "", s[1], s[0]))


def _day(day: str) -> str:
    """A day of the graph as an HTML ``<time>``, machine-readable when it is an ISO date."""
    machine = f" datetime={attr(day)}" if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", day) else ""
    return f"<time{machine}>{text(day)}</time>"


def timeline(path: str, series: list[tuple[str, str, str, str]], labels: dict[str, str], current: str | None = None) -> str:
    """The summit ``series`` (:func:`series`) as an ordered list for the page at ``path``, each
    summit linked to its page but ``current``, marked as this one."""
    parts = ['<ol class="timeline">']
    for summit, start, end, place in series:
        days = _day(start) + ("–" + _day(end) if end and end != start else "") if start else '<span class="undated">days not settled</span>'
        name = text(labels.get(summit, summit))
        shown = f"<strong>{name}</strong> (this summit)" if summit == current else f"<a href={attr(link(path, page_path(summit)))}>{name}</a>"
        parts.append(f'<li><span class="days">{days}</span> {shown}' + (f", {text(place)}" if place else "") + "</li>")
    parts.append("</ol>")
    return "\n".join(parts)


def _timeline(page: Page, series: list[tuple[str, str, str, str]], labels: dict[str, str]) -> str:
    """The summit series on a summit's page, this summit marked."""
    parts = ['<section id="series"><h2>The summit series</h2>', timeline(page.path, series, labels, page.iri)]
    parts.append("<p>Days and places as the accepted graph holds them; where the sources disagree it holds none, and each "
                 "summit's page gives every source's days side by side.</p></section>")
    return "\n".join(parts)
