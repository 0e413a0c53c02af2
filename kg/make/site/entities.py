"""A page for every entity of the graph (``id/<slug>.html``): what the accepted graph holds of
it, and every claim the sources make about it, grouped by property, each value with its sources
side by side and their evidence (the quoted words with their offsets, or the cited page's
locator), disagreements marked; the entities that link to it; a diagram of its neighbourhood;
and how to cite each claim.

Sources have pages of their own (:mod:`kg.make.site.sources`); an entity here is a named
individual under ``https://w3id.org/aigov/id/`` that is not a source.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph

from kg.make import cite as citing
from kg.make.site.page import Page, Site, attr, data_paths, graph_labels, link, page_path, text
from kg.namespaces import AIG, ID

_PREFIXES = """PREFIX aig: <https://w3id.org/aigov/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
_ENTITIES = _PREFIXES + f"""SELECT ?entity (MIN(?name) AS ?label) (MIN(?className) AS ?kind) WHERE {{
  ?entity a owl:NamedIndividual .
  FILTER (STRSTARTS(STR(?entity), "{ID}"))
  FILTER NOT EXISTS {{ ?entity a aig:SourceDocument }}
  OPTIONAL {{ ?entity rdfs:label ?name }}
  OPTIONAL {{ ?entity a ?class . ?class rdfs:label ?className . FILTER (STRSTARTS(STR(?class), STR(aig:))) }}
}} GROUP BY ?entity"""
_SOURCES = _PREFIXES + "SELECT ?source WHERE { ?source a aig:SourceDocument }"
# The accepted graph's statements about an entity (the default graph holds the ontology too)
_OUTGOING = _PREFIXES + "SELECT ?entity ?property ?value WHERE { ?entity ?property ?value . FILTER (?property != rdf:type && ?property != rdfs:label) }"
_INCOMING = _PREFIXES + f"""SELECT ?entity ?subject ?property WHERE {{
  ?subject ?property ?entity . ?subject a owl:NamedIndividual .
  FILTER (STRSTARTS(STR(?subject), "{ID}") && STRSTARTS(STR(?property), STR(aig:)))
}}"""
_CLAIMS = _PREFIXES + """SELECT ?entity ?claim ?property ?object ?literal ?rank ?source ?evidence ?quote ?start ?end ?locator ?qualifier ?qualifierValue WHERE {
  GRAPH ?graph {
    ?claim aig:claimSubject ?entity ; aig:claimProperty ?property ; aig:rank ?rank ; prov:wasDerivedFrom ?source .
    OPTIONAL { ?claim aig:claimObject ?object }
    OPTIONAL { ?claim aig:claimValue ?literal }
    OPTIONAL { ?claim ?qualifier ?qualifierValue .
               FILTER (?qualifier IN (aig:asOf, aig:soFar, aig:counted, aig:bound, aig:regarding, aig:statedBy)) }
    OPTIONAL { ?claim aig:evidence ?evidence .
               OPTIONAL { ?evidence aig:quote ?quote }
               OPTIONAL { ?evidence oa:hasSelector ?position . ?position oa:start ?start ; oa:end ?end }
               OPTIONAL { ?evidence aig:locator ?locator } }
  }
}"""
_DISAGREEMENTS = _PREFIXES + """SELECT ?entity ?disagreement ?label ?comment ?settlement ?claim WHERE {
  ?disagreement a aig:Disagreement ; aig:contestedSubject ?entity ; aig:involvesClaim ?claim .
  OPTIONAL { ?disagreement rdfs:label ?label }
  OPTIONAL { ?disagreement rdfs:comment ?comment }
  OPTIONAL { ?disagreement aig:settlement ?settlement }
}"""


@dataclass
class Claim:
    """One claim about an entity, as a source makes it."""

    iri: str
    property: str
    value: pyoxigraph.NamedNode | pyoxigraph.Literal
    rank: str
    source: str
    evidence: dict[str, dict[str, str]] = field(default_factory=dict)  # evidence IRI -> quote, start, end, locator
    qualifiers: set[tuple[str, str]] = field(default_factory=set)


def entities(store: pyoxigraph.Store) -> list[tuple[str, str, str]]:
    """Every entity that gets a page: (IRI, label, kind), sorted by IRI."""
    found = [(row["entity"].value, row["label"].value if row["label"] else row["entity"].value[len(ID):],
              row["kind"].value if row["kind"] else "") for row in store.query(_ENTITIES)]
    return sorted(found)


def entity_pages(store: pyoxigraph.Store, site: Site, labels: dict[str, str] | None = None,
                 diagrams: bool = True) -> tuple[list[Page], dict[str, bytes]]:
    """The page of every entity, and the files they show (each one's neighbourhood diagram,
    ``id/<slug>.svg``, when ``diagrams``); ``labels`` is :func:`graph_labels` of ``store``,
    when the caller has it already."""
    labels = graph_labels(store) if labels is None else labels
    found = entities(store)
    linked = {iri for iri, _, _ in found} | {row["source"].value for row in store.query(_SOURCES)}
    pages, files, drawn = [], {}, {}
    for iri, label, kind in found:
        figure = ""
        if diagrams:
            figure, source = _diagram(store, iri)
            if source is not None:
                drawn[page_path(iri)[:-len(".html")] + ".svg"] = source
        pages.append(_entity_page(store, site, labels, linked, iri, label, kind, figure))
    files.update(_drawn(drawn))
    return pages, files


def _diagram(store: pyoxigraph.Store, iri: str) -> tuple[str, str | None]:
    """The figure showing the entity's diagram, and the diagram's DOT source (None: it has no links)."""
    from kg.make.diagrams import describe, links, neighbourhood

    if not links(store, iri):
        return "", None
    slug = iri[len(ID):]
    figure = (f'<figure class="diagram"><img src={attr(slug + ".svg")} alt={attr(describe(store, iri))}>'
              "<figcaption>Its links in the accepted graph.</figcaption></figure>")
    return figure, neighbourhood(store, iri)


def _drawn(sources: dict[str, str]) -> dict[str, bytes]:
    """Each DOT source drawn as SVG, by its path; Graphviz runs as several processes at once
    (one per core), each drawing one diagram, so the output does not depend on the order."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    from kg.make.diagrams import render

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return dict(zip(sources, pool.map(lambda dot: render(dot, "svg"), sources.values())))


def _entity_page(store: pyoxigraph.Store, site: Site, labels: dict[str, str], linked: set[str], iri: str, label: str, kind: str,
                 figure: str) -> Page:
    path = page_path(iri)
    bound = {pyoxigraph.Variable("entity"): pyoxigraph.NamedNode(iri)}
    cites: dict[str, citing.Citation] = {}

    def name(node: pyoxigraph.NamedNode | pyoxigraph.Literal | pyoxigraph.BlankNode) -> str:
        """A node as HTML: an entity or source linked to its page, another IRI linked to itself,
        a literal as text (with its language or datatype when it helps)."""
        if isinstance(node, pyoxigraph.NamedNode):
            shown = text(labels.get(node.value, node.value))
            if node.value in linked:
                return f"<a href={attr(link(path, page_path(node.value)))}>{shown}</a>"
            return f"<a href={attr(node.value)}>{shown}</a>"
        if isinstance(node, pyoxigraph.Literal):
            return text(node.value)
        return text(str(node))

    outgoing = sorted(store.query(_OUTGOING, substitutions=bound), key=lambda r: (labels.get(r["property"].value, r["property"].value), str(r["value"])))
    also = [r["value"].value for r in outgoing if r["property"].value == "http://www.w3.org/2004/02/skos/core#altLabel"]
    same = [r["value"].value for r in outgoing if r["property"].value == "http://www.w3.org/2002/07/owl#sameAs"]
    facts = [r for r in outgoing if r["property"].value.startswith(AIG)]
    accepted = {(r["property"].value, str(r["value"])) for r in facts}

    body = []
    if also:
        body.append(f"<p>Also called: {', '.join(text(a) for a in sorted(also))}.</p>")
    if same:
        body.append("<p>The same as: " + ", ".join(f"<a href={attr(s)}>{text(s)}</a>" for s in sorted(same)) + "</p>")
    body.append(figure)
    if facts:
        body.append('<section id="accepted"><h2>In the accepted graph</h2><dl>')
        for prop, rows in _grouped(facts, lambda r: r["property"].value):
            body.append(f"<dt>{text(labels.get(prop, prop))}</dt>" + "".join(f"<dd>{name(r['value'])}</dd>" for r in rows))
        body.append("</dl></section>")

    claims = _claims(store, bound)
    disputed, details = _disagreements(store, bound, labels)
    if claims:
        body.append('<section id="claims"><h2>What the sources say</h2>')
        body.append("<p>Every claim a source makes about it, by property; each value with the sources that give it, side by side. "
                    "A value marked <em>accepted</em> is in the accepted graph, derived by the acceptance rules.</p>")
        for prop, group in _grouped(claims, lambda c: c.property):
            body.append(f"<h3>{text(labels.get(prop, prop))}</h3><ul class=\"values\">")
            for value, said in _grouped(group, lambda c: str(c.value)):
                value_node = said[0].value
                marks = []
                if (prop, value) in accepted or (prop == "http://www.w3.org/2004/02/skos/core#altLabel" and value_node.value in also):
                    marks.append('<span class="accepted">accepted</span>')
                for disagreement, dlabel in sorted({(d, l) for c in said for d, l in disputed.get(c.iri, ())}):
                    marks.append(f'<span class="disputed">disputed: <a href={attr("#" + _anchor(disagreement))}>{text(dlabel)}</a></span>')
                body.append(f"<li><span class=\"value\">{name(value_node)}</span> {' '.join(marks)}<ul class=\"sources\">")
                for claim in sorted(said, key=lambda c: (c.source, c.iri)):
                    if claim.source not in cites:
                        cites[claim.source] = citing.citation(store, claim.source)
                    body.append("<li>" + _claim_html(claim, path, labels, site, cites) + "</li>")
                body.append("</ul></li>")
            body.append("</ul>")
        body.append("</section>")
    if disputed:
        body.append('<section id="disagreements"><h2>Disagreements</h2><ul>')
        seen = {}
        for entries in disputed.values():
            for disagreement, dlabel in entries:
                seen[disagreement] = dlabel
        for disagreement in sorted(seen):
            comment, settlement = details.get(disagreement, ("", ""))
            body.append(f"<li id={attr(_anchor(disagreement))}><a href={attr(link(path, page_path(disagreement)))}><strong>{text(seen[disagreement])}</strong></a>"
                        + (f" ({text(settlement)})" if settlement else "") + (f": {text(comment)}" if comment else "") + "</li>")
        body.append("</ul></section>")

    incoming = sorted(store.query(_INCOMING, substitutions=bound), key=lambda r: (labels.get(r["property"].value, ""), labels.get(r["subject"].value, "")))
    if incoming:
        body.append('<section id="incoming"><h2>Linked from</h2><ul>')
        for row in incoming:
            body.append(f"<li>{name(row['subject'])} <em>{text(labels.get(row['property'].value, row['property'].value))}</em> {text(label)}</li>")
        body.append("</ul></section>")
    if len(body) == 1 and not figure:
        body.append("<p>The graph holds nothing more about it.</p>")
    body.append('<section id="cite"><h2>Cite this page</h2>'
                + _cite_block(citing.page_citation(iri, label), None, site.version, "Citation, BibTeX, CSL-JSON") + "</section>")

    data = {"@context": {"@vocab": "http://schema.org/"}, "@id": iri, "name": label, "sameAs": sorted(same), "alternateName": sorted(also)}
    data["@type"] = _SCHEMA_TYPES.get(kind, "Thing")
    return Page(path=path, title=label, body="\n".join(b for b in body if b), iri=iri, kind=kind, alternates=data_paths(iri), data=data,
                description=f"{label}: {kind}, in aigov-kg, with every claim its sources make about it.")


# schema.org types of the kinds of entity that have one
_SCHEMA_TYPES = {"nation": "Country", "person": "Person", "summit": "Event", "place": "Place", "organization": "Organization",
                 "international organization": "Organization", "company": "Organization", "bloc": "Organization",
                 "pledge": "CreativeWork", "resolution": "CreativeWork", "AI model": "SoftwareApplication"}


def _claim_html(claim: Claim, path: str, labels: dict[str, str], site: Site, cites: dict[str, citing.Citation]) -> str:
    """One claim as a source makes it: the source, its rank and qualifiers, its evidence, how to
    cite it (``cites``: the sources' citations, by IRI, filled as they are needed)."""
    from_source = page_path(claim.source)
    anchor = claim.iri.rsplit("/", 1)[1]
    parts = [f"<a href={attr(link(path, from_source) + '#' + anchor)}>{text(labels.get(claim.source, claim.source))}</a>"]
    if not claim.rank.endswith("NormalRank"):
        parts.append(f'<span class="rank">{text(labels.get(claim.rank, claim.rank.rsplit("#", 1)[-1]))}</span>')
    for qualifier, value in sorted(claim.qualifiers):
        parts.append(f'<span class="qualifier">{text(labels.get(qualifier, qualifier))}: {text(labels.get(value, value))}</span>')
    for evidence in sorted(claim.evidence.values(), key=lambda e: (int(e.get("start", "0") or 0), e.get("quote", ""), e.get("locator", ""))):
        if evidence.get("quote"):
            offsets = f' <span class="offsets">[{text(evidence["start"])}–{text(evidence["end"])}]</span>' if evidence.get("start") else ""
            parts.append(f'<q>{text(evidence["quote"])}</q>{offsets}')
        elif evidence.get("locator"):
            parts.append(f'<span class="locator">{text(evidence["locator"])}</span>')
    return " ".join(parts) + _cite_block(cites[claim.source], claim.iri, site.version, "Cite",
                                         f"<a href={attr(link(path, from_source) + '#cite')}>The source's own page</a>.")


def _cite_block(cited: citing.Citation, claim: str | None, version: str, summary: str, more: str = "") -> str:
    """A "cite this" block: the citation line, BibTeX and CSL-JSON, with the claim's IRI (if
    any) and the dataset's version."""
    recorded = (f"As recorded in aigov-kg {text(version)}: <code>{text(claim)}</code>." if claim
                else f"aigov-kg {text(version)}.")
    return (f'<details class="cite"><summary>{text(summary)}</summary><p class="citation">{text(citing.text(cited))} {recorded} {more}</p>'
            f'<pre class="bibtex">{text(citing.bibtex(cited, claim, version))}</pre>'
            f'<pre class="csl-json">{text(citing.csl_json(cited, claim, version))}</pre></details>')


def _claims(store: pyoxigraph.Store, bound: dict) -> list[Claim]:  # type: ignore[type-arg]
    claims: dict[str, Claim] = {}
    for row in store.query(_CLAIMS, substitutions=bound):
        value = row["object"] or row["literal"]
        if value is None:
            continue
        claim = claims.setdefault(row["claim"].value, Claim(row["claim"].value, row["property"].value, value, row["rank"].value, row["source"].value))
        if row["qualifier"] is not None:
            claim.qualifiers.add((row["qualifier"].value, row["qualifierValue"].value))
        if row["evidence"] is not None:
            evidence = claim.evidence.setdefault(row["evidence"].value, {})
            for key in ("quote", "start", "end", "locator"):
                if row[key] is not None:
                    evidence[key] = row[key].value
    return list(claims.values())


def _disagreements(store: pyoxigraph.Store, bound: dict, labels: dict[str, str]  # type: ignore[type-arg]
                   ) -> tuple[dict[str, set[tuple[str, str]]], dict[str, tuple[str, str]]]:
    """The disagreements about the entity: claim IRI -> the disagreements (IRI, label) it is
    part of, and disagreement IRI -> (its comment, its settlement's label)."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    details = {}
    for row in store.query(_DISAGREEMENTS, substitutions=bound):
        iri = row["disagreement"].value
        found[row["claim"].value].add((iri, row["label"].value if row["label"] else labels.get(iri, iri)))
        settlement = row["settlement"].value if row["settlement"] else ""
        details[iri] = (row["comment"].value if row["comment"] else "", labels.get(settlement, settlement))
    return found, details


def _anchor(iri: str) -> str:
    return "disagreement-" + iri.rsplit("/", 1)[1]


def _grouped(items, key):  # type: ignore[no-untyped-def]
    """``items`` grouped by ``key``, the groups in key order, each in the order given."""
    groups: dict[str, list] = defaultdict(list)  # type: ignore[type-arg]
    for item in items:
        groups[key(item)].append(item)
    return sorted(groups.items())
